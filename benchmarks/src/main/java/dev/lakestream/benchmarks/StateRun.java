package dev.lakestream.benchmarks;

import dev.lakestream.jobs.gold.LateEventRouter;
import dev.lakestream.jobs.gold.features.FeatureInput;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;

/**
 * One keyed function on the embedded RocksDB state backend in Flink's operator test harness (a
 * real keyed state backend and timer service, no cluster), with checkpoints written by the
 * file-system checkpoint storage so their size is what a job would upload.
 */
final class StateRun implements AutoCloseable {

    /** Entries and serialized bytes (RocksDB key + value, as the full snapshot writes them) of one state. */
    static final class StateSize {
        long entries;
        long bytes;
    }

    private final KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> harness;
    private final Path checkpoints;
    private long rows;

    StateRun(KeyedProcessFunction<String, FeatureInput, RowData> function, boolean incremental, int rocksDbMemoryMb)
            throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), in -> in.entity, Types.STRING);
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(incremental);
        // The harness gives the backend 3 MiB of managed memory: RocksDB would flush and compact
        // all the time. A fixed budget, as a task slot of a real cluster has, keeps it realistic.
        backend.getMemoryConfiguration().setFixedMemoryPerSlot(MemorySize.ofMebiBytes(rocksDbMemoryMb));
        harness.setStateBackend(backend);
        // The harness' default (JobManager) storage caps a snapshot at 5 MiB; files have no cap.
        checkpoints = Files.createTempDirectory("feature-state-checkpoints");
        harness.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.toUri()));
    }

    void open() throws Exception {
        harness.open();
    }

    /** Starts from {@code snapshot} (of another run) instead of empty state. */
    void restore(OperatorSubtaskState snapshot) throws Exception {
        harness.initializeState(snapshot);
        harness.open();
    }

    /**
     * Feeds every input, a day at a time, each day followed by a watermark at its end; drops the
     * output after each watermark (keeping a million keys' rows would not fit the heap).
     */
    void feed(Workload w) throws Exception {
        for (int day = 0; day < w.dayCount(); day++) {
            int n = w.inputsOn(day);
            for (int i = 0; i < n; i++) {
                harness.processElement(w.input(day, i), w.eventTs(day, i));
            }
            harness.processWatermark(w.watermarkAfter(day));
            Queue<Object> out = harness.getOutput();
            for (Object o : out) {
                if (o instanceof StreamRecord) {
                    rows++;
                }
            }
            out.clear();
            Queue<?> late = harness.getSideOutput(LateEventRouter.LATE);
            if (late != null && !late.isEmpty()) {
                throw new IllegalStateException(late.size() + " inputs of " + w.description + " were late: the workload feeds them wrong");
            }
        }
    }

    /** Feature rows emitted while feeding. */
    long rows() {
        return rows;
    }

    int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    /**
     * Entries and bytes per RocksDB column family (one per state, one for the event-time timers),
     * by iterating them. RocksDBKeyedStateBackend exposes neither its column families nor its
     * database, hence the reflection.
     */
    Map<String, StateSize> stateSizes() throws Exception {
        RocksDBKeyedStateBackend<?> backend = (RocksDBKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        RocksDB db = (RocksDB) field(backend, "db");
        @SuppressWarnings("unchecked")
        Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> states =
                (Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo>) field(backend, "kvStateInformation");
        Map<String, StateSize> sizes = new LinkedHashMap<>();
        for (Map.Entry<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> e : states.entrySet()) {
            ColumnFamilyHandle family = e.getValue().columnFamilyHandle;
            StateSize size = new StateSize();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    size.entries++;
                    size.bytes += it.key().length + it.value().length;
                }
            }
            sizes.put(e.getKey(), size);
        }
        return sizes;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = RocksDBKeyedStateBackend.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    /** A checkpoint: full or incremental as the backend was built; its bytes are {@link OperatorSubtaskState#getStateSize()}. */
    OperatorSubtaskState checkpoint(long id) throws Exception {
        return harness.snapshot(id, Workload.NOW);
    }

    @Override
    public void close() throws Exception {
        try {
            harness.close();
        } finally {
            try (Stream<Path> files = Files.walk(checkpoints)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
