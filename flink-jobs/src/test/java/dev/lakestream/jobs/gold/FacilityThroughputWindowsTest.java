package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FacilityThroughputWindowsTest {

    private static final long MIN = Duration.ofMinutes(1).toMillis();
    private static final long SLIDE = 15 * MIN;
    private static final long LATENESS = 10 * MIN;
    private static final long T0 = 1_763_629_200_000L; // 2025-11-20T09:00:00Z, a slide boundary

    private static KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> harness() throws Exception {
        return harness(EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> harness(
            EmbeddedRocksDBStateBackend.PriorityQueueStateType timers) throws Exception {
        return harness(timers, GoldOptions.STATE_CACHE_KEYS.defaultValue());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> harness(
            EmbeddedRocksDBStateBackend.PriorityQueueStateType timers, int maxCachedFacilities) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> h = new KeyedOneInputStreamOperatorTestHarness<>(
                FacilityThroughputWindows.operator("fulfillment", Duration.ofHours(1), Duration.ofMillis(SLIDE),
                        Duration.ofMillis(LATENESS), maxCachedFacilities), e -> e.facilityId, Types.STRING);
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
        backend.setPriorityQueueStateType(timers);
        h.setStateBackend(backend);
        return h;
    }

    private static int sequence;

    private static FulfillmentEvent event(String facility, long ts, String type, int units) {
        FulfillmentEvent e = new FulfillmentEvent();
        e.eventId = facility + "#" + (sequence++);
        e.facilityId = facility;
        e.eventType = type;
        e.units = units;
        e.eventTsMillis = ts;
        e.sourceName = "fulfillment";
        e.sourcePartition = "0";
        e.sourcePosition = Long.toString(ts);
        return e;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> h, FulfillmentEvent e)
            throws Exception {
        h.processElement(e, e.eventTsMillis);
    }

    /** Rows so far: "facility start+minutes units events shipped damaged final|provisional". */
    private static List<String> rows(KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> h) {
        List<RowData> written = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) {
                written.add((RowData) ((StreamRecord<?>) o).getValue());
            }
        }
        return rows(written);
    }

    private static List<String> rows(List<RowData> written) {
        List<String> rows = new ArrayList<>();
        for (RowData r : written) {
            assertThat(r.getTimestamp(2, 6).getMillisecond() - r.getTimestamp(1, 6).getMillisecond())
                    .as("window length").isEqualTo(Duration.ofHours(1).toMillis());
            rows.add(r.getString(0) + " " + (r.getTimestamp(1, 6).getMillisecond() - T0) / MIN + " " + r.getLong(3) + " "
                    + r.getLong(4) + " " + r.getLong(5) + " " + r.getLong(6) + " " + (r.getBoolean(7) ? "final" : "provisional"));
        }
        return rows;
    }

    /** Late rows so far: "eventId watermark-minutes". */
    private static List<String> late(KeyedOneInputStreamOperatorTestHarness<String, FulfillmentEvent, RowData> h) {
        List<RowData> written = new ArrayList<>();
        var records = h.getSideOutput(LateEventRouter.LATE);
        if (records != null) {
            records.forEach(r -> written.add(r.getValue()));
        }
        return late(written);
    }

    private static List<String> late(List<RowData> written) {
        List<String> late = new ArrayList<>();
        written.forEach(r -> late.add(r.getString(1) + " " + (r.getTimestamp(3, 3).getMillisecond() - T0) / MIN));
        return late;
    }

    @Test
    void aWindowFiresProvisionalAtTheWatermarkAndFinalOnceTheAllowedLatenessHasPassed() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, event("FC-1", T0 + 5 * MIN, "SHIPPED", 3));
            send(h, event("FC-1", T0 + 20 * MIN, "DAMAGED", 2));
            h.processWatermark(new Watermark(T0 + 15 * MIN - 2));
            assertThat(rows(h)).isEmpty();

            // The window [08:15, 09:15) ends: provisional, with the one event in it so far.
            h.processWatermark(new Watermark(T0 + 15 * MIN - 1));
            assertThat(rows(h)).containsExactly("FC-1 -45 3 1 3 0 provisional");

            // Within the allowed lateness: in the final row, not late.
            send(h, event("FC-1", T0 + 14 * MIN, "PICKED", 4));
            h.processWatermark(new Watermark(T0 + 15 * MIN - 1 + LATENESS));
            assertThat(rows(h)).containsExactly("FC-1 -45 3 1 3 0 provisional", "FC-1 -45 7 2 3 0 final");
            assertThat(late(h)).isEmpty();

            // Now the slice [09:00, 09:15) is final for its earliest window: late, with the watermark it met.
            FulfillmentEvent tooLate = event("FC-1", T0 + MIN, "SHIPPED", 1);
            send(h, tooLate);
            assertThat(late(h)).containsExactly(tooLate.eventId + " 14");

            h.getOutput().clear();
            // Windows due for both firings at once get only the final row; every window holding an event fires.
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(rows(h)).containsExactly(
                    "FC-1 -30 9 3 3 2 final", "FC-1 -15 9 3 3 2 final", "FC-1 0 9 3 3 2 final", "FC-1 15 2 1 0 2 final");
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void eachFacilityKeepsOneTimer() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 200; i++) {
                send(h, event("FC-" + (i % 3), T0 + i * MIN, "SHIPPED", 1));
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(3);
            h.processWatermark(new Watermark(T0 + 150 * MIN));
            assertThat(h.numEventTimeTimers()).isEqualTo(3);
        }
    }

    @Test
    void windowsAlreadyFinalStayFinalAfterASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        FulfillmentEvent open = event("FC-1", T0 + 40 * MIN, "SHIPPED", 5);
        try (var h = harness()) {
            h.open();
            send(h, event("FC-1", T0 + 5 * MIN, "SHIPPED", 1));
            send(h, open);
            // Final up to the window ending 09:30: the slice [09:00, 09:15) is final for its earliest window.
            h.processWatermark(new Watermark(T0 + 30 * MIN - 1 + LATENESS));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            // The watermark starts over after a restore; the state still knows what is final.
            FulfillmentEvent tooLate = event("FC-1", T0 + 10 * MIN, "SHIPPED", 7);
            send(h, tooLate);
            send(h, event("FC-1", T0 + 31 * MIN, "DAMAGED", 2));
            assertThat(late(h)).containsExactly(tooLate.eventId + " 29");
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(rows(h)).containsExactly("FC-1 -15 8 3 6 2 final", "FC-1 0 8 3 6 2 final", "FC-1 15 7 2 5 2 final",
                    "FC-1 30 7 2 5 2 final");
        }
    }

    @Test
    void aSlideThatDoesNotDivideTheWindowIsRefused() {
        assertThatThrownBy(() -> FacilityThroughputWindows.operator("f", Duration.ofHours(1), Duration.ofMinutes(7), Duration.ZERO,
                GoldOptions.STATE_CACHE_KEYS.defaultValue()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slide that divides its size");
    }

    /**
     * Random out-of-order events and watermarks for a few facilities: every event is in its four
     * windows' final rows or late, never both or neither; final rows equal a plain computation over the
     * events that were not late; each window has one final row, and its provisional row, if any, before it.
     * Odd seeds keep the timers on the heap ({@code pipeline.timers=HEAP}), even ones in RocksDB; the
     * state of 1, 2 or every facility is cached, and the operator is restored from a snapshot now and then.
     */
    @Test
    void everyEventLandsOnceAndFinalRowsEqualAPlainComputation() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<FulfillmentEvent> sent = new ArrayList<>();
            EmbeddedRocksDBStateBackend.PriorityQueueStateType timers = seed % 2 == 1
                    ? EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP : EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB;
            int maxCached = seed % 3 == 0 ? 1 : seed % 3 == 1 ? 2 : GoldOptions.STATE_CACHE_KEYS.defaultValue();
            try (var run = new RestartableHarness<>(() -> harness(timers, maxCached))) {
                long clock = T0;
                long watermark = Long.MIN_VALUE;
                for (int i = 0; i < 400; i++) {
                    clock += random.nextLong(3 * MIN);
                    long ts = clock - random.nextLong(40 * MIN);
                    String type = random.nextBoolean() ? "SHIPPED" : random.nextBoolean() ? "DAMAGED" : "PICKED";
                    FulfillmentEvent e = event("FC-" + random.nextInt(4), ts, type, 1 + random.nextInt(9));
                    sent.add(e);
                    send(run.harness(), e);
                    if (random.nextInt(10) == 0 && clock - 5 * MIN > watermark) {
                        watermark = clock - 5 * MIN;
                        run.harness().processWatermark(new Watermark(watermark));
                    }
                    if (random.nextInt(50) == 0) {
                        run.restart();
                    }
                }
                run.harness().processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(run.restarts()).as("seed %d: restores", seed).isPositive();

                Set<String> lateIds = new HashSet<>();
                late(run.late()).forEach(l -> lateIds.add(l.split(" ")[0]));
                Map<String, long[]> expected = new TreeMap<>();
                for (FulfillmentEvent e : sent) {
                    if (lateIds.contains(e.eventId)) {
                        continue;
                    }
                    for (long start = Math.floorDiv(e.eventTsMillis, SLIDE) * SLIDE; start > e.eventTsMillis - 4 * SLIDE; start -= SLIDE) {
                        long[] s = expected.computeIfAbsent(e.facilityId + " " + (start - T0) / MIN, k -> new long[4]);
                        s[0] += e.units;
                        s[1]++;
                        s[2] += "SHIPPED".equals(e.eventType) ? e.units : 0;
                        s[3] += "DAMAGED".equals(e.eventType) ? e.units : 0;
                    }
                }
                Map<String, String> finals = new TreeMap<>();
                Map<String, Integer> provisional = new HashMap<>();
                for (String row : rows(run.rows())) {
                    String[] f = row.split(" ");
                    String window = f[0] + " " + f[1];
                    assertThat(finals).as("seed %d: a row after the final one of %s", seed, window).doesNotContainKey(window);
                    if (row.endsWith("final")) {
                        finals.put(window, f[2] + " " + f[3] + " " + f[4] + " " + f[5]);
                    } else {
                        provisional.merge(window, 1, Integer::sum);
                    }
                }
                Map<String, String> plain = new TreeMap<>();
                expected.forEach((k, s) -> plain.put(k, s[0] + " " + s[1] + " " + s[2] + " " + s[3]));
                assertThat(finals).as("seed %d", seed).isEqualTo(plain);
                assertThat(provisional.values()).as("seed %d: one provisional row per window at most", seed).allMatch(n -> n == 1);
                assertThat(lateIds.size() + finals.values().stream().mapToLong(v -> Long.parseLong(v.split(" ")[1])).sum() / 4)
                        .as("seed %d: every event once", seed).isEqualTo(sent.size());
                assertThat(lateIds).as("seed %d: some events are late, so the rule is exercised", seed).isNotEmpty();
            }
        }
    }
}
