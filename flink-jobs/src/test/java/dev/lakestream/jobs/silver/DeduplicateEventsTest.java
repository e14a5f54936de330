package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deduplication by event id on RocksDB state: first copy wins, across a restore and a write of the
 * pending ids, until the TTL.
 */
class DeduplicateEventsTest {

    private static final Duration TTL = Duration.ofHours(1);

    /** A harness whose state TTL clock the test moves. */
    private static final class Harness extends KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> {
        final DeduplicateEvents operator;

        Harness() throws Exception {
            this(new DeduplicateEvents(TTL, 1_000));
        }

        Harness(DeduplicateEvents operator) throws Exception {
            super(operator, new SilverJob.EventIdSelector(), Types.STRING);
            this.operator = operator;
            setStateBackend(new EmbeddedRocksDBStateBackend());
            ttlTimeProvider.setCurrentTimestamp(1_000L);
        }

        void ttlClock(long millis) {
            ttlTimeProvider.setCurrentTimestamp(millis);
        }

        List<String> emitted() {
            return extractOutputValues().stream()
                    .map(r -> r.getString(0) + "@" + r.getString(1))
                    .collect(Collectors.toList());
        }
    }

    private static RowData event(String id, String position) {
        return GenericRowData.of(StringData.fromString(id), StringData.fromString(position));
    }

    @Test
    void keepsTheFirstCopyOfEachEventId() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            harness.processElement(event("b", "2"), 0);
            harness.processElement(event("a", "3"), 0);
            harness.processElement(event("a", "4"), 0);

