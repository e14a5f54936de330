package dev.lakestream.benchmarks;

import dev.lakestream.jobs.config.PipelineOptions;
import dev.lakestream.localservices.LocalServices;
import dev.lakestream.localservices.flink.FlinkCluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Freshness, checkpoint cost and recovery of the pipeline under a steady load, on a standalone
 * Flink cluster (a JobManager and a TaskManager process, the application jar submitted over REST).
 * For each mode ({@code bronze}, {@code full}) and checkpoint interval, one {@link FreshnessRun}:
 * a paced producer, freshness (event produced to visible in Iceberg) per record from the tables'
 * snapshot history, Flink's checkpoint statistics, and the TaskManager process killed with SIGKILL
 * half-way, a replacement started at once; bronze must then hold every produced record exactly once.
 *
 * <p>Arguments (all optional): {@code --modes bronze,full --rate-bronze 5000 --rate-full 2000
 * --checkpoint-interval-ms 2000 (a list runs each) --duration-s 120 --kill-at-s 60 (0: no loss)
 * --recovery-s 60 --parallelism 2 --seed 20261121 --timeout-minutes 5 --out results/freshness.md}.
 * Needs the application jar and the cluster classpath that {@code mvn -pl benchmarks -am verify}
 * builds in {@code flink-jobs/target} (run.sh does that).
 */
public final class FreshnessBenchmark {

    /** The cluster settings that decide the recovery time; the report states them. */
    static final Map<String, String> CLUSTER_SETTINGS = new LinkedHashMap<>();

    static {
        // Fixed here (FlinkCluster's own values, repeated so that the report's numbers name their settings):
        // a killed TaskManager's heartbeat RPCs fail at once, so it is declared lost after
        // heartbeat.rpc-failure-threshold (default 2) failed heartbeats, long before heartbeat.timeout.
        CLUSTER_SETTINGS.put("heartbeat.interval", "2000");
        CLUSTER_SETTINGS.put("heartbeat.timeout", "20000");
        // Flink 1.20's default for a checkpointing job, stated so that it cannot change unnoticed.
        CLUSTER_SETTINGS.put("restart-strategy.type", "exponential-delay");
        // The REST history is polled every 250 ms anyway; a longer one loses nothing if a poll is slow.
        CLUSTER_SETTINGS.put("web.checkpoints.history", "1000");
    }

