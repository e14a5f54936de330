package dev.lakestream.benchmarks;

import dev.lakestream.localservices.LocalServices;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.iceberg.IcebergBuild;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Throughput of the pipeline against a raw baseline, measured in one run over one input: R_raw
 * ({@link RawBaseline}: Kafka consumer, JSON decode, Parquet), R_bronze and R_full ({@link
 * PipelineThroughput}: the production pipeline on a MiniCluster). The candidates run interleaved,
 * one repetition of each in turn (the order rotates each repetition), so that load from other
 * processes on the machine falls on all of them alike; the report gives medians, spreads and the
 * ratios to R_raw, both of the medians and the median of each repetition's own ratio.
 *
 * <p>Arguments (all optional): {@code --orders 200000 --clicks 600000 --fulfillment 200000
 * --repetitions 3 --warm-ups 8 --checkpoint-interval-ms 2000 --parallelism 2 --partitions 4 --seed 20261121 --candidates
 * raw,bronze,full --profile bronze,full --timeout-minutes 10 --out results/throughput.md}. For each
 * candidate of {@code --profile} ({@code none}, or a list) one more run (not counted) is recorded
 * with async-profiler and its hotspots go into the report.
 *
 * <p>{@code --variant NAME:KEY=VALUE[,KEY=VALUE...]} (an A/B run, see {@link Variant}) adds each
 * pipeline candidate once more with those settings to every repetition's rotation, and the report
 * compares each with its unchanged run of the same repetition: records/s and CPU per record.
 */
public final class ThroughputBenchmark {

    enum Candidate {
        RAW("R_raw", "Kafka consumer + Jackson decode + Parquet (zstd) to S3"),
        BRONZE("R_bronze", "pipeline: Kafka -> bronze (no silver, gold off)"),
        FULL("R_full", "pipeline: bronze + silver + gold windows + facility features");

        final String label;
        final String what;

        Candidate(String label, String what) {
            this.label = label;
            this.what = what;
        }
    }

    /** One repetition of one candidate. */
    static final class Measurement {
        Candidate candidate;
        Variant variant = Variant.NONE;
        int repetition;
        long records;
        double seconds;
        double cpuSeconds;
        double jitSeconds;
        double gcSeconds;
        double loadAverage;
        int commits;
        double firstCommitSeconds;
        double submitSeconds;
        double steadyRate;
        /** Bytes in the files the run wrote: the tables' data files, or R_raw's Parquet files. */
        long bytes;
        /** From the start to the sources having emitted the whole input; NaN if not seen (and for R_raw). */
        double inputReadSeconds = Double.NaN;
        /** Whether the pipeline run triggered a checkpoint at the end of its input; null for R_raw. */
        PipelineThroughput.EndCheckpoint endCheckpoint;
        /** Why that checkpoint's trigger failed or went unanswered, when it did. */
        String endCheckpointFailure;

        double rate() {
            return records / seconds;
        }

        double cpuMicrosPerRecord() {
            return cpuSeconds * 1e6 / records;
        }

        String label() {
            return variant.isNone() ? candidate.label : candidate.label + " +" + variant.name();
        }

        /** One progress line. */
        String summary() {
            return String.format(Locale.ROOT, "%-8s %,d records in %.2f s = %,.0f records/s (CPU %.1f s, JIT %.1f s,"
                            + " GC %.1f s, load %.2f%s)", label(), records, seconds, rate(), cpuSeconds, jitSeconds,
                    gcSeconds, loadAverage, candidate == Candidate.RAW ? "" : String.format(Locale.ROOT,
                            ", %d commits, first after %.1f s, steady %,.0f records/s, %s, end checkpoint %s",
                            commits, firstCommitSeconds, steadyRate, Double.isNaN(inputReadSeconds)
                                    ? "input never seen read" : "input read after " + seconds(inputReadSeconds) + " s",
                            endCheckpoint.label));
        }
    }

