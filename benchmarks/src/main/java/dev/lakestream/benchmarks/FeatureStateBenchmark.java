package dev.lakestream.benchmarks;

import dev.lakestream.jobs.gold.features.FeatureInput;
import dev.lakestream.jobs.gold.features.FeatureSet;
import dev.lakestream.jobs.gold.features.RollingFeatures;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;

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
 * How many bytes of RocksDB state (and of checkpoint) the rolling features cost per key, against
 * the naive design that keeps every raw input of the longest window. Generates the inputs from a
 * seed, feeds each design the same ones through Flink's operator test harness on the embedded
 * RocksDB backend, takes a full checkpoint, restores it into a backend with incremental
 * checkpoints and takes one there (what a job uploads after a restore: live SST files only), and
 * writes a Markdown report.
 *
 * <p>Arguments (all optional): {@code --customers 1000000 --breakdown-customers 100000
 * --facilities 500 --seed 20260401 --rocksdb-memory-mb 512 --out results/feature-state.md}.
 */
public final class FeatureStateBenchmark {

    /** The designs measured, each a keyed function of {@link FeatureInput}s. */
    enum Design {
        ROLLING("RollingFeatures") {
            @Override
            KeyedProcessFunction<String, FeatureInput, RowData> function(FeatureSet<?> set) {
                return new RollingFeatures(set, "orders");
            }
        },
        POJOS("Naive: raw POJOs") {
            @Override
            KeyedProcessFunction<String, FeatureInput, RowData> function(FeatureSet<?> set) {
                return new RawInputs.Pojos(set);
            }
        },
        PACKED("Naive: raw long[]") {
            @Override
            KeyedProcessFunction<String, FeatureInput, RowData> function(FeatureSet<?> set) {
                return new RawInputs.Packed(set);
            }
        };

        final String label;

        Design(String label) {
            this.label = label;
        }

        abstract KeyedProcessFunction<String, FeatureInput, RowData> function(FeatureSet<?> set);
    }

    /** What one design cost on one workload. */
    static final class Result {
        Design design;
        Workload workload;
        long rows;
        long timers;
        Map<String, StateRun.StateSize> states;
        long entries;
        long fullBytes;
        /** -1: not taken. */
        long incrementalBytes = -1;
        double feedSeconds;
        double fullSeconds;
        double incrementalSeconds;

        double perKey(long bytes) {
            return (double) bytes / workload.keys;
        }
    }

    private final int rocksDbMemoryMb;
    private final List<String> log = new ArrayList<>();

