package dev.lakestream.benchmarks;

import one.profiler.AsyncProfiler;
import one.profiler.Counter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A CPU profile of one run with async-profiler: every thread of the JVM, Java and native frames alike
 * (RocksDB, its compactions and flushes, zstd, the JIT compilers), sampled on CPU time every 5 ms
 * ({@code itimer}, which needs no perf events). JFR's execution samples miss all of that, and they
 * were what first pointed this benchmark at the wrong places.
 */
final class CpuProfile {

    /**
     * Activities by a frame anywhere on the stack, so a sample counts towards every activity it is
     * inside of (an Iceberg writer's Parquet encoding is both), and the shares do not add up to 100%.
     * An operator's activity holds the operators chained behind it (they run inside its call), so
     * the frames are chosen to be the work itself: a copy is the serializer's copy, not the chaining
     * output that goes on to call the next operator, and an operator's share stops at its output
     * ({@link #OPERATORS}).
     */
    private static final Map<String, String> ACTIVITIES = activities();

    /**
     * Activities that are operators: a sample counts towards one only while the operator's own code
     * runs, not the operators chained behind it (they run inside its call, under a ChainingOutput).
     */
    private static final java.util.Set<String> OPERATORS = java.util.Set.of("Sessions (lakestream)",
            "Table API sliced windows (tumble, hop)", "Replay guards (lakestream)", "Silver validation (lakestream)",
            "Silver deduplication (lakestream)", "Rolling features (lakestream)");

    /** Sample counts, highest first. */
    static final class Hotspots {
        long samples;
        /** Samples in frames that are not Java (the JVM, the kernel, JNI libraries). */
        long nativeSamples;
        Map<String, Long> threads = new LinkedHashMap<>();
        Map<String, Long> activities = new LinkedHashMap<>();
        Map<String, Long> selfFrames = new LinkedHashMap<>();
        Map<String, Long> ourFrames = new LinkedHashMap<>();
    }

    private static final Pattern THREAD_SUFFIX = Pattern.compile("( tid=\\d+)?\\]$|^\\[| \\(\\d+/\\d+\\)(#\\d+)?$|-?\\d+$");

    private final AsyncProfiler profiler;

    private CpuProfile(AsyncProfiler profiler) {
        this.profiler = profiler;
    }

    static CpuProfile start() throws IOException {
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        profiler.execute("start,event=itimer,interval=5ms,threads");
        return new CpuProfile(profiler);
    }

    /** Stops sampling, keeps the collapsed stacks (for a flame graph) in {@code file} and aggregates them. */
    Hotspots stop(Path file, int top) throws IOException {
        profiler.execute("stop");
        String collapsed = profiler.dumpCollapsed(Counter.SAMPLES);
        Files.createDirectories(file.getParent());
        Files.write(file, collapsed.getBytes(StandardCharsets.UTF_8));
        return aggregate(collapsed, top);
    }

