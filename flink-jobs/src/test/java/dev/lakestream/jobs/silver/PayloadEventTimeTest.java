package dev.lakestream.jobs.silver;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import dev.lakestream.jobs.localrun.DomainEventGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

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

    /** Reading from the bytes and Jackson's reading agree, whichever form the payload is in. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"event_ts\":\"2026-11-20T10:00:00+01:00\"}",
        "{ \"a\" : 1 ,\n\"event_ts\" :\t\" 2026-11-20T09:00:00Z \" }",
        "{\"event_ts\":1763629200000}",
        "{\"event_ts\":-1}",
        "{\"event_ts\":1763629200000.0}",
        "{\"event_ts\":17636292000000000000}",
        "{\"event_ts\":null}",
        "{\"event_ts\":true}",
        "{\"event_ts\":\"\"}",
        "{\"event_ts\":\"2026-11-20T09:00:00\"}",
        "{\"event_ts\":\"2026-11-20T09:00:00Z\",\"event_ts\":1}",
        "{\"event_ts\":1,\"event_ts\":\"2026-11-20T09:00:00Z\"}",
        "{\"event_ts\":1763629200000 x",
        "{\"a\":{\"event_ts\":1},\"event_ts\":2}",
        "{\"a\":[1],\"event_ts\":2}",
        "{\"a\":\"caf\u00e9\",\"event_ts\":2}",
        "{\"a\":\"x\\\"y\",\"event_ts\":2}",
        "{\"event\\u005fts\":2}",
        "{\"a\":1}",
        "{\"a\":1} trailing",
        "{}",
        "[]",
        "\"event_ts\"",
        "{\"a\":01,\"event_ts\":2}",
        "{\"a\":1 \"event_ts\":2}",
        "{\"a\":1,,\"event_ts\":2}",
        "",
    })
    void bytesAndJacksonAgree(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        PayloadEventTime eventTime = new PayloadEventTime(1, "event_ts");

        assertThat(orMin(eventTime, bytes, false)).as(payload).isEqualTo(orMin(eventTime, bytes, true));
    }

    @Test
    void bytesAndJacksonAgreeOnEveryGeneratedEvent() {
        DomainEventGenerator generator = new DomainEventGenerator(20261123L, Instant.parse("2026-11-20T09:00:00Z"));
        PayloadEventTime eventTime = new PayloadEventTime(1, "event_ts");
        int withTime = 0;
        for (List<DomainEventGenerator.Event> events : List.of(generator.clickstream(10_000), generator.fulfillment(10_000))) {
            for (DomainEventGenerator.Event event : events) {
                if (event.value == null) {
                    continue;
                }
                long read = orMin(eventTime, event.value, false);
                assertThat(read).as(new String(event.value, StandardCharsets.UTF_8)).isEqualTo(orMin(eventTime, event.value, true));
                if (read != Long.MIN_VALUE) {
                    withTime++;
                }
            }
        }
        assertThat(withTime).as("events with a time, of 20,000").isGreaterThan(18_000);
    }

    /** The time read (by Jackson alone, or as the watermarks read it), or none when the payload is not readable. */
    private static long orMin(PayloadEventTime eventTime, byte[] payload, boolean jacksonOnly) {
        try {
            return jacksonOnly ? eventTime.jacksonOf(payload) : eventTime.of(payload);
        } catch (java.io.IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
