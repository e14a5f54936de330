package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SessionizeClicksTest {

    private static final long GAP = Duration.ofMinutes(30).toMillis();
    private static final long MIN = Duration.ofMinutes(1).toMillis();
    private static final long T0 = 1_763_629_200_000L; // 2025-11-20T09:00:00Z

    private static long checkpoint;

    private static KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> harness() throws Exception {
        return harness(GoldOptions.STATE_CACHE_KEYS.defaultValue());
    }

    private static KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> harness(int maxCachedUsers) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> harness = new KeyedOneInputStreamOperatorTestHarness<>(
                SessionizeClicks.operator("clicks", GAP, maxCachedUsers), e -> e.userId, Types.LONG);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    private static ClickEvent click(long user, long ts, String type) {
        ClickEvent e = new ClickEvent();
        e.eventId = user + "@" + ts;
        e.userId = user;
        e.eventType = type;
        e.eventTsMillis = ts;
        e.sourceName = "clicks";
        e.sourcePartition = "0";
        e.sourcePosition = Long.toString(ts);
        return e;
    }

    /**
     * Users with session state in the state backend, after a snapshot has written the operator's
     * cache back (the harness counts entries only on the heap backend).
     */
    private static long stateEntries(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h) throws Exception {
        checkpoint++;
        h.snapshot(checkpoint, checkpoint);
        return storedEntries(h);
    }

    /** Users with session state in the state backend, without writing the cache back. */
    private static long storedEntries(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h) {
        KeyedStateBackend<Long> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        try (var keys = backend.getKeys(SessionizeClicks.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h, ClickEvent e) throws Exception {
        h.processElement(e, e.eventTsMillis);
    }

    /** The session rows written so far (the output without watermarks). */
    private static List<RowData> rows(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h) {
        List<RowData> rows = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) {
                rows.add((RowData) ((StreamRecord<?>) o).getValue());
            }
        }
        return rows;
    }

    /** Sessions written so far: "user start+minutes end+minutes events views adds purchases". */
    private static List<String> sessions(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h) {
        return rows(h).stream().map(r -> r.getLong(0) + " " + minutes(r.getTimestamp(1, 6).getMillisecond()) + " "
                + minutes(r.getTimestamp(2, 6).getMillisecond()) + " " + r.getLong(3) + " " + r.getLong(4) + " "
                + r.getLong(5) + " " + r.getLong(6)).collect(Collectors.toList());
    }

    private static String minutes(long millis) {
        long m = (millis - T0) / MIN;
        return (millis - T0) % MIN == 0 ? Long.toString(m) : String.format("%.3f", (millis - T0) / (double) MIN);
    }

    /** Late rows so far: "event id lateness-ms". */
    private static List<String> late(KeyedOneInputStreamOperatorTestHarness<Long, ClickEvent, RowData> h) {
        List<String> out = new ArrayList<>();
        var records = h.getSideOutput(LateEventRouter.LATE);
        if (records != null) {
            for (StreamRecord<RowData> r : records) {
                out.add(r.getValue().getString(1) + " " + r.getValue().getLong(4));
            }
        }
        return out;
    }

    @Test
    void eventsLessThanTheGapApartAreOneSessionThatFiresOnceWhenTheWatermarkReachesItsEnd() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, click(1, T0, "VIEW"));
            send(h, click(1, T0 + 10 * MIN, "ADD_TO_CART"));
            send(h, click(1, T0 + 39 * MIN, "PURCHASE"));
            send(h, click(1, T0 + 5 * MIN, "VIEW"));
            send(h, click(2, T0 + 2 * MIN, "CHECKOUT"));
            // Exactly one gap after the last event is a new session: 30 minutes passed without one.
            send(h, click(2, T0 + 32 * MIN, "VIEW"));
            assertThat(h.numEventTimeTimers()).as("one timer per user").isEqualTo(2);

            h.processWatermark(new Watermark(T0 + 32 * MIN - 2));
            assertThat(sessions(h)).isEmpty();
            h.processWatermark(new Watermark(T0 + 32 * MIN - 1));
            assertThat(sessions(h)).containsExactly("2 2 32 1 0 0 0");
            h.processWatermark(new Watermark(T0 + 62 * MIN - 1));
            assertThat(sessions(h)).containsExactly("2 2 32 1 0 0 0", "2 32 62 1 1 0 0");
            h.processWatermark(new Watermark(T0 + 69 * MIN - 1));
            assertThat(sessions(h)).containsExactly("2 2 32 1 0 0 0", "2 32 62 1 1 0 0", "1 0 69 4 2 1 1");
            assertThat(late(h)).isEmpty();
        }
    }

    @Test
    void anOutOfOrderEventThatBridgesTwoOpenSessionsMergesThem() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, click(7, T0, "VIEW"));
            send(h, click(7, T0 + 50 * MIN, "VIEW"));
            send(h, click(7, T0 + 120 * MIN, "PURCHASE"));
            send(h, click(7, T0 + 25 * MIN, "ADD_TO_CART"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(sessions(h)).containsExactly("7 0 80 3 2 1 0", "7 120 150 1 0 0 1");
            assertThat(stateEntries(h)).as("state of a user whose sessions all closed").isZero();
        }
    }

    @Test
    void anEventThatWouldJoinAFiredSessionIsLateAndSessionsOfAUserNeverOverlap() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, click(4, T0, "VIEW"));
            h.processWatermark(new Watermark(T0 + 30 * MIN - 1));
            assertThat(sessions(h)).containsExactly("4 0 30 1 1 0 0");
            // Its own window [t, t + gap) is still open, but it overlaps the session that fired.
            send(h, click(4, T0 + 20 * MIN, "PURCHASE"));
            // Its own window has closed.
            send(h, click(4, T0 - 5 * MIN, "VIEW"));
            // After the fired session's end: a session of its own.
            send(h, click(4, T0 + 30 * MIN, "VIEW"));
            // Late by its own window, for a user with an open session and none fired yet.
            send(h, click(6, T0 + 50 * MIN, "VIEW"));
            send(h, click(6, T0 - 10 * MIN, "VIEW"));
            h.processWatermark(new Watermark(T0 + 60 * MIN - 1));
            assertThat(sessions(h)).containsExactly("4 0 30 1 1 0 0", "4 30 60 1 1 0 0");
            assertThat(late(h)).containsExactly("4@" + (T0 + 20 * MIN) + " " + (10 * MIN - 1),
                    "4@" + (T0 - 5 * MIN) + " " + (35 * MIN - 1), "6@" + (T0 - 10 * MIN) + " " + (40 * MIN - 1));
        }
    }

    @Test
    void aGrowingSessionKeepsOneTimerAndTheStateIsGoneOnceNoEventCanJoinAFiredSession() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 20; i++) {
                send(h, click(9, T0 + i * 10 * MIN, "VIEW"));
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(T0 + 100 * MIN));
            assertThat(sessions(h)).isEmpty();
            assertThat(h.numEventTimeTimers()).as("moved to the end the session has now").isEqualTo(1);
            h.processWatermark(new Watermark(T0 + 220 * MIN - 1));
            assertThat(sessions(h)).containsExactly("9 0 220 20 20 0 0");
            assertThat(stateEntries(h)).as("kept while an event could still join the fired session").isEqualTo(1);
            h.processWatermark(new Watermark(T0 + 250 * MIN - 2));
            assertThat(stateEntries(h)).isEqualTo(1);
            h.processWatermark(new Watermark(T0 + 250 * MIN - 1));
            assertThat(stateEntries(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void usersAreWrittenToTheStateBackendBeforeASnapshotAndWhenTheCacheIsFull() throws Exception {
        try (var h = harness(2)) {
            h.open();
            send(h, click(1, T0, "VIEW"));
            assertThat(storedEntries(h)).as("cached, not written yet").isZero();
            send(h, click(2, T0, "VIEW"));
            assertThat(storedEntries(h)).as("two users fill the cache: written and evicted").isEqualTo(2);
            send(h, click(3, T0, "VIEW"));
            assertThat(storedEntries(h)).isEqualTo(2);
            assertThat(stateEntries(h)).as("written by the snapshot").isEqualTo(3);
            // Read back from the state backend after the eviction, and grown.
            send(h, click(1, T0 + 10 * MIN, "PURCHASE"));
            send(h, click(2, T0 + 40 * MIN, "VIEW"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(sessions(h)).containsExactlyInAnyOrder("1 0 40 2 1 0 1", "2 0 30 1 1 0 0", "2 40 70 1 1 0 0",
                    "3 0 30 1 1 0 0");
            assertThat(stateEntries(h)).as("every session fired and nothing can join them").isZero();
        }
    }

    @Test
    void openSessionsAndFiredEndsSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            send(h, click(3, T0, "VIEW"));
            send(h, click(5, T0, "VIEW"));
            h.processWatermark(new Watermark(T0 + 30 * MIN - 1));
            send(h, click(3, T0 + 40 * MIN, "PURCHASE"));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            send(h, click(5, T0 + 10 * MIN, "VIEW"));
            send(h, click(3, T0 + 45 * MIN, "VIEW"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(sessions(h)).containsExactly("3 40 75 2 1 0 1");
            // No watermark has arrived since the restore: the lateness is against the one the session fired at.
            assertThat(late(h)).containsExactly("5@" + (T0 + 10 * MIN) + " " + (20 * MIN - 1));
        }
    }

    /**
     * Random users, out-of-order events and watermarks: every event is in exactly one session or
     * late, a user's sessions never overlap, and with no late events the sessions equal a plain
     * sessionization of the events.
     */
    @Test
    void everyEventLandsOnceAndSessionsEqualAPlainSessionizationWhenNothingIsLate() throws Exception {
        long lateSeen = 0;
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            long bound = seed % 2 == 0 ? 5 * MIN : 40 * MIN;
            // Either far enough behind that nothing is late, or ahead of what has arrived by half the bound.
            long lag = seed % 4 < 2 ? 2 * GAP + bound : -bound / 2;
            List<ClickEvent> events = new ArrayList<>();
            long[] clock = new long[6];
            java.util.Arrays.fill(clock, T0);
            for (int i = 0; i < 400; i++) {
                int user = random.nextInt(clock.length);
                clock[user] += random.nextInt(100) < 20 ? GAP + random.nextLong(2 * GAP) : random.nextLong(GAP);
                events.add(click(user, clock[user], random.nextBoolean() ? "VIEW" : "PURCHASE"));
            }
            // Out of order by up to the bound; the watermark trails the largest time seen by the bound plus the lag.
            List<ClickEvent> arrival = new ArrayList<>(events);
            long[] jitter = new long[arrival.size()];
            for (int i = 0; i < jitter.length; i++) {
                jitter[i] = arrival.get(i).eventTsMillis + random.nextLong(bound + 1);
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < jitter.length; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong(i -> jitter[i]));
            long late;
            long inSessions = 0;
            Map<Long, List<long[]>> byUser = new TreeMap<>();
            // Users' state cached for 1, 2 or all users, and restored from a snapshot now and then.
            int maxCached = seed % 3 == 0 ? 1 : seed % 3 == 1 ? 2 : GoldOptions.STATE_CACHE_KEYS.defaultValue();
            try (var h = new RestartableHarness<>(() -> harness(maxCached))) {
                long maxTs = Long.MIN_VALUE;
                for (int i : order) {
                    ClickEvent e = events.get(i);
                    send(h.harness(), e);
                    maxTs = Math.max(maxTs, e.eventTsMillis);
                    if (random.nextInt(10) == 0) {
                        h.harness().processWatermark(new Watermark(maxTs - bound - lag));
                    }
                    if (random.nextInt(50) == 0) {
                        h.restart();
                    }
                }
                h.harness().processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(h.restarts()).as("seed %d: restores", seed).isPositive();
                late = h.late().size();
                for (RowData r : h.rows()) {
                    inSessions += r.getLong(3);
                    byUser.computeIfAbsent(r.getLong(0), u -> new ArrayList<>()).add(new long[] {
                            r.getTimestamp(1, 6).getMillisecond(), r.getTimestamp(2, 6).getMillisecond(), r.getLong(3)});
                }
                assertThat(stateEntries(h.harness())).isZero();
            }
            assertThat(inSessions + late).as("seed %d: events in sessions plus late", seed).isEqualTo(events.size());
            lateSeen += late;
            for (List<long[]> sessions : byUser.values()) {
                sessions.sort(Comparator.comparingLong(s -> s[0]));
                for (int i = 1; i < sessions.size(); i++) {
                    assertThat(sessions.get(i)[0]).as("seed %d: a session starts after the one before ended", seed)
                            .isGreaterThanOrEqualTo(sessions.get(i - 1)[1]);
                }
            }
            if (lag > 0) {
                assertThat(late).as("seed %d: the watermark trails enough for nothing to be late", seed).isZero();
                assertThat(byUser.entrySet().stream()
                                .flatMap(u -> u.getValue().stream().map(s -> u.getKey() + " " + s[0] + " " + s[1] + " " + s[2]))
                                .collect(Collectors.toList()))
                        .as("seed %d", seed).containsExactlyElementsOf(plainSessions(events));
            }
        }
        assertThat(lateSeen).as("late events across the seeds that run ahead").isPositive();
    }

    /** Per user, sorted by time: events less than the gap apart are one session [first, last + gap). */
    private static List<String> plainSessions(List<ClickEvent> events) {
        Map<Long, List<Long>> byUser = new TreeMap<>();
        events.forEach(e -> byUser.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(e.eventTsMillis));
        List<String> out = new ArrayList<>();
        byUser.forEach((user, times) -> {
            times.sort(Long::compare);
            int from = 0;
            for (int i = 1; i <= times.size(); i++) {
                if (i == times.size() || times.get(i) - times.get(i - 1) >= GAP) {
                    out.add(user + " " + times.get(from) + " " + (times.get(i - 1) + GAP) + " " + (i - from));
                    from = i;
                }
            }
        });
        return out;
    }

    @Test
    void theRowHasTheUserSessionsColumns() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, click(1, T0, "VIEW"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(rows(h)).hasSize(1);
            assertThat(rows(h).get(0).getArity()).isEqualTo(GoldTables.userSessions("").schema().columns().size());
        }
    }
}