    public static void main(String[] args) {
        Bench.exitWith("ThroughputBenchmark", args, ThroughputBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args, List.of("orders", "clicks", "fulfillment", "repetitions",
                "checkpoint-interval-ms", "parallelism", "seed", "candidates", "profile", "timeout-minutes", "out", "variant", "warm-ups", "partitions"));
        int orders = Integer.parseInt(o.getOrDefault("orders", "200000"));
        int clicks = Integer.parseInt(o.getOrDefault("clicks", "600000"));
        int fulfillment = Integer.parseInt(o.getOrDefault("fulfillment", "200000"));
        int repetitions = Integer.parseInt(o.getOrDefault("repetitions", "3"));
        int warmUps = Integer.parseInt(o.getOrDefault("warm-ups", "8"));
        Duration checkpointInterval = Duration.ofMillis(Long.parseLong(o.getOrDefault("checkpoint-interval-ms", "2000")));
        int parallelism = Integer.parseInt(o.getOrDefault("parallelism", "2"));
        // A multiple of the parallelism. The pipeline reads each topic with its own source, so 3 partitions on 2
        // subtasks gave one subtask two thirds of every topic, and that subtask alone bounded the run (the other
        // core idle for half of it); R_raw's consumers share all topics' partitions and stayed balanced.
        int partitions = Integer.parseInt(o.getOrDefault("partitions", String.valueOf(2 * parallelism)));
        long seed = Long.parseLong(o.getOrDefault("seed", "20261121"));
        List<Candidate> profiled = candidates(o.getOrDefault("profile", "bronze,full"), "profile", false);
        List<Candidate> candidates = candidates(o.getOrDefault("candidates", "raw,bronze,full"), "candidates", true);
        Duration timeout = Duration.ofMinutes(Long.parseLong(o.getOrDefault("timeout-minutes", "10")));
        Path out = Paths.get(o.getOrDefault("out", "results/throughput.md"));
        Variant variant = o.containsKey("variant") ? Variant.parse("variant", o.get("variant")) : Variant.NONE;
        // The pipeline as configured, and the variant beside it when one is given.
        List<Variant> variants = variant.isNone() ? List.of(Variant.NONE) : List.of(Variant.NONE, variant);
        if (repetitions < 1 || parallelism < 1 || orders < 1 || clicks < 1 || fulfillment < 1 || warmUps < 1
                || partitions < 1) {
            throw new IllegalArgumentException("--repetitions, --warm-ups, --parallelism, --partitions, --orders,"
                    + " --clicks and --fulfillment must be at least 1");
        }
        Path scratch = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("throughput");
        org.apache.flink.util.FileUtils.deleteDirectory(scratch.toFile());
        Files.createDirectories(scratch);
        Instant started = Instant.now();

        List<Measurement> measurements = new ArrayList<>();
        List<Measurement> warmUpRuns = new ArrayList<>();
        Map<Candidate, CpuProfile.Hotspots> hotspots = new LinkedHashMap<>();
        Map<Candidate, Double> profiledRates = new LinkedHashMap<>();
        ThroughputInput input;
        try (LocalServices services = LocalServices.builder().workDir(scratch.resolve("services"))
                .withKafka().withIcebergCatalog().start()) {
            progress("services up: Kafka " + services.kafkaBootstrapServers() + ", S3 " + services.objectStore().endpoint());
            long t = System.nanoTime();
            input = ThroughputInput.produce(services.kafkaBootstrapServers(), seed, orders, clicks, fulfillment, partitions);
            progress(String.format(Locale.ROOT, "produced %,d records (%,d bytes) to %s in %.1f s", input.total(),
                    input.totalBytes(), input.records, (System.nanoTime() - t) / 1e9));

            Map<String, String> s3 = new LinkedHashMap<>(services.icebergCatalogProperties());
            String rawLocation = s3.get("warehouse") + "/raw-baseline";
            try (PipelineThroughput pipeline = new PipelineThroughput(services, input, checkpointInterval, parallelism,
                    scratch)) {

                List<Map.Entry<Candidate, Variant>> order = new ArrayList<>();
                for (Candidate c : candidates) {
                    for (Variant v : c == Candidate.RAW ? List.of(Variant.NONE) : variants) {
                        order.add(Map.entry(c, v));
                    }
                }
                // Warm-ups of every run in the rotation, variants included (another chaining output, another state
                // layout is other code), measured like the repetitions but not counted: class loading, the JIT, the
                // first job on the MiniCluster. R_raw's compilers are done after one or two; the pipeline's keep
                // compiling for many more (its per-commit code, Iceberg's manifests and the S3 client, runs only a
                // few times per run): 27 s of JIT in the first full run of 5 M records, 11-14 s after three, 5-6 s
                // after eight. Each warm-up's JIT time is in the report, so a run shows whether it measured that.
                for (int w = 1; w <= warmUps; w++) {
                    for (Map.Entry<Candidate, Variant> run : order) {
                        Measurement m = measure(run.getKey(), run.getValue(), -w, services, s3, rawLocation, pipeline,
                                input, parallelism, timeout);
                        warmUpRuns.add(m);
                        progress(String.format(Locale.ROOT, "warm-up %d of %d (not counted): %s", w, warmUps, m.summary()));
                    }
                }
                for (int rep = 1; rep <= repetitions; rep++) {
                    for (int i = 0; i < order.size(); i++) {
                        Map.Entry<Candidate, Variant> run = order.get((i + rep - 1) % order.size());
                        Candidate c = run.getKey();
                        Measurement m = measure(c, run.getValue(), rep, services, s3, rawLocation, pipeline, input,
                                parallelism, timeout);
                        measurements.add(m);
                        progress(String.format(Locale.ROOT, "rep %d: %s", rep, m.summary()));
                    }
                }
                for (Candidate c : profiled) {
                    String name = c.name().toLowerCase(Locale.ROOT);
                    progress("profiling one more " + c.label + " run with async-profiler (not counted)");
                    Path stacks = Paths.get("target", "profiles", "throughput-" + name + ".collapsed");
                    CpuProfile profile = CpuProfile.start();
                    Measurement m = measure(c, Variant.NONE, 0, services, s3, rawLocation, pipeline, input, parallelism,
                            timeout);
                    profiledRates.put(c, m.rate());
                    hotspots.put(c, profile.stop(stacks, 15));
                    progress("collapsed stacks: " + stacks.toAbsolutePath() + " (a flame graph: async-profiler's"
                            + " converter, or flamegraph.pl)");
                }
            }
        }
        String report = report(measurements, warmUpRuns, input, started, parallelism, checkpointInterval, repetitions,
                warmUps, seed, variant, hotspots, profiledRates, args);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        Path csv = Paths.get(out.toString().replaceAll("\\.md$", "") + ".csv");
        Files.write(csv, csv(measurements).getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(report);
        System.out.println("Report written to " + out.toAbsolutePath() + " and " + csv.toAbsolutePath());
    }

    private static Measurement measure(Candidate c, Variant variant, int rep, LocalServices services,
            Map<String, String> s3, String rawLocation, PipelineThroughput pipeline, ThroughputInput input,
            int parallelism, Duration timeout) throws Exception {
        Measurement m = new Measurement();
        m.candidate = c;
        m.variant = variant;
        m.repetition = rep;
        m.records = input.total();
        m.loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        double cpu = Bench.cpuSeconds();
        double jit = Bench.jitSeconds();
        double gc = Bench.gcSeconds();
        // rep < 0: warm-up -rep; 0: the profiled run.
        String run = c.name().toLowerCase(Locale.ROOT) + (variant.isNone() ? "" : "-" + variant.name())
                + (rep < 0 ? "-warm-up-" + -rep : "-" + rep);
        if (c == Candidate.RAW) {
            RawBaseline.Result r = new RawBaseline(services.kafkaBootstrapServers(), s3, rawLocation + "/" + run)
                    .run(input.endOffsets, parallelism);
            m.seconds = (r.endMillis - r.startMillis) / 1000.0;
            m.bytes = r.bytes;
        } else {
            PipelineThroughput.Result r = pipeline.run(
                    c == Candidate.BRONZE ? PipelineThroughput.Mode.BRONZE : PipelineThroughput.Mode.FULL, run, timeout,
                    variant);
            m.seconds = (r.endMillis - r.startMillis) / 1000.0;
            m.bytes = r.bytes;
            m.commits = r.commits;
            m.firstCommitSeconds = (r.firstCommitMillis - r.startMillis) / 1000.0;
            m.submitSeconds = (r.submittedMillis - r.startMillis) / 1000.0;
            m.steadyRate = r.endMillis > r.firstCommitMillis
                    ? (m.records - r.recordsAtFirstCommit) * 1000.0 / (r.endMillis - r.firstCommitMillis) : Double.NaN;
            m.inputReadSeconds = r.inputReadMillis > 0 ? (r.inputReadMillis - r.startMillis) / 1000.0 : Double.NaN;
            m.endCheckpoint = r.endCheckpoint;
            m.endCheckpointFailure = r.endCheckpointFailure;
        }
        m.cpuSeconds = Bench.cpuSeconds() - cpu;
        m.jitSeconds = Bench.jitSeconds() - jit;
        m.gcSeconds = Bench.gcSeconds() - gc;
        return m;
    }

    private static String report(List<Measurement> ms, List<Measurement> warmUpRuns, ThroughputInput input,
            Instant started, int parallelism,
            Duration checkpointInterval, int repetitions, int warmUps, long seed, Variant variant,
            Map<Candidate, CpuProfile.Hotspots> profiles,
            Map<Candidate, Double> profiledRates, String[] args) {
        StringBuilder b = new StringBuilder();
        Runtime rt = Runtime.getRuntime();
        b.append("# Throughput against a raw baseline\n\n");
        b.append(String.format(Locale.ROOT, "Run %s (%.0f s), `ThroughputBenchmark %s`.%n%n",
                started.truncatedTo(ChronoUnit.SECONDS), Duration.between(started, Instant.now()).toMillis() / 1000.0,
                String.join(" ", args)));
        b.append(String.format(Locale.ROOT, "- Machine: %d cores, %s %s (%s), max heap %d MiB, %s %s; load average %.2f"
                        + " at the end (it counts the runnable threads of the benchmark itself, the pipeline's included, and of any other process).%n",
                rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("java.vendor"), rt.maxMemory() >> 20, System.getProperty("os.name"),
                System.getProperty("os.arch"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        b.append(String.format(Locale.ROOT, "- Flink %s (MiniCluster in the benchmark's JVM, parallelism %d, RocksDB,"
                        + " exactly-once checkpoints every %d ms), Iceberg %s (JDBC catalog on PostgreSQL, S3FileIO on"
                        + " s3proxy); Kafka %s broker in the same JVM.%n",
                EnvironmentInformation.getVersion(), parallelism, checkpointInterval.toMillis(), IcebergBuild.version(),
                org.apache.kafka.common.utils.AppInfoParser.getVersion()));
        b.append(String.format(Locale.ROOT, "- Input: %,d records, %,.1f MiB of keys and values (%s; %d partitions each),"
                        + " from the local run's generator (`DomainEventGenerator`, seed %d) with its planted defects: %s.%n",
                input.total(), input.totalBytes() / 1048576.0, input.records.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", ")),
                input.partitions, seed, input.defects));
        b.append(String.format(Locale.ROOT, "- %d repetitions of each candidate after %d warm-up runs of each (not"
                + " counted), interleaved (the order rotates each repetition). Every pipeline run is a job submitted to"
                + " one MiniCluster started once.%n", repetitions, warmUps));
        b.append(warmUpLine(warmUpRuns)).append('\n');

        Map<Candidate, List<Measurement>> by = new LinkedHashMap<>();
        for (Candidate c : Candidate.values()) {
            by.put(c, ms.stream().filter(m -> m.candidate == c && m.variant.isNone()).collect(Collectors.toList()));
        }
        double rawMedian = Bench.median(by.get(Candidate.RAW).stream().mapToDouble(Measurement::rate).toArray());
        b.append("| Candidate | What runs | Median records/s | Min | Max | Spread | Ratio to R_raw (medians) |"
                + " Ratio, median of repetitions | Target | Met |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Candidate c : Candidate.values()) {
            double[] rates = by.get(c).stream().mapToDouble(Measurement::rate).toArray();
            if (rates.length == 0) {
                continue;
            }
            Bench.Rates r = new Bench.Rates(rates, by.get(c).stream().mapToDouble(m -> rawRate(ms, m.repetition)).toArray(),
                    rawMedian);
            double target = c == Candidate.BRONZE ? 0.6 : c == Candidate.FULL ? 0.25 : Double.NaN;
            b.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %,.0f | %.0f%% | %s | %s | %s | %s |%n",
                    c.label, c.what, r.median, r.min, r.max, 100 * r.spread,
                    c == Candidate.RAW ? "1" : String.format(Locale.ROOT, "%.2f", r.ratioOfMedians),
                    c == Candidate.RAW ? "1" : String.format(Locale.ROOT, "%.2f", r.medianOfRatios),
                    Double.isNaN(target) ? "" : String.format(Locale.ROOT, ">= %.2f", target),
                    Double.isNaN(target) ? "" : r.ratioOfMedians >= target && r.medianOfRatios >= target ? "**yes**" : "**no**"));
        }
        b.append("\nSpread: (max - min) / median. Records/s: every record of the input over the time from just before the"
                + " job graph is built (on a MiniCluster already running) to the commit that completed the last table; R_raw: from the consumers'"
                + " start to the last Parquet file closed (uploaded). A streaming pipeline run triggers one checkpoint as soon as"
                + " its sources have emitted the whole input, so it ends at input read + drained + one checkpoint: a production"
                + " stream has no last record, and waiting up to one interval for the next periodic checkpoint would be an"
                + " artifact of a finite input.\n\n");

        b.append("Per repetition, in the order run:\n\n");
        b.append("| Rep | Candidate | Seconds | Records/s | CPU s (whole JVM) | Records per CPU s | JIT s | GC s |"
                + " Load avg at start | Submission s | Input read after s | End checkpoint | Commits | First commit after s |"
                + " Steady records/s | MiB written |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (Measurement m : ms) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %,.0f | %.1f | %,.0f | %.1f | %.1f | %.2f | %s | %s | %s | %s | %s | %s | %s |%n",
                    m.repetition, m.label(), m.seconds, m.rate(), m.cpuSeconds, m.records / m.cpuSeconds,
                    m.jitSeconds, m.gcSeconds, m.loadAverage, m.candidate == Candidate.RAW ? "" : String.format(Locale.ROOT, "%.1f", m.submitSeconds),
                    seconds(m.inputReadSeconds), m.endCheckpoint == null ? "" : m.endCheckpoint.label,
                    m.candidate == Candidate.RAW ? "" : String.valueOf(m.commits),
                    m.candidate == Candidate.RAW ? "" : String.format(Locale.ROOT, "%.1f", m.firstCommitSeconds),
                    m.candidate == Candidate.RAW || Double.isNaN(m.steadyRate) ? ""
                            : String.format(Locale.ROOT, "%,.0f", m.steadyRate),
                    m.bytes > 0 ? String.format(Locale.ROOT, "%.1f", m.bytes / 1048576.0) : ""));
        }
        b.append("\nCPU s counts the whole benchmark JVM, which also runs the Kafka broker (s3proxy and PostgreSQL are"
                + " other processes). JIT s: the JVM's count of time its compiler threads spent on compilations in that"
                + " run (elapsed and summed over the threads: on a busy machine it holds time they waited for a core,"
                + " so it can exceed their CPU time; it shows how much compiling a run still did). GC s: time in garbage"
                + " collection. Input read after s: from the start to when the job's sources had emitted the whole input"
                + " (the sum of their `bronzeRecords` counters, polled every 50 ms); empty if never seen. End checkpoint:"
                + " yes, one was triggered then; no, the counters never reached the input (the metric wiring is"
                + " wrong) and the periodic checkpoints ended the run; no (job"
                + " finishes), a bounded run, which commits at its end of input without checkpoints; failed, the trigger"
                + " failed and the periodic checkpoints ended the run. Steady records/s: the records committed after the first commit over the time"
                + " from the first commit to the last, without the start-up and the first checkpoint; it means little"
                + " when the input takes only a few checkpoint intervals (then most records are in the first commit).\n");
        List<Measurement> endCheckpointProblems = ms.stream().filter(m -> m.endCheckpointFailure != null)
                .collect(Collectors.toList());
        if (!endCheckpointProblems.isEmpty()) {
            b.append("\nEnd-of-input checkpoints that failed or went unanswered:\n\n");
            for (Measurement m : endCheckpointProblems) {
                b.append(String.format(Locale.ROOT, "- rep %d %s: %s%n", m.repetition, m.label(),
                        m.endCheckpointFailure.replace('\n', ' ')));
            }
        }
        if (!variant.isNone()) {
            b.append(variantSection(ms, variant));
        }

        profiles.forEach((c, h) -> b.append(CpuProfile.markdown("CPU profile of one " + c.label + " run", String.format(
                Locale.ROOT, "%s run, not counted (%,.0f records/s while profiled)", c.label, profiledRates.get(c)), h)));
        return b.toString();
    }

    /**
     * The variant against the unchanged pipeline: each repetition's ratio of the variant's run to the
     * unchanged run of the same candidate in the same repetition, in records/s and in CPU per record.
     */
    private static String variantSection(List<Measurement> ms, Variant variant) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%n## Variant `%s`: %s%n%n", variant.name(),
                variant.describe()));
        b.append("Each candidate's run with the variant against its run without it in the same repetition (a ratio"
                + " above 1 is faster, or more CPU per record). CPU per record is the steadier of the two: it does not"
                + " depend on how the checkpoints fell against the end of the input.\n\n");
        b.append("| Candidate | Median records/s, without | With | Records/s ratio per repetition | Median |"
                + " CPU µs per record, without | With | CPU ratio per repetition | Median |\n");
        b.append("|---|---:|---:|---|---:|---:|---:|---|---:|\n");
        for (Candidate c : Candidate.values()) {
            if (c == Candidate.RAW) {
                continue;
            }
            List<Measurement> base = ms.stream().filter(m -> m.candidate == c && m.variant.isNone()).collect(Collectors.toList());
            List<Measurement> with = ms.stream().filter(m -> m.candidate == c && !m.variant.isNone()).collect(Collectors.toList());
            if (base.isEmpty() || with.isEmpty()) {
                continue;
            }
            List<Double> rateRatios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            for (Measurement w : with) {
                base.stream().filter(m -> m.repetition == w.repetition).findFirst().ifPresent(m -> {
                    rateRatios.add(w.rate() / m.rate());
                    cpuRatios.add(w.cpuMicrosPerRecord() / m.cpuMicrosPerRecord());
                });
            }
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %.2f | %.2f | %.2f | %s | %.2f |%n", c.label,
                    Bench.median(base.stream().mapToDouble(Measurement::rate).toArray()),
                    Bench.median(with.stream().mapToDouble(Measurement::rate).toArray()), ratios(rateRatios),
                    Bench.median(rateRatios.stream().mapToDouble(Double::doubleValue).toArray()),
                    Bench.median(base.stream().mapToDouble(Measurement::cpuMicrosPerRecord).toArray()),
                    Bench.median(with.stream().mapToDouble(Measurement::cpuMicrosPerRecord).toArray()), ratios(cpuRatios),
                    Bench.median(cpuRatios.stream().mapToDouble(Double::doubleValue).toArray())));
        }
        return b.toString();
    }

    /**
     * Each run's warm-ups, in order: records/s and the JIT compilers' seconds. The JIT time falling from
     * one warm-up to the next shows how far from steady state the first measured repetition starts.
     */
    private static String warmUpLine(List<Measurement> warmUpRuns) {
        Map<String, List<Measurement>> byRun = new LinkedHashMap<>();
        warmUpRuns.forEach(m -> byRun.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(m));
        if (byRun.isEmpty()) {
            return "";
        }
        return "- Warm-ups, records/s (JIT s): " + byRun.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().stream()
                        .map(m -> String.format(Locale.ROOT, "%,.0f (%.1f)", m.rate(), m.jitSeconds))
                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; ")) + ".\n";
    }

    /** Seconds with one decimal; empty for NaN (not measured). */
    private static String seconds(double seconds) {
        return Double.isNaN(seconds) ? "" : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static String ratios(List<Double> ratios) {
        return ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", "));
    }

    private static double rawRate(List<Measurement> ms, int repetition) {
        return ms.stream().filter(m -> m.candidate == Candidate.RAW && m.repetition == repetition)
                .mapToDouble(Measurement::rate).findFirst().orElse(Double.NaN);
    }

    private static String csv(List<Measurement> ms) {
        StringBuilder b = new StringBuilder(
                "repetition,candidate,variant,records,seconds,records_per_s,cpu_s,jit_s,gc_s,load_avg,submission_s,commits,"
                        + "first_commit_s,steady_records_per_s,input_read_s,end_checkpoint\n");
        for (Measurement m : ms) {
            b.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%.3f,%.1f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%.2f,%.1f,%.2f,%s%n", m.repetition,
                    m.candidate.label, m.variant.name(), m.records, m.seconds, m.rate(), m.cpuSeconds, m.jitSeconds,
                    m.gcSeconds, m.loadAverage, m.submitSeconds, m.commits,
                    m.firstCommitSeconds, m.steadyRate, m.inputReadSeconds,
                    m.endCheckpoint == null ? "" : m.endCheckpoint.name().toLowerCase(Locale.ROOT)));
        }
        return b.toString();
    }




    /** A comma-separated list of candidates ({@code raw,bronze,full}); {@code none} for none where allowed. */
    private static List<Candidate> candidates(String value, String option, boolean rawRequired) {
        List<Candidate> out = new ArrayList<>();
        for (String name : value.split(",")) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.isEmpty() || (n.equals("NONE") && !rawRequired)) {
                continue;
            }
            try {
                out.add(Candidate.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + option + " '" + value + "': allowed are raw, bronze, full"
                        + (rawRequired ? "" : " and none") + ", comma-separated");
            }
        }
        if (rawRequired && !out.contains(Candidate.RAW)) {
            throw new IllegalArgumentException("--" + option + " must include raw: every ratio is to R_raw of the same run");
        }
        return out;
    }

    private static void progress(String line) {
        Bench.progress("throughput", line);
    }
}
