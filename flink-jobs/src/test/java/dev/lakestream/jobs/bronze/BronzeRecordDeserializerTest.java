package dev.lakestream.jobs.bronze;

import dev.lakestream.catalog.tables.BronzeKafkaTable;

import org.apache.flink.table.data.RowData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BronzeRecordDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, long ts, RecordHeaders headers) {
        return new ConsumerRecord<>(
                "orders", 2, 41L, ts, TimestampType.CREATE_TIME, -1, -1, key, value, headers, Optional.empty());
    }

    @Test
    void rowPositionsFollowTheBronzeSchema() {
        List<String> names = BronzeRecordDeserializer.ROW_TYPE.getFieldNames();
        assertThat(names.get(BronzeRecordDeserializer.TOPIC)).isEqualTo(BronzeKafkaTable.TOPIC);
        assertThat(names.get(BronzeRecordDeserializer.PARTITION)).isEqualTo(BronzeKafkaTable.PARTITION);
        assertThat(names.get(BronzeRecordDeserializer.OFFSET)).isEqualTo(BronzeKafkaTable.OFFSET);
        assertThat(names.get(BronzeRecordDeserializer.KAFKA_TS)).isEqualTo(BronzeKafkaTable.KAFKA_TS);
        assertThat(names.get(BronzeRecordDeserializer.KAFKA_TS_TYPE)).isEqualTo(BronzeKafkaTable.KAFKA_TS_TYPE);
        assertThat(names.get(BronzeRecordDeserializer.RECORD_KEY)).isEqualTo(BronzeKafkaTable.RECORD_KEY);
        assertThat(names.get(BronzeRecordDeserializer.RECORD_VALUE)).isEqualTo(BronzeKafkaTable.RECORD_VALUE);
        assertThat(names.get(BronzeRecordDeserializer.HEADERS)).isEqualTo(BronzeKafkaTable.HEADERS);
        assertThat(names.get(BronzeRecordDeserializer.INGEST_TS)).isEqualTo(BronzeKafkaTable.INGEST_TS);
        assertThat(names).hasSize(9);
    }

    @Test
    void copiesKeyValueCoordinatesAndTimesAsIs() {
        byte[] value = "{\"order_id\":1}".getBytes(StandardCharsets.UTF_8);
        long ts = Instant.parse("2026-11-20T10:15:30.123Z").toEpochMilli();
        long ingest = Instant.parse("2026-11-21T00:00:01Z").toEpochMilli();

        RowData row = BronzeRecordDeserializer.toRow(record("k1".getBytes(), value, ts, new RecordHeaders()), ingest);

        assertThat(row.getString(BronzeRecordDeserializer.TOPIC).toString()).isEqualTo("orders");
        assertThat(row.getInt(BronzeRecordDeserializer.PARTITION)).isEqualTo(2);
        assertThat(row.getLong(BronzeRecordDeserializer.OFFSET)).isEqualTo(41L);
        assertThat(row.getBinary(BronzeRecordDeserializer.RECORD_KEY)).isEqualTo("k1".getBytes());
        assertThat(row.getBinary(BronzeRecordDeserializer.RECORD_VALUE)).isEqualTo(value);
        assertThat(row.getTimestamp(BronzeRecordDeserializer.KAFKA_TS, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.of(2026, 11, 20, 10, 15, 30, 123_000_000));
        assertThat(row.getString(BronzeRecordDeserializer.KAFKA_TS_TYPE).toString()).isEqualTo("CreateTime");
        assertThat(row.getTimestamp(BronzeRecordDeserializer.INGEST_TS, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.ofEpochSecond(ingest / 1000, 0, ZoneOffset.UTC));
        assertThat(row.getArray(BronzeRecordDeserializer.HEADERS).size()).isZero();
    }

    @Test
    void nullValuesNullKeysAndNonJsonBytesLandUnchanged() {
        byte[] garbage = {(byte) 0xff, 0x00, '{', (byte) 0xc3};

        RowData tombstone = BronzeRecordDeserializer.toRow(record(null, null, -1, new RecordHeaders()), 0L);
        RowData binary = BronzeRecordDeserializer.toRow(record(null, garbage, 5, new RecordHeaders()), 0L);

        assertThat(tombstone.isNullAt(BronzeRecordDeserializer.RECORD_VALUE)).isTrue();
        assertThat(tombstone.isNullAt(BronzeRecordDeserializer.RECORD_KEY)).isTrue();
        assertThat(tombstone.isNullAt(BronzeRecordDeserializer.KAFKA_TS)).isTrue();
        assertThat(binary.getBinary(BronzeRecordDeserializer.RECORD_VALUE)).isEqualTo(garbage);
    }

    @Test
    void headersKeepOrderAndRepeatedKeys() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", "a".getBytes()));
        headers.add(new RecordHeader("retry", null));
        headers.add(new RecordHeader("trace", "b".getBytes()));

        RowData row = BronzeRecordDeserializer.toRow(record(null, new byte[0], 1, headers), 0L);

        var array = row.getArray(BronzeRecordDeserializer.HEADERS);
        assertThat(array.size()).isEqualTo(3);
        assertThat(array.getRow(0, 2).getString(0).toString()).isEqualTo("trace");
        assertThat(array.getRow(0, 2).getBinary(1)).isEqualTo("a".getBytes());
        assertThat(array.getRow(1, 2).isNullAt(1)).isTrue();
        assertThat(array.getRow(2, 2).getBinary(1)).isEqualTo("b".getBytes());
    }
}
