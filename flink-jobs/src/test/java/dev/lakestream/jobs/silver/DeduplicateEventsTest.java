package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Deduplication by event id on RocksDB state: first copy wins, across a restore, until the TTL. */
class DeduplicateEventsTest {

    private static final Duration TTL = Duration.ofHours(1);

    /** A harness whose state TTL clock the test moves. */
    private static final class Harness extends KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> {
        Harness() throws Exception {
            super(new KeyedProcessOperator<>(new DeduplicateEvents(TTL)), new SilverJob.EventIdSelector(), Types.STRING);
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
