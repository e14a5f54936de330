package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.catalog.tables.BronzeKinesisTable;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KinesisBronzeDeserializerTest {

    private static final String ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";
    private static final String SHARD = "shardId-000000000001";
    private static final String SEQUENCE = "49590338271490256608559692538361571095921575989136588898";

    private static Record record(SdkBytes data, Instant arrival) {
        return Record.builder()
                .sequenceNumber(SEQUENCE)
                .partitionKey("customer-7")
                .approximateArrivalTimestamp(arrival)
                .data(data)
                .build();
    }

    private static List<RowData> deserialize(KinesisBronzeDeserializer deserializer, Record record) {
        List<RowData> out = new ArrayList<>();
        deserializer.deserialize(record, ARN, SHARD, new ListCollector<>(out));
        return out;
    }

    @Test
    void rowPositionsFollowTheBronzeSchema() {
        List<String> names = KinesisBronzeDeserializer.ROW_TYPE.getFieldNames();
        assertThat(names.get(KinesisBronzeDeserializer.STREAM)).isEqualTo(BronzeKinesisTable.STREAM);
        assertThat(names.get(KinesisBronzeDeserializer.SHARD_ID)).isEqualTo(BronzeKinesisTable.SHARD_ID);
        assertThat(names.get(KinesisBronzeDeserializer.SEQUENCE_NUMBER)).isEqualTo(BronzeKinesisTable.SEQUENCE_NUMBER);
        assertThat(names.get(KinesisBronzeDeserializer.APPROXIMATE_ARRIVAL_TS))
                .isEqualTo(BronzeKinesisTable.APPROXIMATE_ARRIVAL_TS);
        assertThat(names.get(KinesisBronzeDeserializer.PARTITION_KEY)).isEqualTo(BronzeKinesisTable.PARTITION_KEY);
        assertThat(names.get(KinesisBronzeDeserializer.RECORD_DATA)).isEqualTo(BronzeKinesisTable.RECORD_DATA);
        assertThat(names.get(KinesisBronzeDeserializer.INGEST_TS)).isEqualTo(BronzeKinesisTable.INGEST_TS);
        assertThat(names).hasSize(7);
    }

    @Test
    void copiesDataCoordinatesAndTimesAsIs() {
        byte[] data = "{\"order_id\":1}".getBytes(StandardCharsets.UTF_8);
        Instant arrival = Instant.parse("2026-11-20T10:15:30.123Z");
        long before = System.currentTimeMillis();

        RowData row = deserialize(new KinesisBronzeDeserializer(), record(SdkBytes.fromByteArray(data), arrival)).get(0);

        assertThat(row.getString(KinesisBronzeDeserializer.STREAM).toString()).isEqualTo("orders");
        assertThat(row.getString(KinesisBronzeDeserializer.SHARD_ID).toString()).isEqualTo(SHARD);
        assertThat(row.getString(KinesisBronzeDeserializer.SEQUENCE_NUMBER).toString()).isEqualTo(SEQUENCE);
        assertThat(row.getString(KinesisBronzeDeserializer.PARTITION_KEY).toString()).isEqualTo("customer-7");
        assertThat(row.getBinary(KinesisBronzeDeserializer.RECORD_DATA)).isEqualTo(data);
        assertThat(row.getTimestamp(KinesisBronzeDeserializer.APPROXIMATE_ARRIVAL_TS, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.of(2026, 11, 20, 10, 15, 30, 123_000_000));
        assertThat(row.getTimestamp(KinesisBronzeDeserializer.INGEST_TS, 6).getMillisecond())
                .isBetween(before, System.currentTimeMillis());
    }

    @Test
    void emptyMissingAndNonUtf8DataLandUnchanged() {
        byte[] garbage = {(byte) 0xff, 0x00, '{', (byte) 0xc3};
        KinesisBronzeDeserializer deserializer = new KinesisBronzeDeserializer();

        RowData empty = deserialize(deserializer, record(SdkBytes.fromByteArray(new byte[0]), Instant.EPOCH)).get(0);
        RowData missing = deserialize(deserializer, record(null, null)).get(0);
        RowData binary = deserialize(deserializer, record(SdkBytes.fromByteArray(garbage), Instant.EPOCH)).get(0);

        assertThat(empty.getBinary(KinesisBronzeDeserializer.RECORD_DATA)).isEmpty();
        assertThat(missing.isNullAt(KinesisBronzeDeserializer.RECORD_DATA)).isTrue();
        assertThat(missing.isNullAt(KinesisBronzeDeserializer.APPROXIMATE_ARRIVAL_TS)).isTrue();
        assertThat(binary.getBinary(KinesisBronzeDeserializer.RECORD_DATA)).isEqualTo(garbage);
    }

    @Test
    void dataIsACopyNotTheSdkBuffer() {
        byte[] data = {1, 2, 3};
        // Wraps data without copying, as the SDK does with a response buffer.
        SdkBytes bytes = SdkBytes.fromByteArrayUnsafe(data);

        RowData row = deserialize(new KinesisBronzeDeserializer(), record(bytes, Instant.EPOCH)).get(0);
        data[0] = 9;

        assertThat(row.getBinary(KinesisBronzeDeserializer.RECORD_DATA)).containsExactly(1, 2, 3);
    }

    @Test
    void countsRecordsAndDataBytes() {
        Map<String, Counter> counters = new HashMap<>();
        MetricGroup group = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return counters.computeIfAbsent(name, n -> new SimpleCounter());
            }
        };
        KinesisBronzeDeserializer deserializer = new KinesisBronzeDeserializer();
        deserializer.open(new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                throw new UnsupportedOperationException("not used by the deserializer");
            }
        });

        deserialize(deserializer, record(SdkBytes.fromByteArray(new byte[10]), Instant.EPOCH));
        deserialize(deserializer, record(SdkBytes.fromByteArray(new byte[0]), Instant.EPOCH));
        deserialize(deserializer, record(null, Instant.EPOCH));

        assertThat(counters.get("bronzeRecords").getCount()).isEqualTo(3);
        assertThat(counters.get("bronzeValueBytes").getCount()).isEqualTo(10);
    }
}
