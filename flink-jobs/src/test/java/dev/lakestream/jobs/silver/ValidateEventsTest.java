package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.RawRecord;
import dev.lakestream.jobs.silver.datasets.FulfillmentEvents;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Each input leaves once: valid as a silver row, rejected as a quarantine row with its raw payload. */
class ValidateEventsTest {

    /** A stand-in bronze row: (source, partition, position, payload), read back by the RawRecords below. */
    private static final BronzeSource.RawRecords RAW = row -> new RawRecord(
            row.getString(0).toString(), row.getString(1).toString(), row.getString(2).toString(),
            row.isNullAt(3) ? null : row.getBinary(3), 5_000L);

    private static RowData bronze(String position, String payload) {
        return GenericRowData.of(StringData.fromString("fulfillment-events"), StringData.fromString("shardId-000000000001"),
                StringData.fromString(position), payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void validRowsGoOutRejectedRowsGoToQuarantine() throws Exception {
        ValidateEvents function = new ValidateEvents(RAW, new EventValidator(FulfillmentEvents.SCHEMA, 1024));
        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(function))) {
            harness.open();
            harness.processElement(bronze("100", "{\"event_id\":\"f-1\",\"facility_id\":\"fc-1\",\"event_type\":\"packed\","
                    + "\"units\":2,\"event_ts\":\"2026-11-20T09:00:00Z\"}"), 0);
            harness.processElement(bronze("101", "{\"event_id\":\"f-2\",\"facility_id\":\"fc-1\",\"event_type\":\"packed\","
                    + "\"units\":\"seven\",\"event_ts\":\"2026-11-20T09:00:00Z\"}"), 0);
            harness.processElement(bronze("102", null), 0);

            List<RowData> valid = harness.extractOutputValues();
            assertThat(valid).hasSize(1);
            assertThat(valid.get(0).getString(0).toString()).isEqualTo("f-1");

            List<RowData> quarantined = harness.getSideOutput(ValidateEvents.QUARANTINE).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(quarantined).hasSize(2);
            RowData wrongType = quarantined.get(0);
            assertThat(wrongType.getString(0).toString()).isEqualTo("fulfillment-events");
            assertThat(wrongType.getString(1).toString()).isEqualTo("shardId-000000000001");
            assertThat(wrongType.getString(2).toString()).isEqualTo("101");
            assertThat(new String(wrongType.getBinary(3), StandardCharsets.UTF_8)).contains("\"seven\"");
            assertThat(wrongType.getInt(4)).isEqualTo(wrongType.getBinary(3).length);
            assertThat(wrongType.getString(5).toString()).isEqualTo("WRONG_TYPE");
            assertThat(wrongType.getString(6).toString()).isEqualTo("units");
            assertThat(wrongType.getString(7).toString()).contains("units must be a whole number");
            assertThat(wrongType.getString(8).toString()).isEqualTo("f-2");
            assertThat(wrongType.getTimestamp(9, 6)).isEqualTo(TimestampData.fromEpochMillis(5_000L));
            assertThat(wrongType.isNullAt(10)).isFalse();

            RowData nullPayload = quarantined.get(1);
            assertThat(nullPayload.isNullAt(3)).isTrue();
            assertThat(nullPayload.isNullAt(4)).isTrue();
            assertThat(nullPayload.getString(5).toString()).isEqualTo("NULL_PAYLOAD");
            assertThat(nullPayload.isNullAt(6)).isTrue();
        }
    }
}
