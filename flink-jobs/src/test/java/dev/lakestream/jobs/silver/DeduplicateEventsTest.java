package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

        private Harness(DeduplicateEvents operator) throws Exception {
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

    @Test
    void atLeastOnePendingId() {
        assertThatThrownBy(() -> new DeduplicateEvents(TTL, 0)).hasMessageContaining("at least one pending id");
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

    /** The write order is RocksDB's byte order of the keys (key group, then the serialized id) for ASCII ids. */
    @Test
    void pendingIdsAreWrittenInTheStateBackendsKeyOrder() {
        Random random = new Random(7);
        List<Map.Entry<String, DeduplicateEvents.Pending>> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            char[] id = new char[1 + random.nextInt(40)];
            for (int c = 0; c < id.length; c++) {
                id[c] = (char) (' ' + random.nextInt(95));
            }
            ids.add(new AbstractMap.SimpleEntry<>(new String(id), new DeduplicateEvents.Pending(0L, random.nextInt(128))));
        }
        List<Map.Entry<String, DeduplicateEvents.Pending>> byComparator = new ArrayList<>(ids);
        byComparator.sort(DeduplicateEvents.STATE_ORDER);
        List<Map.Entry<String, DeduplicateEvents.Pending>> byBytes = new ArrayList<>(ids);
        byBytes.sort((a, b) -> Arrays.compareUnsigned(keyBytes(a), keyBytes(b)));

        assertThat(byComparator).isEqualTo(byBytes);
    }

    /** The key as RocksDB stores it: one key-group byte (max parallelism 128), then Flink's serialized string. */
    private static byte[] keyBytes(Map.Entry<String, DeduplicateEvents.Pending> id) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeByte(id.getValue().keyGroup);
            StringSerializer.INSTANCE.serialize(id.getKey(), out);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
