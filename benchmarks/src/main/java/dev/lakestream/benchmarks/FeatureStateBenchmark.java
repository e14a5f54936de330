package dev.lakestream.benchmarks;

import dev.lakestream.jobs.gold.features.FeatureInput;
import dev.lakestream.jobs.gold.features.FeatureSet;
import dev.lakestream.jobs.gold.features.RollingFeatures;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many bytes of RocksDB state the rolling features cost per key, against the naive design that
 * keeps every raw input of the longest window. Generates the inputs from a seed, feeds each design
 * the same ones through Flink's operator test harness on the embedded RocksDB backend, then
 * measures the state three ways: a canonical savepoint (the serialized entries), a checkpoint (the
 * SST files as they are) and a checkpoint after a full compaction (live entries only). Writes a
 * Markdown report.
 *
 * <p>Arguments (all optional): {@code --customers 1000000 --breakdown-customers 100000
 * --facilities 500 --seed 20260401 --parallelism 2 --rocksdb-memory-mb 512 --out
 * results/feature-state.md}. {@code --parallelism} defaults to the cores, at most 4.
 */
public final class FeatureStateBenchmark {

    /** The designs measured, each a keyed operator of {@link FeatureInput}s. */
    enum Design {
        ROLLING("RollingFeatures") {
            @Override
            KeyedProcessOperator<String, FeatureInput, RowData> operator(FeatureSet<?> set) {
                return RollingFeatures.operator(set, "orders", RollingFeatures.DEFAULT_MAX_WAITING,
                        RollingFeatures.DEFAULT_FIRE_INTERVAL);
            }
        },
        POJOS("Naive: raw POJOs") {
            @Override
            KeyedProcessOperator<String, FeatureInput, RowData> operator(FeatureSet<?> set) {
                return new KeyedProcessOperator<>(new RawInputs.Pojos(set));
            }
        },
        PACKED("Naive: raw long[]") {
            @Override
            KeyedProcessOperator<String, FeatureInput, RowData> operator(FeatureSet<?> set) {
                return new KeyedProcessOperator<>(new RawInputs.Packed(set));
            }
        };

        final String label;

        Design(String label) {
            this.label = label;
        }

        abstract KeyedProcessOperator<String, FeatureInput, RowData> operator(FeatureSet<?> set);
    }

    /** What one design cost on one workload. */
    static final class Result {
        Design design;
        Workload workload;
        long rows;
        long timers;
        Map<String, StateRun.StateSize> states;
        long entries;
        /** Canonical savepoint: the serialized entries. */
        long savepointBytes;
        /** Checkpoint: RocksDB's SST files as they were after feeding. */
        long checkpointBytes;
        /** Checkpoint after a full compaction: live entries only. */
        long compactedBytes;
        double feedSeconds;
        double checkpointSeconds;
        double savepointSeconds;
        double compactedSeconds;

        double perKey(long bytes) {
            return (double) bytes / workload.keys;
        }
    }

    private final int parallelism;
    private final int rocksDbMemoryMb;

    private FeatureStateBenchmark(int parallelism, int rocksDbMemoryMb) {
        this.parallelism = parallelism;
        this.rocksDbMemoryMb = rocksDbMemoryMb;
    }

    public static void main(String[] args) {
        Bench.exitWith("FeatureStateBenchmark", args, FeatureStateBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> options = Bench.options(args, List.of("customers", "breakdown-customers", "facilities", "seed",
                "parallelism", "rocksdb-memory-mb", "out"));
        int customers = Integer.parseInt(options.getOrDefault("customers", "1000000"));
        int breakdown = Integer.parseInt(options.getOrDefault("breakdown-customers", "100000"));
        int facilities = Integer.parseInt(options.getOrDefault("facilities", "500"));
        long seed = Long.parseLong(options.getOrDefault("seed", "20260401"));
        int parallelism = Integer.parseInt(options.getOrDefault("parallelism",
                String.valueOf(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))));
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism must be 1 to 64, got " + parallelism);
        }
        int memory = Integer.parseInt(options.getOrDefault("rocksdb-memory-mb", "512"));
        Path out = Paths.get(options.getOrDefault("out", "results/feature-state.md"));
        // RocksDB's working directories and the checkpoints go under java.io.tmpdir.
        Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir")));
        Workload.checkPositionFormat();