            assertThat(harness.emitted()).containsExactly("a@1", "b@2");
        }
    }

    @Test
    void rememberedIdsSurviveARestoreFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            snapshot = harness.snapshot(1L, 1L);
        }
        try (Harness restored = new Harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(event("a", "2"), 0);
            restored.processElement(event("c", "3"), 0);

            assertThat(restored.emitted()).containsExactly("c@3");
        }
    }

    @Test
    void idsWrittenWhenThePendingSetIsFullAreStillDuplicates() throws Exception {
        try (Harness harness = new Harness(new DeduplicateEvents(TTL, 2))) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            harness.processElement(event("b", "2"), 0);
            assertThat(harness.operator.pendingIds()).isZero();
            harness.processElement(event("c", "3"), 0);
            harness.processElement(event("a", "4"), 0); // from the state
            harness.processElement(event("c", "5"), 0); // pending
            harness.processElement(event("b", "6"), 0); // from the state

            assertThat(harness.emitted()).containsExactly("a@1", "b@2", "c@3");
            assertThat(harness.operator.pendingIds()).isEqualTo(1);
        }
    }

    @Test
    void withOnePendingIdEachIdIsWrittenAtOnce() throws Exception {
        try (Harness harness = new Harness(new DeduplicateEvents(TTL, 1))) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            assertThat(harness.operator.pendingIds()).isZero();
            harness.processElement(event("a", "2"), 0);
            harness.processElement(event("b", "3"), 0);

            assertThat(harness.emitted()).containsExactly("a@1", "b@3");
        }
    }

    @Test
    void aSnapshotWritesThePendingIds() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            assertThat(harness.operator.pendingIds()).isEqualTo(1);
            harness.snapshot(1L, 1L);
            assertThat(harness.operator.pendingIds()).isZero();
            harness.processElement(event("a", "2"), 0);

            assertThat(harness.emitted()).containsExactly("a@1");
        }
    }

    /** A copy of an id the state knows is dropped and not held again (holding it would write it again and renew its TTL). */
    @Test
    void aCopyOfAWrittenIdIsNotHeldAgain() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            harness.snapshot(1L, 1L);
            harness.processElement(event("a", "2"), 0);
            harness.processElement(event("b", "3"), 0);

            assertThat(harness.operator.pendingIds()).isEqualTo(1);
            assertThat(harness.emitted()).containsExactly("a@1", "b@3");
        }
    }

    /**
     * Random ids with copies, with pending sets that drain often, rarely and never (1: written at
     * once), and a snapshot and restore halfway: every variant keeps exactly the first copy of each id.
     */
    @Test
    void everyPendingSizeKeepsTheFirstCopyOfEachIdAcrossARestore() throws Exception {
        Random random = new Random(11);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            ids.add(random.nextInt(5) == 0 && !ids.isEmpty() ? ids.get(random.nextInt(ids.size())) : "e-" + random.nextInt(1_000_000));
        }
        List<String> expected = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (seen.add(ids.get(i))) {
                expected.add(ids.get(i) + "@" + i);
            }
        }
        for (int maxPending : new int[] {1, 2, 7, 1_000, 100_000}) {
            List<String> emitted = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (Harness harness = new Harness(new DeduplicateEvents(TTL, maxPending))) {
                harness.open();
                for (int i = 0; i < ids.size() / 2; i++) {
                    harness.processElement(event(ids.get(i), Integer.toString(i)), 0);
                }
                snapshot = harness.snapshot(1L, 1L);
                emitted.addAll(harness.emitted());
            }
            try (Harness restored = new Harness(new DeduplicateEvents(TTL, maxPending))) {
                restored.initializeState(snapshot);
                restored.open();
                for (int i = ids.size() / 2; i < ids.size(); i++) {
                    restored.processElement(event(ids.get(i), Integer.toString(i)), 0);
                }
                emitted.addAll(restored.emitted());
            }
            assertThat(emitted).as("pending ids %d", maxPending).isEqualTo(expected);
        }
    }

    /**
     * Savepoints of the deduplication before it held pending ids: a KeyedProcessFunction with the same
     * state, whose operator also registered (empty) timer state. Both timer layouts restore into
     * this operator, and the ids they hold are still duplicates.
     */
    @ParameterizedTest
    @EnumSource(EmbeddedRocksDBStateBackend.PriorityQueueStateType.class)
    void restoresSavepointsOfTheKeyedProcessFunctionItReplaced(EmbeddedRocksDBStateBackend.PriorityQueueStateType timers)
            throws Exception {
        OperatorSubtaskState snapshot;
        KeyedProcessOperator<String, RowData, RowData> before = new KeyedProcessOperator<>(new WriteAtOnce());
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> old =
                new KeyedOneInputStreamOperatorTestHarness<>(before, new SilverJob.EventIdSelector(), Types.STRING)) {
            EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
            backend.setPriorityQueueStateType(timers);
            old.setStateBackend(backend);
            old.open();
            old.processElement(event("a", "1"), 0);
            old.processElement(event("b", "2"), 0);
            snapshot = old.snapshot(1L, 1L);
        }
        try (Harness restored = new Harness()) {
            EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
            backend.setPriorityQueueStateType(timers);
            restored.setStateBackend(backend);
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(event("a", "3"), 0);
            restored.processElement(event("c", "4"), 0);
            restored.processElement(event("b", "5"), 0);

            assertThat(restored.emitted()).containsExactly("c@4");
        }
    }

    /** The deduplication as it was up to 3f67b0d: look up, then write each new id at once. */
    private static final class WriteAtOnce extends KeyedProcessFunction<String, RowData, RowData> {
        private transient ValueState<Long> firstSeen;

        @Override
        public void open(Configuration parameters) {
            firstSeen = getRuntimeContext().getState(DeduplicateEvents.stateDescriptor(TTL));
        }

        @Override
        public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
            if (firstSeen.value() == null) {
                firstSeen.update(ctx.timerService().currentProcessingTime());
                out.collect(row);
            }
        }
    }

    @Test
    void pendingIdsAreBounded() {
        assertThatThrownBy(() -> new DeduplicateEvents(TTL, 0)).hasMessageContaining("between 1 and 16777216 pending ids, not 0");
        assertThatThrownBy(() -> new DeduplicateEvents(TTL, PendingIds.MAX_IDS + 1)).hasMessageContaining("not 16777217");
    }

    /** The TTL starts when the id is written to the state: at the latest at the next checkpoint. */
    @Test
    void anIdIsForgottenOnceItsTtlHasPassed() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            harness.snapshot(1L, 1L);
            harness.ttlClock(1_000L + TTL.toMillis() - 1);
            harness.processElement(event("a", "2"), 0);
            harness.ttlClock(1_000L + TTL.toMillis() + 1);
            harness.processElement(event("a", "3"), 0);

            assertThat(harness.emitted()).containsExactly("a@1", "a@3");
        }
    }

    @Test
    void stateIsNamedAndExpiresOnWrite() {
        var descriptor = DeduplicateEvents.stateDescriptor(TTL);

        assertThat(descriptor.getName()).isEqualTo("first-seen-millis");
        assertThat(descriptor.getTtlConfig().isEnabled()).isTrue();
        assertThat(descriptor.getTtlConfig().getTimeToLive()).isEqualTo(TTL);
    }
}
