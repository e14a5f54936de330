package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deduplication by event id on RocksDB state: first copy wins, across a restore, until the TTL; the
 * filter of seen ids in front of the state changes no outcome.
 */
class DeduplicateEventsTest {

    private static final Duration TTL = Duration.ofHours(1);

    /** A harness whose state TTL clock the test moves. */
    private static final class Harness extends KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> {
        final DeduplicateEvents function;

        Harness() throws Exception {
            this(new DeduplicateEvents(TTL, SilverOptions.DEDUP_FILTER_IDS.defaultValue()));
        }

        Harness(DeduplicateEvents function) throws Exception {
            super(new DeduplicateEvents.Operator(function), new SilverJob.EventIdSelector(), Types.STRING);
            this.function = function;
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
    void newIdsAreNotLookedUpAndCopiesStillAre() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
            harness.processElement(event("b", "2"), 0);
            harness.processElement(event("a", "3"), 0);

            assertThat(harness.emitted()).containsExactly("a@1", "b@2");
            // Both new ids were answered by the filter (1% false positives: "a" and "b" are not among them).
            assertThat(harness.function.lookupsSkipped()).isEqualTo(2);
        }
    }

    @Test
    void theFilterKnowsTheIdsOfARestoredStateWhateverItsSizeAllowsAndChangesNoOutcome() throws Exception {
        // Generations of 500 ids: 4,000 ids run the filter out of generations (it then steps aside for one
        // TTL). Every outcome must be the one without a filter, across a restore in the middle.
        Random random = new Random(7);
        List<RowData> first = new ArrayList<>();
        List<RowData> second = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String id = "e-" + random.nextInt(4_000);
            (i < 3_000 ? first : second).add(event(id, Integer.toString(i)));
        }
        assertThat(run(0, first, second)).isEqualTo(run(500, first, second)).isEqualTo(run(100_000, first, second))
                .hasSizeLessThan(4_001).hasSizeGreaterThan(3_000);
    }

    /** The rows kept from {@code first}, then a snapshot and restore, then {@code second}. */
    private static List<String> run(int filterIds, List<RowData> first, List<RowData> second) throws Exception {
        List<String> kept = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (Harness harness = new Harness(new DeduplicateEvents(TTL, filterIds))) {
            harness.open();
            for (RowData row : first) {
                harness.processElement(row, 0);
            }
            kept.addAll(harness.emitted());
            snapshot = harness.snapshot(1L, 1L);
        }
        try (Harness restored = new Harness(new DeduplicateEvents(TTL, filterIds))) {
            restored.initializeState(snapshot);
            restored.open();
            for (RowData row : second) {
                restored.processElement(row, 0);
            }
            kept.addAll(restored.emitted());
        }
        return kept;
    }

    @Test
    void anIdIsForgottenOnceItsTtlHasPassed() throws Exception {
        try (Harness harness = new Harness()) {
            harness.open();
            harness.processElement(event("a", "1"), 0);
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