    public static void main(String[] args) {
        Bench.exitWith("FreshnessBenchmark", args, FreshnessBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args, List.of("modes", "rate-bronze", "rate-full", "checkpoint-interval-ms",
                "duration-s", "kill-at-s", "recovery-s", "parallelism", "seed", "timeout-minutes", "timers", "out"));
        List<FreshnessRun.Mode> modes = modes(o.getOrDefault("modes", "bronze,full"));
        double rateBronze = Double.parseDouble(o.getOrDefault("rate-bronze", "5000"));
        double rateFull = Double.parseDouble(o.getOrDefault("rate-full", "2000"));
        List<Duration> intervals = new ArrayList<>();
        for (String v : o.getOrDefault("checkpoint-interval-ms", "2000").split(",")) {
            intervals.add(Duration.ofMillis(Long.parseLong(v.trim())));
        }
        Duration duration = Duration.ofSeconds(Long.parseLong(o.getOrDefault("duration-s", "120")));
        Duration killAt = Duration.ofSeconds(Long.parseLong(o.getOrDefault("kill-at-s", "60")));
        Duration recovery = Duration.ofSeconds(Long.parseLong(o.getOrDefault("recovery-s", "60")));
        int parallelism = Integer.parseInt(o.getOrDefault("parallelism", "2"));
        long seed = Long.parseLong(o.getOrDefault("seed", "20261121"));
        Duration timeout = Duration.ofMinutes(Long.parseLong(o.getOrDefault("timeout-minutes", "5")));
        Path out = Paths.get(o.getOrDefault("out", "results/freshness.md"));
        String timers = o.getOrDefault("timers", PipelineOptions.TIMERS.defaultValue().name());
        if (java.util.Arrays.stream(PipelineOptions.Timers.values()).noneMatch(t -> t.name().equals(timers))) {
            throw new IllegalArgumentException("--timers: '" + timers + "' is not one of "
                    + java.util.Arrays.toString(PipelineOptions.Timers.values()) + " (the pipeline's " + PipelineOptions.TIMERS.key() + ")");
        }
        if (rateBronze <= 0 || rateFull <= 0 || parallelism < 1) {
            throw new IllegalArgumentException("--rate-bronze and --rate-full must be above 0, --parallelism at least 1");
        }
        for (Duration interval : intervals) {
            if (interval.toMillis() < 100) {
                throw new IllegalArgumentException("--checkpoint-interval-ms: " + interval.toMillis() + " is below 100 ms");
            }
            if (!killAt.isZero() && killAt.toMillis() <= 4 * interval.toMillis()) {
                throw new IllegalArgumentException("--kill-at-s " + killAt.getSeconds() + " leaves no steady phase after the"
                        + " warm-up (2 intervals) at --checkpoint-interval-ms " + interval.toMillis()
                        + ": use more than 4 intervals, or 0 for no TaskManager loss");
            }
            if (killAt.isZero() && duration.toMillis() <= 4 * interval.toMillis()) {
                throw new IllegalArgumentException("--duration-s " + duration.getSeconds() + " is too short for"
                        + " --checkpoint-interval-ms " + interval.toMillis() + ": use more than 4 intervals");
            }
        }
        if (!killAt.isZero() && (killAt.compareTo(duration) >= 0 || recovery.getSeconds() < 10)) {
            throw new IllegalArgumentException("--kill-at-s must be below --duration-s and --recovery-s at least 10 (the load"
                    + " after the loss); got kill-at-s " + killAt.getSeconds() + ", duration-s " + duration.getSeconds()
                    + ", recovery-s " + recovery.getSeconds());
        }
        Path jar = applicationJar();
        Path dist = Paths.get("..", "flink-jobs", "target", "flink-cluster").toAbsolutePath().normalize();
        Path scratch = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("freshness");
        org.apache.flink.util.FileUtils.deleteDirectory(scratch.toFile());
        Files.createDirectories(scratch);
        Instant started = Instant.now();

        List<FreshnessRun.Result> results = new ArrayList<>();
        String clusterLine;
        try (LocalServices services = LocalServices.builder().workDir(scratch.resolve("services"))
                .withKafka().withIcebergCatalog().start()) {
            FlinkCluster.Builder builder = FlinkCluster.builder(FlinkCluster.classpathFrom(dist))
                    .dir(scratch.resolve("flink-cluster")).taskSlots(parallelism).logLevel("WARN");
            CLUSTER_SETTINGS.forEach(builder::config);
            try (FlinkCluster cluster = builder.start()) {
                clusterLine = String.format(Locale.ROOT, "standalone session cluster started in %.1f s (JobManager and one"
                        + " TaskManager with %d slots, each its own JVM)", cluster.startupTime().toMillis() / 1000.0, parallelism);
                progress("services up (Kafka " + services.kafkaBootstrapServers() + "); Flink " + clusterLine + ", REST "
                        + cluster.restEndpoint());
                String jarId = cluster.rest().uploadJar(jar);
                FreshnessRun run = new FreshnessRun(services, cluster, jarId, scratch, seed,
                        FreshnessRun.partitionsFor(parallelism), timers);
                for (FreshnessRun.Mode mode : modes) {
                    for (Duration interval : intervals) {
                        double rate = mode == FreshnessRun.Mode.BRONZE ? rateBronze : rateFull;
                        FreshnessRun.Result r = run.run(mode, interval, rate, duration, killAt, recovery, timeout);
                        results.add(r);
                        progress(FreshnessReport.summary(r));
                    }
                }
            }
        }
        String report = FreshnessReport.markdown(results, started, args, clusterLine, parallelism, seed, duration, killAt,
                recovery);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        Path csv = Paths.get(out.toString().replaceAll("\\.md$", "") + ".csv");
        Files.write(csv, FreshnessReport.csv(results).getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(report);
        System.out.println("Report written to " + out.toAbsolutePath() + " and " + csv.toAbsolutePath());
    }

    /** The shaded application jar flink-jobs' package phase builds (what MSF runs). */
    private static Path applicationJar() throws Exception {
        Path target = Paths.get("..", "flink-jobs", "target").toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                java.util.Optional<Path> jar = files
                        .filter(p -> p.getFileName().toString().matches("flink-jobs-.*-application\\.jar")).findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            }
        }
        throw new IllegalStateException("No flink-jobs-*-application.jar in " + target + ": run the benchmark through"
                + " benchmarks/run.sh freshness (mvn -pl benchmarks -am verify packages flink-jobs first)");
    }

    private static List<FreshnessRun.Mode> modes(String value) {
        List<FreshnessRun.Mode> out = new ArrayList<>();
        for (String m : value.split(",")) {
            try {
                out.add(FreshnessRun.Mode.valueOf(m.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--modes '" + value + "': allowed are bronze and full, comma-separated");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--modes is empty: allowed are bronze and full, comma-separated");
        }
        return out;
    }

    private static void progress(String line) {
        Bench.progress("freshness", line);
    }
}
