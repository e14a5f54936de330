package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.LateEventRouter;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RollingFeaturesTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long DAY0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> harness(FeatureSet<?> set)
            throws Exception {
        return harness(set, RollingFeatures.MAX_OPEN, RollingFeatures.DEFAULT_MAX_WAITING);
    }

    /**
     * Each event time fires on its own (a firing interval of 1 ms), so that rows come at each time's
     * watermark, as the tests of the features' semantics expect.
     *
     * @param maxOpen entities kept in memory during a watermark's timers before they are written back
     * @param maxWaiting inputs held in memory before they are written to state
     */
    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> harness(FeatureSet<?> set, int maxOpen,
            int maxWaiting) throws Exception {
        return harness(set, maxOpen, maxWaiting, 1);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> harness(FeatureSet<?> set, int maxOpen,
            int maxWaiting, long fireInterval) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new RollingFeatures.Operator(new RollingFeatures(set, "orders", maxOpen, maxWaiting, fireInterval)),
                in -> in.entity, Types.STRING);
    }

    private static FeatureInput input(String entity, long ts, long countedAt, long... deltas) {
        FeatureInput in = new FeatureInput();
        in.entity = entity;
        in.eventTsMillis = ts;
        in.bucketTsMillis = countedAt;
        in.deltas = deltas;
        in.eventId = entity + "@" + ts;
        in.sourceName = "orders";
        in.sourcePartition = "0";
        in.sourcePosition = String.valueOf(ts);
        return in;
    }

    private static List<String> rows(KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> h) {
        return h.extractOutputValues().stream().map(FeatureOracle::format).collect(Collectors.toList());
    }

    @Test
    void rowsComeAtEachEventAndWhenADayLeavesAWindowAndTheKeyIsDroppedAfterTheLongestWindow() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        try (var h = harness(set)) {
            h.open();
            // Placed on day 0 (100.00), cancelled on day 2 (counts in day 0), another order on day 3 (50.00).
            h.processElement(input("7", DAY0 + 10 * HOUR, DAY0 + 10 * HOUR, 1, 10_000, 0), DAY0 + 10 * HOUR);
            h.processElement(input("7", DAY0 + 2 * DAY + 9 * HOUR, DAY0 + 10 * HOUR, 0, 0, 1), DAY0 + 2 * DAY + 9 * HOUR);
            h.processElement(input("7", DAY0 + 3 * DAY + 12 * HOUR, DAY0 + 3 * DAY + 12 * HOUR, 1, 5_000, 0), DAY0 + 3 * DAY);
            assertThat(h.numEventTimeTimers()).as("one timer per waiting event time").isEqualTo(3);
            assertThat(h.extractOutputValues()).as("nothing before the watermark").isEmpty();

            h.processWatermark(DAY0 + 3 * DAY + 12 * HOUR);
            // order_count 7/30/90, revenue 7/30/90, avg 7/30/90, cancelled_ratio 7/30/90
            assertThat(rows(h)).containsExactly(
                    "7 2026-01-01T10:00 1 1 1 100.00 100.00 100.00 100.00 100.00 100.00 0.0 0.0 0.0",
                    "7 2026-01-03T09:00 1 1 1 100.00 100.00 100.00 100.00 100.00 100.00 1.0 1.0 1.0",
                    "7 2026-01-04T12:00 2 2 2 150.00 150.00 150.00 75.00 75.00 75.00 0.5 0.5 0.5");
            h.getOutput().clear();

            h.processWatermark(DAY0 + 200 * DAY);
            assertThat(rows(h)).containsExactly(
                    "7 2026-01-08T00:00 1 2 2 50.00 150.00 150.00 50.00 75.00 75.00 0.0 0.5 0.5",
                    "7 2026-01-11T00:00 0 2 2 0.00 150.00 150.00 null 75.00 75.00 null 0.5 0.5",
                    "7 2026-01-31T00:00 0 1 2 0.00 50.00 150.00 null 50.00 75.00 null 0.0 0.5",
                    "7 2026-02-03T00:00 0 0 2 0.00 0.00 150.00 null null 75.00 null null 0.5",
                    "7 2026-04-01T00:00 0 0 1 0.00 0.00 50.00 null null 50.00 null null 0.0",
                    "7 2026-04-04T00:00 0 0 0 0.00 0.00 0.00 null null null null null null");
            assertThat(h.numKeyedStateEntries()).as("state of a key 90 days idle").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aWindowHoldsTodayUpToTheRowsTimeAndTheWholeDaysBefore() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        try (var h = harness(set)) {
            h.open();
            h.processElement(input("1", DAY0 + DAY - 1, DAY0 + DAY - 1, 1, 100, 0), 0);
            h.processElement(input("1", DAY0 + 7 * DAY + 23 * HOUR, DAY0 + 7 * DAY + 23 * HOUR, 1, 100, 0), 0);
            h.processWatermark(DAY0 + 8 * DAY);
            assertThat(rows(h)).extracting(r -> r.split(" ")[1] + " " + r.split(" ")[2]).containsExactly(
                    "2026-01-01T23:59:59.999 1",
                    // Day 0 is in the 7-day window through day 6, out from day 7 00:00.
                    "2026-01-08T00:00 0",
                    // The 7-day window at day 7 23:00 is days 1..7: day 0's order is out.
                    "2026-01-08T23:00 1");
        }
    }

    @Test
    void inputsAtTheSameTimeGiveOneRowWhateverTheirOrder() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        List<List<String>> outputs = new ArrayList<>();
        for (int order = 0; order < 2; order++) {
            try (var h = harness(set)) {
                h.open();
                List<FeatureInput> same = new ArrayList<>(List.of(input("3", DAY0, DAY0, 1, 700, 0),
                        input("3", DAY0, DAY0, 1, 300, 1), input("3", DAY0, DAY0, 1, 1000, 0)));
                if (order == 1) {
                    Collections.reverse(same);
                }
                for (FeatureInput in : same) {
                    h.processElement(in, DAY0);
                }
                h.processWatermark(DAY0 + HOUR);
                outputs.add(rows(h));
            }
        }
        assertThat(outputs.get(0)).containsExactly("3 2026-01-01T00:00 3 3 3 20.00 20.00 20.00 6.67 6.67 6.67"
                + " 0.3333333333333333 0.3333333333333333 0.3333333333333333");
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0));
    }

    @Test
    void anInputArrivingAfterTheWatermarkPassedItGoesToLateEventsAndChangesNothing() throws Exception {
        try (var h = harness(FeatureDefinitions.CUSTOMER)) {
            h.open();
            h.processElement(input("9", DAY0, DAY0, 1, 100, 0), DAY0);
            h.processWatermark(DAY0 + DAY);
            h.getOutput().clear();
            h.processElement(input("9", DAY0 + DAY - 5, DAY0 + DAY - 5, 1, 100, 0), DAY0 + DAY - 5);
            h.processWatermark(DAY0 + 2 * DAY);

            List<StreamRecord<RowData>> late = new ArrayList<>(h.getSideOutput(LateEventRouter.LATE));
            assertThat(late).hasSize(1);
            assertThat(late.get(0).getValue().getString(1).toString()).isEqualTo("9@" + (DAY0 + DAY - 5));
            assertThat(late.get(0).getValue().getLong(4)).as("lateness ms").isEqualTo(5);
            assertThat(rows(h)).as("no row for the late input").isEmpty();
        }
    }

    @Test
    void anInputCountedInADayPastEveryWindowMakesARowButCountsNowhere() throws Exception {
        try (var h = harness(FeatureDefinitions.CUSTOMER)) {
            h.open();
            // A cancellation today of an order placed 100 days ago.
            h.processElement(input("5", DAY0 + 100 * DAY, DAY0, 0, 0, 1), DAY0);
            h.processWatermark(DAY0 + 200 * DAY);
            assertThat(rows(h)).containsExactly("5 2026-04-11T00:00 0 0 0 0.00 0.00 0.00 null null null null null null");
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /** Random inputs of 30 customers over 120 days, each arriving up to 6 hours out of order. */
    private static List<FeatureInput> history(long seed) {
        Random random = new Random(seed);
        List<FeatureInput> inputs = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            long ts = DAY0 + (long) (random.nextDouble() * 120 * DAY);
            boolean cancel = random.nextInt(5) == 0;
            long countedAt = cancel ? ts - (long) (random.nextDouble() * 40 * DAY) : ts;
            inputs.add(cancel ? input(String.valueOf(100 + random.nextInt(30)), ts, countedAt, 0, 0, 1)
                    : input(String.valueOf(100 + random.nextInt(30)), ts, countedAt, 1, 100 + random.nextInt(100_000), 0));
        }
        inputs.sort(Comparator.comparingLong(in -> in.eventTsMillis));
        return inputs;
    }

    /** {@code count} random inputs of {@code facilities} facilities over {@code days} days, in event-time order. */
    private static List<FeatureInput> facilityHistory(long seed, int count, int facilities, int days) {
        Random random = new Random(seed);
        List<FeatureInput> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long ts = DAY0 + (long) (random.nextDouble() * days * DAY);
            inputs.add(input("FC-" + random.nextInt(facilities), ts, ts, 1 + random.nextInt(20)));
        }
        inputs.sort(Comparator.comparingLong(in -> in.eventTsMillis));
        return inputs;
    }

    /** Feeds inputs as a source would: in {@code arrival} order, with a watermark {@code bound} behind the newest. */
    private static List<String> run(FeatureSet<?> set, List<FeatureInput> arrival, long bound, long end) throws Exception {
        try (var h = harness(set)) {
            h.open();
            long newest = Long.MIN_VALUE;
            for (FeatureInput in : arrival) {
                h.processElement(in, in.eventTsMillis);
                newest = Math.max(newest, in.eventTsMillis);
                h.processWatermark(newest - bound);
            }
            h.processWatermark(end);
            assertThat(h.getSideOutput(LateEventRouter.LATE)).as("late inputs").isNull();
            return rows(h);
        }
    }

    @Test
    void outOfOrderArrivalWithinTheBoundGivesTheSameRowsAsInOrderAndEqualsARecomputation() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        List<FeatureInput> inOrder = history(42);
        long bound = 6 * HOUR;
        // Shuffle within the bound: each input may be overtaken by any input up to 6 hours newer.
        Random random = new Random(7);
        java.util.Map<FeatureInput, Long> arrival = new java.util.IdentityHashMap<>();
        inOrder.forEach(in -> arrival.put(in, in.eventTsMillis + (long) (random.nextDouble() * bound)));
        List<FeatureInput> shuffled = new ArrayList<>(inOrder);
        shuffled.sort(Comparator.comparingLong(arrival::get));
        assertThat(shuffled).as("actually out of order").isNotEqualTo(inOrder);

        long end = DAY0 + 120 * DAY + 12 * HOUR;
        List<String> ordered = run(set, inOrder, bound, end);
        List<String> outOfOrder = run(set, shuffled, bound, end);
        List<String> expected = FeatureOracle.rows(set, inOrder, end);
        assertThat(ordered).hasSizeGreaterThan(3_000);
        assertThat(sortedByEntity(ordered)).isEqualTo(expected);
        // Per entity, the same rows in the same order (entities interleave as the watermark moved).
        assertThat(sortedByEntity(outOfOrder)).isEqualTo(sortedByEntity(ordered));
    }

    private static List<String> sortedByEntity(List<String> rows) {
        // The harness interleaves entities by time; the oracle lists them entity by entity.
        List<String> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((String r) -> r.split(" ")[0]));
        return sorted;
    }

    @Test
    void writingBackAfterEveryEntityOrOnceAWatermarkGivesTheRowsOfARecomputation() throws Exception {
        // Watermarks every 200 inputs: each fires the timers of many times of many entities at once.
        // Waiting inputs written to state after every input (1), every few, or only at the cap.
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        List<FeatureInput> inputs = history(11);
        long end = DAY0 + 120 * DAY + 12 * HOUR;
        List<String> expected = FeatureOracle.rows(set, inputs, end);
        int[][] limits = {{1, 1}, {7, 5}, {RollingFeatures.MAX_OPEN, 1}, {1, RollingFeatures.DEFAULT_MAX_WAITING},
                {RollingFeatures.MAX_OPEN, RollingFeatures.DEFAULT_MAX_WAITING}};
        for (int[] limit : limits) {
            int maxOpen = limit[0];
            try (var h = harness(set, maxOpen, limit[1])) {
                h.open();
                for (int i = 0; i < inputs.size(); i++) {
                    h.processElement(inputs.get(i), inputs.get(i).eventTsMillis);
                    if (i % 200 == 199) {
                        h.processWatermark(inputs.get(i).eventTsMillis - HOUR);
                    }
                }
                h.processWatermark(end);
                assertThat(sortedByEntity(rows(h))).as("maxOpen %d, maxWaiting %d", maxOpen, limit[1]).isEqualTo(expected);
            }
        }
    }

    @Test
    void aRestoredOperatorContinuesWithTheStateWrittenBackBeforeTheSnapshot() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.FACILITY;
        List<FeatureInput> inputs = facilityHistory(9, 1_500, 5, 50);
        long end = DAY0 + 90 * DAY;
        List<String> rows = new ArrayList<>();
        OperatorSubtaskState snapshot;
        int half = inputs.size() / 2;
        try (var h = harness(set, 2, RollingFeatures.DEFAULT_MAX_WAITING)) {
            h.open();
            for (int i = 0; i < half; i++) {
                h.processElement(inputs.get(i), inputs.get(i).eventTsMillis);
                if (i % 100 == 99) {
                    h.processWatermark(inputs.get(i).eventTsMillis - 2 * HOUR);
                }
            }
            snapshot = h.snapshot(1, 1);
            rows.addAll(rows(h));
        }
        try (var h = harness(set, 2, RollingFeatures.DEFAULT_MAX_WAITING)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = half; i < inputs.size(); i++) {
                h.processElement(inputs.get(i), inputs.get(i).eventTsMillis);
            }
            h.processWatermark(end);
            rows.addAll(rows(h));
        }
        assertThat(sortedByEntity(rows)).isEqualTo(FeatureOracle.rows(set, inputs, end));
    }

    /**
     * Inputs waiting at a snapshot are in state after the restore, not in memory: a later input at
     * the same time joins them, and their timer takes them out of state. On RocksDB, whose key
     * iteration finds the restored inputs.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, RollingFeatures.DEFAULT_MAX_WAITING})
    void inputsWaitingAtASnapshotAreJoinedByLaterOnesAtTheSameTimeAfterTheRestore(int maxWaiting) throws Exception {
        FeatureSet<?> set = FeatureDefinitions.CUSTOMER;
        long t = DAY0 + 10 * DAY + 5 * HOUR;
        List<FeatureInput> before = List.of(input("11", t, t, 1, 100, 0), input("12", t + 1, t + 1, 1, 7, 1));
        List<FeatureInput> after = List.of(input("11", t, t, 1, 50, 0), input("11", t + 2, t + 2, 1, 1, 0),
                input("12", t + 1, t + 1, 1, 3, 1));
        long end = t + 200 * DAY;
        OperatorSubtaskState snapshot;
        try (var h = harness(set, RollingFeatures.MAX_OPEN, maxWaiting)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            for (FeatureInput in : before) {
                h.processElement(in, in.eventTsMillis);
            }
            h.processWatermark(t - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(set, RollingFeatures.MAX_OPEN, maxWaiting)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.initializeState(snapshot);
            h.open();
            for (FeatureInput in : after) {
                h.processElement(in, in.eventTsMillis);
            }
            h.processWatermark(end);
            List<FeatureInput> all = new ArrayList<>(before);
            all.addAll(after);
            assertThat(sortedByEntity(rows(h))).isEqualTo(FeatureOracle.rows(set, all, end));
            // Every input fired and every bucket left: nothing stays in state.
            KeyedStateBackend<String> backend = ((RollingFeatures.Operator) h.getOperator()).getKeyedStateBackend();
            for (String state : new String[] {"pending-by-interval", "pending", "buckets", "summary"}) {
                try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                    assertThat(keys).as(state).isEmpty();
                }
            }
        }
    }

    @Test
    void hourBucketsOfTheFacilitySetEqualARecomputation() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.FACILITY;
        List<FeatureInput> inputs = facilityHistory(3, 2_000, 4, 40);
        long end = DAY0 + 60 * DAY;
        List<String> rows = run(set, inputs, 0, end);
        assertThat(sortedByEntity(rows)).isEqualTo(FeatureOracle.rows(set, inputs, end));
        assertThat(rows).anyMatch(r -> r.startsWith("FC-1 ") && r.contains(":00 "));
    }

    /**
     * With a firing interval, the inputs of an entity's interval fire together at its end, and give
     * the rows that each of their times gave firing on its own: arriving out of order, spilled to
     * state (1 or 40 inputs in memory at most, or the default), across a snapshot and restore on
     * RocksDB, for intervals of a second, a minute and the whole (hour) bucket.
     */
    @ParameterizedTest
    @ValueSource(longs = {1_000, 60_000, 3_600_000})
    void inputsFiringTogetherPerIntervalGiveTheRowsOfEachTimeOnItsOwn(long interval) throws Exception {
        FeatureSet<?> set = FeatureDefinitions.FACILITY;
        // 6,000 inputs of 3 facilities over 2 days: about 40 per facility and hour, some at the same millisecond.
        List<FeatureInput> inOrder = facilityHistory(17, 6_000, 3, 2);
        for (int i = 10; i < inOrder.size(); i += 10) {
            FeatureInput same = inOrder.get(i - 1);
            inOrder.set(i, input(same.entity, same.eventTsMillis, same.eventTsMillis, 3));
        }
        long bound = 2 * HOUR;
        Random random = new Random(interval);
        java.util.Map<FeatureInput, Long> arrival = new java.util.IdentityHashMap<>();
        inOrder.forEach(in -> arrival.put(in, in.eventTsMillis + (long) (random.nextDouble() * bound)));
        List<FeatureInput> shuffled = new ArrayList<>(inOrder);
        shuffled.sort(Comparator.comparingLong(arrival::get));
        long end = DAY0 + 100 * DAY;
        List<String> expected = FeatureOracle.rows(set, inOrder, end);
        assertThat(expected).hasSizeGreaterThan(5_000);

        for (int maxWaiting : new int[] {1, 40, RollingFeatures.DEFAULT_MAX_WAITING}) {
            List<String> rows = new ArrayList<>();
            OperatorSubtaskState snapshot;
            int half = shuffled.size() / 2;
            long newest = Long.MIN_VALUE;
            try (var h = harness(set, 3, maxWaiting, interval)) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
                h.open();
                for (int i = 0; i < half; i++) {
                    FeatureInput in = shuffled.get(i);
                    h.processElement(in, in.eventTsMillis);
                    newest = Math.max(newest, in.eventTsMillis);
                    if (i % 100 == 99) {
                        h.processWatermark(newest - bound);
                    }
                }
                snapshot = h.snapshot(1, 1);
                rows.addAll(rows(h));
            }
            try (var h = harness(set, 3, maxWaiting, interval)) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
                h.initializeState(snapshot);
                h.open();
                for (int i = half; i < shuffled.size(); i++) {
                    FeatureInput in = shuffled.get(i);
                    h.processElement(in, in.eventTsMillis);
                    newest = Math.max(newest, in.eventTsMillis);
                    if (i % 100 == 99) {
                        h.processWatermark(newest - bound);
                    }
                }
                h.processWatermark(end);
                assertThat(h.getSideOutput(LateEventRouter.LATE)).as("late inputs").isNull();
                rows.addAll(rows(h));
                assertThat(h.numEventTimeTimers()).isZero();
                KeyedStateBackend<String> backend = ((RollingFeatures.Operator) h.getOperator()).getKeyedStateBackend();
                for (String state : new String[] {"pending-by-interval", "buckets", "summary"}) {
                    try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                        assertThat(keys).as("%s after every bucket left", state).isEmpty();
                    }
                }
            }
            assertThat(sortedByEntity(rows)).as("interval %d ms, maxWaiting %d", interval, maxWaiting).isEqualTo(expected);
        }
    }

    @Test
    void anEntityHasOneTimerPerIntervalWithInputsNotOnePerEventTime() throws Exception {
        FeatureSet<?> set = FeatureDefinitions.FACILITY;
        try (var h = harness(set, RollingFeatures.MAX_OPEN, RollingFeatures.DEFAULT_MAX_WAITING, 60_000)) {
            h.open();
            // 120 inputs a second apart over two minutes (10:00:00.5 to 10:01:59.5): two intervals.
            for (int i = 0; i < 120; i++) {
                long ts = DAY0 + 10 * HOUR + i * 1_000L + 500;
                h.processElement(input("FC-1", ts, ts, 1), ts);
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            h.processWatermark(DAY0 + 10 * HOUR + 60_000);
            assertThat(rows(h)).as("the first minute's 60 times, each with its own row").hasSize(60)
                    .first().asString().startsWith("FC-1 2026-01-01T10:00:00.500 ");
            h.processWatermark(DAY0 + 10 * HOUR + 119_999);
            assertThat(rows(h)).as("nothing before the watermark passes the second interval's end").hasSize(60);
            h.processWatermark(DAY0 + 10 * HOUR + 120_000);
            assertThat(rows(h)).hasSize(120).last().asString().startsWith("FC-1 2026-01-01T10:01:59.500 ");
        }
    }

    @Test
    void aFiringIntervalThatDoesNotDivideTheBucketIsRefused() {
        assertThatThrownBy(() -> new RollingFeatures(FeatureDefinitions.FACILITY, "f", 1, 1, 7 * 60_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a positive divisor of the bucket (3600000 ms), got 420000 ms");
    }

    @Test
    void aWindowAddedByANewDefinitionIsSummedFromTheBucketsInState() throws Exception {
        FeatureSet<FeatureInput> before = testSet(Duration.ofDays(7), Duration.ofDays(30));
        FeatureSet<FeatureInput> after = testSet(Duration.ofDays(7), Duration.ofDays(14), Duration.ofDays(30));
        List<FeatureInput> inputs = history(5).stream().map(in -> input(in.entity, in.eventTsMillis, in.bucketTsMillis, in.deltas[0]))
                .collect(Collectors.toList());
        long upgradeAt = DAY0 + 60 * DAY;
        long end = DAY0 + 121 * DAY;
        OperatorSubtaskState savepoint;
        try (var h = harness(before)) {
            h.open();
            for (FeatureInput in : inputs) {
                if (in.eventTsMillis <= upgradeAt) {
                    h.processElement(in, in.eventTsMillis);
                }
            }
            h.processWatermark(upgradeAt);
            savepoint = h.snapshot(1, 1);
        }
        try (var h = harness(after)) {
            h.initializeState(savepoint);
            h.open();
            for (FeatureInput in : inputs) {
                if (in.eventTsMillis > upgradeAt) {
                    h.processElement(in, in.eventTsMillis);
                }
            }
            h.processWatermark(end);
            List<String> expected = FeatureOracle.rows(after, inputs, end).stream()
                    .filter(r -> time(r) > upgradeAt).collect(Collectors.toList());
            List<String> actual = sortedByEntity(rows(h));
            assertThat(actual).hasSizeGreaterThan(500);
            // Every row after the upgrade equals the recomputation with the new window ...
            assertThat(expected).containsAll(actual);
            // ... and the only rows missing are changes of the new window before the entity's first row
            // after the upgrade: the function meets an entity's state only at that entity's timers.
            java.util.Map<String, Long> first = new java.util.HashMap<>();
            actual.forEach(r -> first.merge(r.split(" ")[0], time(r), Math::min));
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(actual);
            assertThat(missing).allMatch(r -> time(r) < first.getOrDefault(r.split(" ")[0], Long.MAX_VALUE));
            assertThat(missing).hasSizeLessThanOrEqualTo(30);
        }
    }

    private static long time(String row) {
        return java.time.LocalDateTime.parse(row.split(" ")[1]).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    private static FeatureSet<FeatureInput> testSet(Duration... windows) {
        return FeatureSet.<FeatureInput>builder("test_features", "entity", FeatureSet.EntityType.STRING, "Entity")
                .from(FeatureSet.Source.FULFILLMENT_EVENTS)
                .entity(in -> in.entity)
                .buckets(Duration.ofDays(1))
                .windows(windows)
                .measure("orders", 0, in -> in.deltas[0])
                .feature("orders_{window}", FeatureSet.Aggregation.SUM, "Orders", "orders")
                .build();
    }

    @Test
    void aDefinitionThatCannotWorkFailsNamingTheProblem() {
        assertThatThrownBy(() -> FeatureSet.<FeatureInput>builder("bad", "entity", FeatureSet.EntityType.STRING, "Entity")
                .from(FeatureSet.Source.FULFILLMENT_EVENTS)
                .entity(in -> in.entity)
                .buckets(Duration.ofHours(5))
                .windows(Duration.ofDays(7))
                .measure("orders", 0, in -> in.deltas[0])
                .feature("orders_{window}", FeatureSet.Aggregation.SUM, "Orders", "orders")
                .build())
                .hasMessageContaining("buckets(...) must divide a day");
        assertThatThrownBy(() -> FeatureSet.<FeatureInput>builder("bad", "entity", FeatureSet.EntityType.STRING, "Entity")
                .measure("orders", 0, in -> in.deltas[0])
                .feature("avg_{window}", FeatureSet.Aggregation.AVERAGE, "Avg", "revenue", "orders"))
                .hasMessageContaining("uses measure 'revenue', which is not declared before it; declared: [orders]");
    }
}
