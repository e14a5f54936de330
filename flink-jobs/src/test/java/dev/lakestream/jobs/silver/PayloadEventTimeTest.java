package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.bronze.RawRecord;

import org.apache.flink.table.data.GenericRowData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadEventTimeTest {

    private static final PayloadEventTime EVENT_TS = new PayloadEventTime(
            row -> new RawRecord("t", "0", "1", row.isNullAt(0) ? null : row.getBinary(0), 0L), "event_ts");

    private static long ts(String payload) {
        return EVENT_TS.extractTimestamp(GenericRowData.of((Object) (payload == null ? null
                : payload.getBytes(StandardCharsets.UTF_8))), 42L);
    }

    @Test
    void readsTheEventTimeFieldWhereverItIs() {
        assertThat(ts("{\"event_id\":\"a\",\"nested\":{\"event_ts\":1},\"event_ts\":\"2026-11-20T10:00:00+01:00\"}"))
                .isEqualTo(Instant.parse("2026-11-20T09:00:00Z").toEpochMilli());
        assertThat(ts("{\"event_ts\":1763629200000}")).isEqualTo(1763629200000L);
    }

    @Test
    void recordsWithoutAUsableEventTimeNeverMoveTheWatermark() {
        assertThat(ts(null)).isEqualTo(Long.MIN_VALUE);
        assertThat(ts("{\"event_id\":\"a\"")).isEqualTo(Long.MIN_VALUE);
        assertThat(ts("[1]")).isEqualTo(Long.MIN_VALUE);
        assertThat(ts("{\"event_ts\":\"yesterday\"}")).isEqualTo(Long.MIN_VALUE);
        assertThat(ts("{\"event_ts\":\"2026-11-20T10:00:00\"}")).as("no offset").isEqualTo(Long.MIN_VALUE);
        assertThat(ts("{\"event_ts\":\"2099-01-01T00:00:00Z\"}")).as("a broken client clock").isEqualTo(Long.MIN_VALUE);
    }
}