        FeatureStateBenchmark b = new FeatureStateBenchmark(parallelism, memory);
        long started = System.nanoTime();

        long t = System.nanoTime();
        Workload headline = Workload.customers(customers, 1, 6, seed);
        double generate = seconds(t);
        progress(String.format(Locale.ROOT, "generated %s: %,d inputs in %.1f s", headline.description, headline.inputs(), generate));
        List<Result> main = new ArrayList<>();
        for (Design d : Design.values()) {
            main.add(b.measure(d, headline));
        }

        List<Result[]> byActivity = new ArrayList<>();
        if (breakdown > 0) {
            for (int days : new int[] {1, 3, 6}) {
                Workload w = Workload.customers(breakdown, days, days, seed + days);
                Result[] row = new Result[Design.values().length];
                for (Design d : Design.values()) {
                    row[d.ordinal()] = b.measure(d, w);
                }
                byActivity.add(row);
            }
        }

        List<Result> facility = new ArrayList<>();
        if (facilities > 0) {
            Workload w = Workload.facilities(facilities, seed);
            for (Design d : Design.values()) {
                facility.add(b.measure(d, w));
            }
        }

        String report = b.report(main, byActivity, facility, generate, seconds(started), seed, args);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(report);
        System.out.println("Report written to " + out.toAbsolutePath());
    }

    private Result measure(Design design, Workload w) throws Exception {
        Result r = new Result();
        r.design = design;
        r.workload = w;
        // The output type the job declares for the set's rows (FeaturesJob): the harness copies every row with it.
        TypeSerializer<RowData> rows = InternalTypeInfo.of(FlinkSchemaUtil.convert(w.set.logTable("").schema()))
                .createSerializer(new ExecutionConfig().getSerializerConfig());
        try (StateRun run = new StateRun(() -> design.operator(w.set), rows, parallelism, rocksDbMemoryMb)) {
            long t = System.nanoTime();
            run.feed(w);
            r.feedSeconds = seconds(t);
            r.rows = run.rows();
            r.timers = run.eventTimeTimers();

            t = System.nanoTime();
            r.checkpointBytes = run.checkpoint(1);
            r.checkpointSeconds = seconds(t);
            // After the checkpoint: it writes out the timers RocksDB still holds in a write batch.
            r.states = run.stateSizes();
            r.entries = r.states.values().stream().mapToLong(s -> s.entries).sum();
            check(r);

            t = System.nanoTime();
            Map<String, Long> left = run.compact();
            r.compactedBytes = run.checkpoint(2);
            r.compactedSeconds = seconds(t);
            checkCompaction(r, left, run);

            t = System.nanoTime();
            r.savepointBytes = run.savepoint(3);
            r.savepointSeconds = seconds(t);
        }
        progress(String.format(Locale.ROOT, "%-18s %s: fed %,d inputs in %.1f s (%,d rows), %,d entries, %,d timers;"
                        + " per key: savepoint %.1f B, checkpoint %.1f B, compacted checkpoint %.1f B",
                design.label, w.description, w.inputs(), r.feedSeconds, r.rows, r.entries, r.timers,
                r.perKey(r.savepointBytes), r.perKey(r.checkpointBytes), r.perKey(r.compactedBytes)));
        return r;
    }

    /** The state must hold what the workload says it should, or the bytes measured mean nothing. */
    private static void check(Result r) {
        Workload w = r.workload;
        long timerEntries = 0;
        for (Map.Entry<String, StateRun.StateSize> e : r.states.entrySet()) {
            if (e.getKey().startsWith("_timer_state/")) {
                timerEntries += e.getValue().entries;
            }
        }
        List<String> wrong = new ArrayList<>();
        if (timerEntries != r.timers) {
            wrong.add("timers in RocksDB " + timerEntries + " != timer service " + r.timers + " (not RocksDB timers?)");
        }
        if (r.design == Design.ROLLING) {
            expect(wrong, "buckets", entries(r, "buckets"), w.expectedBuckets());
            expect(wrong, "summary", entries(r, "summary"), w.keys);
            expect(wrong, "pending", entries(r, "pending-by-interval") + entries(r, "pending"), 0);
            expect(wrong, "timers", r.timers, w.expectedExpiryTimers());
        } else {
            expect(wrong, "lists", r.entries - r.timers, w.keys);
            expect(wrong, "eviction timers", r.timers, w.expectedBuckets());
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(r.design.label + " on " + w.description + ": " + wrong);
        }
    }

    /** A compaction must only drop garbage (state TTL could drop entries there, were the clock wrong). */
    private static void checkCompaction(Result r, Map<String, Long> left, StateRun run) throws Exception {
        for (Map.Entry<String, StateRun.StateSize> e : r.states.entrySet()) {
            if (left.getOrDefault(e.getKey(), 0L) != e.getValue().entries) {
                // RocksDB's count is an estimate; an exact one decides.
                Map<String, StateRun.StateSize> after = run.stateSizes();
                for (Map.Entry<String, StateRun.StateSize> a : r.states.entrySet()) {
                    long now = after.containsKey(a.getKey()) ? after.get(a.getKey()).entries : 0;
                    if (now != a.getValue().entries) {
                        throw new IllegalStateException(r.design.label + " on " + r.workload.description + ": compaction left "
                                + now + " entries of " + a.getKey() + ", it had " + a.getValue().entries);
                    }
                }
                return;
            }
        }
    }

    private static long entries(Result r, String state) {
        StateRun.StateSize s = r.states.get(state);
        return s == null ? 0 : s.entries;
    }

    private static void expect(List<String> wrong, String what, long actual, long expected) {
        if (actual != expected) {
            wrong.add(what + " " + actual + ", expected " + expected);
        }
    }

    private String report(List<Result> main, List<Result[]> byActivity, List<Result> facility, double generate,
            double total, long seed, String[] args) {
        Result rolling = main.get(0);
        Result pojos = main.get(1);
        StringBuilder md = new StringBuilder();
        md.append("# Rolling features: RocksDB state per key\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %d cores, JDK %s, Flink %s; embedded RocksDB with incremental checkpoints"
                        + " (as the jobs run it), %d MiB per subtask, %d subtasks of max parallelism %d; seed %d%s."
                        + " Total wall time %.0f s, CPU time %.0f s, system load average %.1f at the end (other processes"
                        + " on the machine slow the times, never the bytes). Written by `FeatureStateBenchmark`"
                        + " (benchmarks/README.md says how to run it and what each number means).\n\n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), EnvironmentInformation.getVersion(), rocksDbMemoryMb, parallelism,
                StateRun.MAX_PARALLELISM, seed, args.length == 0 ? "" : ", arguments `" + String.join(" ", args) + "`", total,
                Bench.cpuSeconds(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));

        md.append("## ").append(rolling.workload.description).append(" (customer_features: day buckets, 7/30/90-day windows)\n\n");
        md.append("Every design got the same inputs; state as of the last watermark (1 ms before 2026-04-01), which passed every"
                + " input but no bucket's 90-day expiry.\n\n");
        table(md, main, pojos);

        md.append("\nWhere RollingFeatures' entries are (RocksDB key + value bytes per state, before any framing or compression):\n\n");
        md.append("| State | Entries | Entries / key | Bytes | Bytes / entry | Bytes / key | Share |\n|---|---:|---:|---:|---:|---:|---:|\n");
        long raw = rolling.states.values().stream().mapToLong(s -> s.bytes).sum();
        for (Map.Entry<String, StateRun.StateSize> e : rolling.states.entrySet()) {
            StateRun.StateSize s = e.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,d | %.1f | %.1f | %.0f%% |\n", e.getKey(), s.entries,
                    (double) s.entries / rolling.workload.keys, s.bytes, s.entries == 0 ? 0 : (double) s.bytes / s.entries,
                    rolling.perKey(s.bytes), raw == 0 ? 0 : 100.0 * s.bytes / raw));
        }

        if (!byActivity.isEmpty()) {
            md.append("\n## By activity: ").append(String.format(Locale.ROOT, "%,d", byActivity.get(0)[0].workload.keys))
                    .append(" customers per row, all with the same number of active days\n\n");
            md.append("Bytes per key: savepoint (serialized entries) / checkpoint after full compaction (SST files).\n\n");
            md.append("| Active days | Inputs / key | Timers / key | RollingFeatures | Naive: raw POJOs | Ratio | Naive: raw long[] | Ratio |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Result[] row : byActivity) {
                Result r = row[0];
                String days = r.workload.description.replaceAll(".*customers, (\\d+) active.*", "$1");
                md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s | %s | %s | %s |\n", days,
                        (double) r.workload.inputs() / r.workload.keys, (double) r.timers / r.workload.keys,
                        pair(r), pair(row[1]), ratios(r, row[1]), pair(row[2]), ratios(r, row[2])));
            }
        }

        if (!facility.isEmpty()) {
            md.append("\n## ").append(facility.get(0).workload.description).append(" (facility_features: hour buckets, 7/30-day windows)\n\n");
            table(md, facility, facility.get(1));
        }

        md.append("\n## Wall time\n\n| Phase | Seconds |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| Generate the %,d-customer inputs | %.1f |\n", rolling.workload.keys, generate));
        List<Result> all = new ArrayList<>(main);
        for (Result[] row : byActivity) {
            all.addAll(List.of(row));
        }
        all.addAll(facility);
        for (Result r : all) {
            md.append(String.format(Locale.ROOT, "| %s, %s: feed %,d inputs + %d watermarks / checkpoint /"
                            + " compaction + checkpoint / savepoint | %.1f / %.1f / %.1f / %.1f |\n", r.design.label, r.workload.description,
                    r.workload.inputs(), r.workload.dayCount(), r.feedSeconds, r.checkpointSeconds, r.compactedSeconds, r.savepointSeconds));
        }
        md.append(String.format(Locale.ROOT, "| Total | %.1f |\n", total));
        return md.toString();
    }

    private static String pair(Result r) {
        return String.format(Locale.ROOT, "%.1f / %.1f", r.perKey(r.savepointBytes), r.perKey(r.compactedBytes));
    }

    private static String ratios(Result r, Result baseline) {
        return String.format(Locale.ROOT, "%.2f / %.2f", (double) r.savepointBytes / baseline.savepointBytes,
                (double) r.compactedBytes / baseline.compactedBytes);
    }

    /** One column per design; ratios against {@code baseline}. */
    private static void table(StringBuilder md, List<Result> results, Result baseline) {
        md.append("|");
        for (Result r : results) {
            md.append(" | ").append(r.design.label);
        }
        md.append(" |\n|---");
        for (int i = 0; i < results.size(); i++) {
            md.append("|---:");
        }
        md.append("|\n");
        row(md, "Keys", results, r -> String.format(Locale.ROOT, "%,d", r.workload.keys));
        row(md, "Inputs", results, r -> String.format(Locale.ROOT, "%,d", r.workload.inputs()));
        row(md, "Feature rows emitted", results, r -> r.design == Design.ROLLING ? String.format(Locale.ROOT, "%,d", r.rows) : "-");
        row(md, "State entries (timers included)", results, r -> String.format(Locale.ROOT, "%,d", r.entries));
        row(md, "Event-time timers", results, r -> String.format(Locale.ROOT, "%,d", r.timers));
        row(md, "Savepoint (canonical: serialized entries)", results, r -> mib(r.savepointBytes));
        row(md, "**Savepoint / key**", results, r -> String.format(Locale.ROOT, "**%.1f B**", r.perKey(r.savepointBytes)));
        row(md, "Checkpoint (SST files as they were)", results, r -> mib(r.checkpointBytes));
        row(md, "Checkpoint / key", results, r -> String.format(Locale.ROOT, "%.1f B", r.perKey(r.checkpointBytes)));
        row(md, "Checkpoint after full compaction", results, r -> mib(r.compactedBytes));
        row(md, "**Compacted checkpoint / key**", results, r -> String.format(Locale.ROOT, "**%.1f B**", r.perKey(r.compactedBytes)));
        row(md, "Savepoint / " + baseline.design.label, results,
                r -> String.format(Locale.ROOT, "%.2f", (double) r.savepointBytes / baseline.savepointBytes));
        row(md, "Compacted checkpoint / " + baseline.design.label, results,
                r -> String.format(Locale.ROOT, "%.2f", (double) r.compactedBytes / baseline.compactedBytes));
        row(md, "Feed time", results, r -> String.format(Locale.ROOT, "%.1f s", r.feedSeconds));
    }

    private interface Cell {
        String of(Result r);
    }

    private static void row(StringBuilder md, String label, List<Result> results, Cell cell) {
        md.append("| ").append(label);
        for (Result r : results) {
            md.append(" | ").append(cell.of(r));
        }
        md.append(" |\n");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d B (%.1f MiB)", bytes, bytes / 1048576.0);
    }

    private static void progress(String line) {
        Bench.progress("feature-state", line);
    }


    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

}