    /** Aggregates collapsed stacks (one {@code thread;frame;...;frame count} line per stack). */
    static Hotspots aggregate(String collapsed, int top) {
        Hotspots h = new Hotspots();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> activities = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> ours = new HashMap<>();
        for (String line : collapsed.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1).trim());
            String[] frames = line.substring(0, space).split(";");
            h.samples += n;
            threads.merge(threadGroup(frames[0]), n, Long::sum);
            String leaf = frames[frames.length - 1];
            self.merge(leaf, n, Long::sum);
            if (!leaf.contains("/") || leaf.endsWith(".so")) {
                h.nativeSamples += n;
            }
            for (Map.Entry<String, String> a : ACTIVITIES.entrySet()) {
                if (within(frames, a.getValue(), OPERATORS.contains(a.getKey()))) {
                    activities.merge(a.getKey(), n, Long::sum);
                }
            }
            for (int i = frames.length - 1; i > 0; i--) {
                if (frames[i].startsWith("dev/lakestream/") && !frames[i].startsWith("dev/lakestream/benchmarks/")) {
                    ours.merge(frames[i].replace('/', '.'), n, Long::sum);
                    break;
                }
            }
        }
        h.threads = highest(threads, top);
        h.activities = highest(activities, ACTIVITIES.size());
        h.selfFrames = highest(self, top);
        h.ourFrames = highest(ours, top);
        return h;
    }

    /**
     * The profile as a report section: {@code what} names the run (e.g. "R_full run, not counted (5,906
     * records/s while profiled)").
     */
    static String markdown(String title, String what, Hotspots h) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n## %s%n%nOne more %s, sampled by async-profiler on CPU time every 5 ms across"
                + " every thread of the JVM, Java and native frames alike: %,d samples (%,.1f CPU s), %.0f%% of them in"
                + " native frames (RocksDB, the JIT compilers, the kernel).%n%n", title, what, h.samples, h.samples * 0.005,
                100.0 * h.nativeSamples / Math.max(1, h.samples)));
        b.append("Where the CPU went, by activity (a sample counts towards every activity on its stack, so the shares"
                + " overlap):\n\n| Samples | Share | Activity |\n|---:|---:|---|\n");
        rows(b, h.activities, h.samples, false);
        b.append("\nBy thread (both subtasks of an operator chain in one row; a chain's share holds every operator chained"
                + " in it):\n\n| Samples | Share | Thread |\n|---:|---:|---|\n");
        rows(b, h.threads, h.samples, true);
        b.append("\nTop frames (self):\n\n| Samples | Share | Frame |\n|---:|---:|---|\n");
        rows(b, h.selfFrames, h.samples, true);
        b.append("\nOur own code: the innermost `dev.lakestream` frame of each sample that has one, inclusive of what it"
                + " calls (operators chained behind it included: a replay guard's share holds the Iceberg writer it hands"
                + " each row to):\n\n| Samples | Share | Method |\n|---:|---:|---|\n");
        rows(b, h.ourFrames, h.samples, true);
        return b.toString();
    }

    private static void rows(StringBuilder b, Map<String, Long> counts, long total, boolean code) {
        counts.forEach((k, v) -> b.append(String.format(Locale.ROOT, code ? "| %,d | %.1f%% | `%s` |%n" : "| %,d | %.1f%% | %s |%n",
                v, 100.0 * v / Math.max(1, total), k.replace("|", "\\|"))));
    }

    /** Whether a frame containing {@code marker} is on the stack (for an operator: and no chained operator below it). */
    private static boolean within(String[] frames, String marker, boolean operator) {
        for (int i = 1; i < frames.length; i++) {
            if (frames[i].contains(marker)) {
                if (!operator) {
                    return true;
                }
                for (int j = i + 1; j < frames.length; j++) {
                    if (frames[j].contains("ChainingOutput.")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** A thread's name without its subtask index, attempt and id: both subtasks of an operator chain are one row. */
    static String threadGroup(String frame) {
        String name = THREAD_SUFFIX.matcher(frame).replaceAll("");
        name = THREAD_SUFFIX.matcher(name).replaceAll("");
        return name.length() > 140 ? name.substring(0, 140) + "..." : name;
    }

    private static Map<String, String> activities() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("JIT compilers (C1, C2)", "CompileBroker::compiler_thread_loop");
        a.put("Garbage collection", "GCTaskThread");
        a.put("RocksDB reads (get, iterators)", "org/rocksdb/RocksDB.get");
        a.put("RocksDB writes (put, merge, delete)", "org/rocksdb/RocksDB.put");
        a.put("RocksDB background flushes", "rocksdb::DBImpl::BackgroundCallFlush");
        a.put("RocksDB background compactions", "rocksdb::DBImpl::BackgroundCallCompaction");
        a.put("Flink timers (event-time, processing-time)", "org/apache/flink/streaming/api/operators/InternalTimerServiceImpl");
        a.put("Flink snapshots (checkpoint sync part)", "org/apache/flink/streaming/runtime/tasks/SubtaskCheckpointCoordinatorImpl.checkpointState");
        a.put("Flink record copies (TypeSerializer.copy: between chained operators when object reuse is off, and where an operator copies)", "Serializer.copy");
        a.put("Flink network (serialize, deserialize)", "org/apache/flink/runtime/io/network/api/serialization");
        a.put("Kafka consumer (fetch, decode)", "org/apache/kafka/clients/consumer");
        a.put("Kafka broker (in this JVM)", "kafka/server/");
        a.put("JSON parsing (Jackson)", "com/fasterxml/jackson/core/json/");
        a.put("Iceberg writers (rows to files)", "org/apache/iceberg/flink/sink/IcebergStreamWriter.processElement");
        a.put("Parquet encoding", "org/apache/iceberg/shaded/org/apache/parquet/column/");
        a.put("Compression (zstd)", "com/github/luben/zstd");
        a.put("Hadoop Configuration (per Parquet file)", "org/apache/hadoop/conf/Configuration");
        a.put("S3 requests (AWS SDK)", "software/amazon/awssdk/core/internal/http");
        a.put("Iceberg commits", "org/apache/iceberg/flink/sink/IcebergFilesCommitter.notifyCheckpointComplete");
        a.put("Table API generated code (Janino compiles)", "org/codehaus/janino");
        a.put("Sessions (lakestream)", "dev/lakestream/jobs/gold/SessionizeClicks");
        a.put("Table API sliced windows (tumble, hop)", "org/apache/flink/table/runtime/operators/aggregate/window/processors/AbstractSliceWindowAggProcessor");
        a.put("Replay guards (lakestream)", "dev/lakestream/jobs/sink/ReplayGuard.process");
        a.put("Silver validation (lakestream)", "dev/lakestream/jobs/silver/ValidateEvents.processElement");
        a.put("Silver deduplication (lakestream)", "dev/lakestream/jobs/silver/DeduplicateEvents.processElement");
        a.put("Rolling features (lakestream)", "dev/lakestream/jobs/gold/features/RollingFeatures.processElement");
        a.put("Benchmark's own polling of the tables", "dev/lakestream/benchmarks/PipelineThroughput");
        return a;
    }

    private static Map<String, Long> highest(Map<String, Long> counts, int top) {
        return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }
}
