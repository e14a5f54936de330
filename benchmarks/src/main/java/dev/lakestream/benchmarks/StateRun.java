package dev.lakestream.benchmarks;

import dev.lakestream.jobs.gold.LateEventRouter;
import dev.lakestream.jobs.gold.features.FeatureInput;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One keyed operator on the embedded RocksDB state backend (incremental checkpoints, as the jobs
 * run it), in Flink's operator test harness: a real keyed state backend and timer service, no
 * cluster. Runs as {@code parallelism} subtasks, each a harness with its share of the key groups
 * on its own thread, as a job's keyed operator does; the state of the operator is the sum of its
 * subtasks'. Checkpoints are written by the file-system checkpoint storage, so their size is what
 * a job would upload.
 */
final class StateRun implements AutoCloseable {

    /** As the jobs leave it (Flink's default): key groups fit one prefix byte. */
    static final int MAX_PARALLELISM = 128;

    /** Entries and serialized bytes (RocksDB key + value) of one state. */
    static final class StateSize {
        long entries;
        long bytes;
    }

    /** Does something with one subtask's harness, on that subtask's thread. */
    private interface SubtaskCall<T> {
        T call(int subtask, KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> harness) throws Exception;
    }

    private final int parallelism;
    private final List<ExecutorService> threads = new ArrayList<>();
    private final List<KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData>> harnesses = new ArrayList<>();
    private final Path checkpoints;
    private long rows;

    /**
     * @param output the serializer of the operator's output: the harness copies each output record
     *     with it, and without one it would use Kryo, which the job never does
     */
    StateRun(Supplier<KeyedProcessOperator<String, FeatureInput, RowData>> operator, TypeSerializer<RowData> output,
            int parallelism, int rocksDbMemoryMb) throws Exception {
        this.parallelism = parallelism;
        this.checkpoints = Files.createTempDirectory("feature-state-checkpoints");
        for (int i = 0; i < parallelism; i++) {
            threads.add(Executors.newSingleThreadExecutor());
            harnesses.add(null);
        }
        try {
            start(operator, output, rocksDbMemoryMb);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void start(Supplier<KeyedProcessOperator<String, FeatureInput, RowData>> operator, TypeSerializer<RowData> output,
            int rocksDbMemoryMb) throws Exception {
        onEach((subtask, none) -> {
            KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> h = new KeyedOneInputStreamOperatorTestHarness<>(
                    operator.get(), in -> in.entity, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
            EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(true);
            // The harness gives the backend 3 MiB of managed memory: RocksDB would flush and compact
            // all the time. A fixed budget per subtask, as a task slot has, keeps it realistic.
            backend.getMemoryConfiguration().setFixedMemoryPerSlot(MemorySize.ofMebiBytes(rocksDbMemoryMb));
            h.setStateBackend(backend);
            // The harness' default (JobManager) storage caps a snapshot at 5 MiB; files have no cap.
            h.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.resolve("subtask-" + subtask).toUri()));
            h.setup(output);
            // State TTL stamps every value with the processing time; the harness' clock starts at 0,
            // whose zero bytes would compress better than a real timestamp.
            h.setStateTtlProcessingTime(Workload.NOW);
            h.open();
            harnesses.set(subtask, h);
            return null;
        });
    }

    /**
     * Feeds every input to the subtask of its key, a day at a time, each day followed by a
     * watermark at its end; drops the output after each watermark (a million keys' rows would not
     * fit the heap). Subtasks share nothing, so each goes through all days on its own.
     */
    void feed(Workload w) throws Exception {
        byte[] subtaskOf = new byte[w.keys];
        for (int k = 0; k < w.keys; k++) {
            subtaskOf[k] = (byte) KeyGroupRangeAssignment.assignKeyToParallelOperator(w.entity(k), MAX_PARALLELISM, parallelism);
        }
        List<Long> counts = onEach((subtask, h) -> {
            long emitted = 0;
            for (int day = 0; day < w.dayCount(); day++) {
                int n = w.inputsOn(day);
                for (int i = 0; i < n; i++) {
                    if (subtaskOf[w.key(day, i)] == subtask) {
                        h.processElement(w.input(day, i), w.eventTs(day, i));
                    }
                }
                h.processWatermark(w.watermarkAfter(day));
                Queue<Object> out = h.getOutput();
                for (Object o : out) {
                    if (o instanceof StreamRecord) {
                        emitted++;
                    }
                }
                out.clear();
                Queue<?> late = h.getSideOutput(LateEventRouter.LATE);
                if (late != null && !late.isEmpty()) {
                    throw new IllegalStateException(late.size() + " inputs of " + w.description + " were late: the workload feeds them wrong");
                }
            }
            return emitted;
        });
        rows = counts.stream().mapToLong(Long::longValue).sum();
    }

    /** Rows emitted while feeding. */
    long rows() {
        return rows;
    }

    long eventTimeTimers() throws Exception {
        return onEach((subtask, h) -> (long) h.numEventTimeTimers()).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Entries and bytes per RocksDB column family (one per state, one per kind of timers), over
     * all subtasks, by iterating them.
     */
    Map<String, StateSize> stateSizes() throws Exception {
        Map<String, StateSize> sizes = new LinkedHashMap<>();
        for (Map<String, StateSize> subtask : onEach((subtask, h) -> {
            Map<String, StateSize> own = new LinkedHashMap<>();
            RocksDBKeyedStateBackend<?> backend = backend(h);
            RocksDB db = (RocksDB) field(backend, "db");
            for (Map.Entry<String, ColumnFamilyHandle> e : families(backend).entrySet()) {
                StateSize size = new StateSize();
                try (RocksIterator it = db.newIterator(e.getValue())) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        size.entries++;
                        size.bytes += it.key().length + it.value().length;
                    }
                }
                own.put(e.getKey(), size);
            }
            return own;
        })) {
            subtask.forEach((name, s) -> {
                StateSize total = sizes.computeIfAbsent(name, n -> new StateSize());
                total.entries += s.entries;
                total.bytes += s.bytes;
            });
        }
        return sizes;
    }

