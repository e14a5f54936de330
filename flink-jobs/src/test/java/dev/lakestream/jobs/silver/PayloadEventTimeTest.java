package dev.lakestream.jobs.silver;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadEventTimeTest {

    private static final PayloadEventTime EVENT_TS = new PayloadEventTime(1, "event_ts");

    /** A bronze row whose second field is the payload. */
    private static long ts(String payload) {
        return EVENT_TS.extractTimestamp(GenericRowData.of(StringData.fromString("topic"),
                payload == null ? null : payload.getBytes(StandardCharsets.UTF_8)), 42L);
    }

    @Test
    void readsTheEventTimeFieldWhereverItIs() {
        assertThat(ts("{\"event_id\":\"a\",\"nested\":{\"event_ts\":1},\"event_ts\":\"2026-11-20T10:00:00+01:00\"}"))
                .isEqualTo(Instant.parse("2026-11-20T09:00:00Z").toEpochMilli());
        assertThat(ts("{\"event_ts\":1763629200000}")).isEqualTo(1763629200000L);
    }

    /** The clock is read again for a time past the last limit: a time a day ahead stays refused after others. */
    @Test
    void timesAheadOfTheClockAreKeptUpToADay() {
        long now = System.currentTimeMillis();
        PayloadEventTime eventTime = new PayloadEventTime(1, "event_ts");

        assertThat(ts(eventTime, now - 1_000)).isEqualTo(now - 1_000);
        assertThat(ts(eventTime, now + 3_600_000)).isEqualTo(now + 3_600_000);
        assertThat(ts(eventTime, now + 2 * 86_400_000L)).isEqualTo(Long.MIN_VALUE);
        assertThat(ts(eventTime, now + 3_600_000)).isEqualTo(now + 3_600_000);
        assertThat(ts(eventTime, now + 86_400_000L + 60_000)).isEqualTo(Long.MIN_VALUE);
    }

    private static long ts(PayloadEventTime eventTime, long millis) {
        return eventTime.extractTimestamp(GenericRowData.of(StringData.fromString("topic"),
                ("{\"event_ts\":" + millis + "}").getBytes(StandardCharsets.UTF_8)), 42L);
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