    private FeatureStateBenchmark(int rocksDbMemoryMb) {
        this.rocksDbMemoryMb = rocksDbMemoryMb;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int customers = Integer.parseInt(options.getOrDefault("customers", "1000000"));
        int breakdown = Integer.parseInt(options.getOrDefault("breakdown-customers", "100000"));
        int facilities = Integer.parseInt(options.getOrDefault("facilities", "500"));
        long seed = Long.parseLong(options.getOrDefault("seed", "20260401"));
        int memory = Integer.parseInt(options.getOrDefault("rocksdb-memory-mb", "512"));
        Path out = Paths.get(options.getOrDefault("out", "results/feature-state.md"));
        // RocksDB's working directories and the checkpoints go under java.io.tmpdir.
        Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir")));
        Workload.checkPositionFormat();

        FeatureStateBenchmark b = new FeatureStateBenchmark(memory);
        long started = System.nanoTime();

        long t = System.nanoTime();
        Workload headline = Workload.customers(customers, 1, 6, seed);
        double generate = seconds(t);
        b.progress(String.format(Locale.ROOT, "generated %s: %,d inputs in %.1f s", headline.description, headline.inputs(), generate));
        List<Result> main = new ArrayList<>();
        for (Design d : Design.values()) {
            main.add(b.measure(d, headline, true));
        }

        List<Result[]> byActivity = new ArrayList<>();
        if (breakdown > 0) {
            for (int days : new int[] {1, 3, 6}) {
                Workload w = Workload.customers(breakdown, days, days, seed + days);
                Result[] row = new Result[Design.values().length];
                for (Design d : Design.values()) {
                    row[d.ordinal()] = b.measure(d, w, false);
                }
                byActivity.add(row);
            }
        }

        List<Result> facility = new ArrayList<>();
        if (facilities > 0) {
            Workload w = Workload.facilities(facilities, seed);
            for (Design d : Design.values()) {
                facility.add(b.measure(d, w, true));
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

    private Result measure(Design design, Workload w, boolean incremental) throws Exception {
        Result r = new Result();
        r.design = design;
        r.workload = w;
        try (StateRun run = new StateRun(design.function(w.set), false, rocksDbMemoryMb)) {
            run.open();
            long t = System.nanoTime();
            run.feed(w);
            r.feedSeconds = seconds(t);
            r.rows = run.rows();
            r.timers = run.eventTimeTimers();
            r.states = run.stateSizes();
            r.entries = r.states.values().stream().mapToLong(s -> s.entries).sum();
            check(r);

            t = System.nanoTime();
            OperatorSubtaskState full = run.checkpoint(1);
            r.fullSeconds = seconds(t);
            r.fullBytes = full.getStateSize();

            if (incremental) {
                t = System.nanoTime();
                try (StateRun restored = new StateRun(design.function(w.set), true, rocksDbMemoryMb)) {
                    restored.restore(full);
                    r.incrementalBytes = restored.checkpoint(2).getStateSize();
                }
                r.incrementalSeconds = seconds(t);
            }
        }
        progress(String.format(Locale.ROOT, "%-18s %s: fed %,d inputs in %.1f s (%,d rows), %,d entries, %,d timers,"
                        + " full checkpoint %,d B (%.1f B/key) in %.1f s%s",
                design.label, w.description, w.inputs(), r.feedSeconds, r.rows, r.entries, r.timers, r.fullBytes,
                r.perKey(r.fullBytes), r.fullSeconds,
                r.incrementalBytes < 0 ? "" : String.format(Locale.ROOT, ", incremental after restore %,d B (%.1f B/key) in %.1f s",
                        r.incrementalBytes, r.perKey(r.incrementalBytes), r.incrementalSeconds)));
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
            expect(wrong, "window-totals", entries(r, "window-totals"), (long) w.keys * w.set.windowMillis().length);
            expect(wrong, "pending", entries(r, "pending"), 0);
            expect(wrong, "timers", r.timers, w.expectedExpiryTimers());
        } else {
            expect(wrong, "lists", r.entries - r.timers, w.keys);
            expect(wrong, "eviction timers", r.timers, w.expectedBuckets());
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(r.design.label + " on " + w.description + ": " + wrong);
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
        Result packed = main.get(2);
        StringBuilder md = new StringBuilder();
        md.append("# Rolling features: RocksDB state per key\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %d cores, JDK %s, Flink %s, embedded RocksDB (%d MiB per slot), seed %d%s;"
                        + " total wall time %.0f s. Generated by `FeatureStateBenchmark` (see benchmarks/README.md).\n\n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), EnvironmentInformation.getVersion(), rocksDbMemoryMb, seed,
                args.length == 0 ? "" : ", arguments `" + String.join(" ", args) + "`", total));

        md.append("## ").append(rolling.workload.description).append(" (customer_features: day buckets, 7/30/90-day windows)\n\n");
        md.append("State after the watermark passed every input (last one 1 ms before 2026-04-01), before any bucket left the 90-day"
                + " window: every design holds the same inputs.\n\n");
        table(md, main, pojos);

        md.append("\nWhere RollingFeatures' bytes are (entries and RocksDB key + value bytes per state; a full checkpoint adds"
                + " ~8 bytes of framing per entry):\n\n");
        md.append("| State | Entries | Entries / key | Bytes | Bytes / key | Share |\n|---|---:|---:|---:|---:|---:|\n");
        long raw = rolling.states.values().stream().mapToLong(s -> s.bytes).sum();
        for (Map.Entry<String, StateRun.StateSize> e : rolling.states.entrySet()) {
            StateRun.StateSize s = e.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,d | %.1f | %.0f%% |\n", e.getKey(), s.entries,
                    (double) s.entries / rolling.workload.keys, s.bytes, rolling.perKey(s.bytes), raw == 0 ? 0 : 100.0 * s.bytes / raw));
        }

        if (!byActivity.isEmpty()) {
            md.append("\n## By activity: ").append(String.format(Locale.ROOT, "%,d", byActivity.get(0)[0].workload.keys))
                    .append(" customers each, all with the same number of active days\n\n");
            md.append("Full checkpoint bytes per key.\n\n");
            md.append("| Active days | Inputs / key | RollingFeatures | Naive: raw POJOs | Ratio | Naive: raw long[] | Ratio |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Result[] row : byActivity) {
                Result r = row[0];
                String days = r.workload.description.replaceAll(".*customers, (\\d+) active.*", "$1");
                md.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.1f | %.2f | %.1f | %.2f |\n", days,
                        (double) r.workload.inputs() / r.workload.keys, r.perKey(r.fullBytes), row[1].perKey(row[1].fullBytes),
                        (double) r.fullBytes / row[1].fullBytes, row[2].perKey(row[2].fullBytes), (double) r.fullBytes / row[2].fullBytes));
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
            String what = r.design.label + ", " + r.workload.description;
            md.append(String.format(Locale.ROOT, "| %s: feed %,d inputs + %d watermarks | %.1f |\n", what, r.workload.inputs(),
                    r.workload.dayCount(), r.feedSeconds));
            md.append(String.format(Locale.ROOT, "| %s: full checkpoint | %.1f |\n", what, r.fullSeconds));
            if (r.incrementalBytes >= 0) {
                md.append(String.format(Locale.ROOT, "| %s: restore into incremental backend + checkpoint | %.1f |\n", what,
                        r.incrementalSeconds));
            }
        }
        md.append(String.format(Locale.ROOT, "| Total | %.1f |\n", total));
        md.append("\nProgress log:\n\n```\n");
        for (String line : log) {
            md.append(line).append('\n');
        }
        md.append("```\n");
        return md.toString();
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
        row(md, "Full checkpoint", results, r -> mib(r.fullBytes));
        row(md, "**Full checkpoint / key**", results, r -> String.format(Locale.ROOT, "**%.1f B**", r.perKey(r.fullBytes)));
        row(md, "Incremental checkpoint after restore (SST files)", results, r -> r.incrementalBytes < 0 ? "-" : mib(r.incrementalBytes));
        row(md, "**Incremental checkpoint / key**", results, r -> r.incrementalBytes < 0 ? "-"
                : String.format(Locale.ROOT, "**%.1f B**", r.perKey(r.incrementalBytes)));
        row(md, "Full / " + baseline.design.label + " (full)", results,
                r -> String.format(Locale.ROOT, "%.2f", (double) r.fullBytes / baseline.fullBytes));
        if (baseline.incrementalBytes > 0) {
            row(md, "Incremental / " + baseline.design.label + " (incremental)", results, r -> r.incrementalBytes < 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f", (double) r.incrementalBytes / baseline.incrementalBytes));
        }
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

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
        System.out.flush();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