    /** A checkpoint (RocksDB's SST files, all of them: the first one of a backend shares nothing); bytes over all subtasks. */
    long checkpoint(long id) throws Exception {
        return onEach((subtask, h) -> h.snapshot(id, Workload.NOW).getStateSize()).stream().mapToLong(Long::longValue).sum();
    }

    /** A canonical savepoint (every entry as serialized key and value, RocksDB's layout and compression aside); bytes over all subtasks. */
    long savepoint(long id) throws Exception {
        return onEach((subtask, h) -> h.snapshotWithLocalState(id, Workload.NOW, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                .getJobManagerOwnedState().getStateSize()).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Compacts every column family fully: drops overwritten values and deletions, as RocksDB
     * eventually would. Returns the entries left per state (RocksDB's count, exact once nothing is
     * left to merge or delete).
     */
    Map<String, Long> compact() throws Exception {
        Map<String, Long> entries = new LinkedHashMap<>();
        for (Map<String, Long> subtask : onEach((subtask, h) -> {
            RocksDBKeyedStateBackend<?> backend = backend(h);
            RocksDB db = (RocksDB) field(backend, "db");
            Map<String, Long> own = new LinkedHashMap<>();
            // Forced: a lone file would otherwise only be moved down a level, garbage and all.
            try (CompactRangeOptions rewrite = new CompactRangeOptions()
                    .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
                for (Map.Entry<String, ColumnFamilyHandle> e : families(backend).entrySet()) {
                    db.compactRange(e.getValue(), null, null, rewrite);
                    own.put(e.getKey(), db.getLongProperty(e.getValue(), "rocksdb.estimate-num-keys"));
                }
            }
            return own;
        })) {
            subtask.forEach((name, n) -> entries.merge(name, n, Long::sum));
        }
        return entries;
    }

    private static RocksDBKeyedStateBackend<?> backend(KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> h) {
        return (RocksDBKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend();
    }

    /**
     * The column family of each state. RocksDBKeyedStateBackend exposes neither them nor its
     * database, hence the reflection.
     */
    private static Map<String, ColumnFamilyHandle> families(RocksDBKeyedStateBackend<?> backend) throws ReflectiveOperationException {
        @SuppressWarnings("unchecked")
        Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> states =
                (Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo>) field(backend, "kvStateInformation");
        Map<String, ColumnFamilyHandle> families = new LinkedHashMap<>();
        states.forEach((name, info) -> families.put(name, info.columnFamilyHandle));
        return families;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = RocksDBKeyedStateBackend.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    /** Runs {@code call} for every subtask on its thread (harnesses stay on the thread that built them) and waits for all. */
    private <T> List<T> onEach(SubtaskCall<T> call) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            int subtask = i;
            futures.add(threads.get(i).submit(() -> call.call(subtask, harnesses.get(subtask))));
        }
        List<T> results = new ArrayList<>();
        Exception failure = null;
        for (Future<T> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Closes the harnesses (and their RocksDB instances) and deletes the checkpoints. */
    @Override
    public void close() throws IOException {
        try {
            onEach((subtask, h) -> {
                if (h != null) {
                    h.close();
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing the harnesses");
        } catch (Exception e) {
            throw new IOException("closing the harnesses failed", e);
        } finally {
            threads.forEach(ExecutorService::shutdown);
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
