package dev.lakestream.jobs.bronze.kafka;

import dev.lakestream.catalog.tables.BronzeKafkaTable;

import org.apache.flink.configuration.Configuration;
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

class KafkaBronzeDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, long ts, RecordHeaders headers) {
        return new ConsumerRecord<>(
                "orders", 2, 41L, ts, TimestampType.CREATE_TIME, -1, -1, key, value, headers, Optional.empty());
    }

    @Test
    void rowPositionsFollowTheBronzeSchema() {
        List<String> names = KafkaBronzeDeserializer.ROW_TYPE.getFieldNames();
        assertThat(names.get(KafkaBronzeDeserializer.TOPIC)).isEqualTo(BronzeKafkaTable.TOPIC);
        assertThat(names.get(KafkaBronzeDeserializer.PARTITION)).isEqualTo(BronzeKafkaTable.PARTITION);
        assertThat(names.get(KafkaBronzeDeserializer.OFFSET)).isEqualTo(BronzeKafkaTable.OFFSET);
        assertThat(names.get(KafkaBronzeDeserializer.KAFKA_TS)).isEqualTo(BronzeKafkaTable.KAFKA_TS);
        assertThat(names.get(KafkaBronzeDeserializer.KAFKA_TS_TYPE)).isEqualTo(BronzeKafkaTable.KAFKA_TS_TYPE);
        assertThat(names.get(KafkaBronzeDeserializer.RECORD_KEY)).isEqualTo(BronzeKafkaTable.RECORD_KEY);
        assertThat(names.get(KafkaBronzeDeserializer.RECORD_VALUE)).isEqualTo(BronzeKafkaTable.RECORD_VALUE);
        assertThat(names.get(KafkaBronzeDeserializer.HEADERS)).isEqualTo(BronzeKafkaTable.HEADERS);
        assertThat(names.get(KafkaBronzeDeserializer.INGEST_TS)).isEqualTo(BronzeKafkaTable.INGEST_TS);
        assertThat(names).hasSize(9);
    }

    @Test
    void copiesKeyValueCoordinatesAndTimesAsIs() {
        byte[] value = "{\"order_id\":1}".getBytes(StandardCharsets.UTF_8);
        long ts = Instant.parse("2026-11-20T10:15:30.123Z").toEpochMilli();
        long ingest = Instant.parse("2026-11-21T00:00:01Z").toEpochMilli();

        RowData row = KafkaBronzeDeserializer.toRow(record("k1".getBytes(), value, ts, new RecordHeaders()), ingest);

        assertThat(row.getString(KafkaBronzeDeserializer.TOPIC).toString()).isEqualTo("orders");
        assertThat(row.getInt(KafkaBronzeDeserializer.PARTITION)).isEqualTo(2);
        assertThat(row.getLong(KafkaBronzeDeserializer.OFFSET)).isEqualTo(41L);
        assertThat(row.getBinary(KafkaBronzeDeserializer.RECORD_KEY)).isEqualTo("k1".getBytes());
        assertThat(row.getBinary(KafkaBronzeDeserializer.RECORD_VALUE)).isEqualTo(value);
        assertThat(row.getTimestamp(KafkaBronzeDeserializer.KAFKA_TS, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.of(2026, 11, 20, 10, 15, 30, 123_000_000));
        assertThat(row.getString(KafkaBronzeDeserializer.KAFKA_TS_TYPE).toString()).isEqualTo("CreateTime");
        assertThat(row.getTimestamp(KafkaBronzeDeserializer.INGEST_TS, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.ofEpochSecond(ingest / 1000, 0, ZoneOffset.UTC));
        assertThat(row.getArray(KafkaBronzeDeserializer.HEADERS).size()).isZero();
        Configuration config = new Configuration();
        config.set(KafkaBronzeOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        assertThat(row.getBinary(KafkaBronzeSources.bronzeSource(config, "orders").payloadField()))
                .as("where the watermarks read the payload").isEqualTo(value);
    }

    @Test
    void nullValuesNullKeysAndNonJsonBytesLandUnchanged() {
        byte[] garbage = {(byte) 0xff, 0x00, '{', (byte) 0xc3};

        RowData tombstone = KafkaBronzeDeserializer.toRow(record(null, null, -1, new RecordHeaders()), 0L);
        RowData binary = KafkaBronzeDeserializer.toRow(record(null, garbage, 5, new RecordHeaders()), 0L);

        assertThat(tombstone.isNullAt(KafkaBronzeDeserializer.RECORD_VALUE)).isTrue();
        assertThat(tombstone.isNullAt(KafkaBronzeDeserializer.RECORD_KEY)).isTrue();
        assertThat(tombstone.isNullAt(KafkaBronzeDeserializer.KAFKA_TS)).isTrue();
        assertThat(binary.getBinary(KafkaBronzeDeserializer.RECORD_VALUE)).isEqualTo(garbage);
    }

    @Test
    void headersKeepOrderAndRepeatedKeys() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", "a".getBytes()));
        headers.add(new RecordHeader("retry", null));
        headers.add(new RecordHeader("trace", "b".getBytes()));

        RowData row = KafkaBronzeDeserializer.toRow(record(null, new byte[0], 1, headers), 0L);

        var array = row.getArray(KafkaBronzeDeserializer.HEADERS);
        assertThat(array.size()).isEqualTo(3);
        assertThat(array.getRow(0, 2).getString(0).toString()).isEqualTo("trace");
        assertThat(array.getRow(0, 2).getBinary(1)).isEqualTo("a".getBytes());
        assertThat(array.getRow(1, 2).isNullAt(1)).isTrue();
        assertThat(array.getRow(2, 2).getBinary(1)).isEqualTo("b".getBytes());
    }
}
