package dev.lakestream.benchmarks;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.commits.SourceRanges;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverOptions;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.localservices.LocalServices;
import dev.lakestream.localservices.flink.FlinkCluster;
import dev.lakestream.localservices.flink.FlinkRestClient;

import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.common.TopicPartition;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One measured run: the production application jar on the standalone cluster ({@link FlinkCluster}:
 * a JobManager and a TaskManager process, the jar submitted over REST as on a real cluster) reading
 * three fresh topics while {@link FreshnessProducer} sends at a fixed rate, with, optionally, the
 * TaskManager process killed (SIGKILL) half-way and a replacement started at once, as MSF would
 * replace a lost one.
 *
 * <p>Timeline (producer time): the producer starts once the job has completed its first checkpoint
 * (every task is up); records of the first two checkpoint intervals are warm-up, left out of the
 * percentiles; the steady phase runs until {@code killAt}. Before the kill the run waits until
 * bronze's committed source ranges cover every record of the steady phase (plus 2 s for silver,
 * which commits on the same checkpoints), so no steady-phase number includes the recovery. The
 * producer goes on for {@code recovery} after the kill. Then the run waits until every table holds
 * everything (bronze: every record; silver + quarantine: every record less the planted retry
 * duplicates), cancels the job and reads each table's history snapshot by snapshot (see {@link
 * FreshnessVisibility}). Any loss, duplicate, send failure or job failure fails the run.
 */
final class FreshnessRun {

    enum Mode { BRONZE, FULL }

    /** Width of a window of the freshness timeline. */
    static final long TIMELINE_MILLIS = 10_000;

    /** What the run found; the report reads it. */
    static final class Result {
        Mode mode;
        String name;
        long intervalMillis;
        double rate;
        long records;
        Map<String, Long> recordsPerTopic;
        long producerLagMillis;
        long producerStart;
        long warmupEnd;
        long steadyEnd;
        long producerEnd;
        long[] bronzeSteady;
        long[] silverSteady;
        /** Freshness of the records sent in each {@link #TIMELINE_MILLIS} of the load (sorted, ms), from the producer's start. */
        List<long[]> bronzeTimeline;
        List<long[]> silverTimeline;
        long silverLanded;
        long silverExpectedMissing;
        long steadyPendingAtKill;
        boolean killed;
        long killMillis;
        long failureNoticedMillis;
        String failureName;
        long replacementRegisteredMillis;
        long runningAgainMillis;
        long firstCommitAfterMillis;
        long recoveredMillis;
        long maxFreshnessAfterKill;
        long recordsDuringRecovery;
        long[] bronzeAfterRecovery;
        List<FreshnessJobMonitor.Checkpoint> checkpoints;
        long bronzeCommits;
        String jobId;
        double loadAtStart;
        double loadAtEnd;
    }

    private final LocalServices services;
    private final FlinkCluster cluster;
    private final String jarId;
    private final Path scratch;
    private final long seed;
    private final int partitions;
    /** The pipeline's {@code pipeline.timers}. */
    private final String timers;

    /**
     * Partitions per topic for a parallelism: a multiple of it, or one subtask of each topic's source
     * reads more partitions than the other and bounds the run.
     */
    static int partitionsFor(int parallelism) {
        return 2 * parallelism;
    }

    /** @param partitions of each topic, see {@link #partitionsFor} */
    FreshnessRun(LocalServices services, FlinkCluster cluster, String jarId, Path scratch, long seed, int partitions,
            String timers) {
        this.partitions = partitions;
        this.timers = timers;
        this.services = services;
        this.cluster = cluster;
        this.jarId = jarId;
        this.scratch = scratch;
        this.seed = seed;
    }

    /** The pipeline's configuration for a run, as the throughput benchmark's but with this run's topics and tables. */
    static Map<String, String> settings(LocalServices services, Mode mode, String run, List<String> topics,
            Duration interval, String timers) {
        Map<String, String> raw = new LinkedHashMap<>(LocalServicesConfig.pipelineProperties(services, topics));
        raw.put("pipeline.timers", timers);
        raw.put("pipeline.name", "lakestream-freshness-" + run);
        raw.put("pipeline.checkpoint-interval", interval.toMillis() + " ms");
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("kafka.group-id", "lakestream-freshness-" + run);
        if (mode == Mode.BRONZE) {
            raw.put("gold.enabled", "false");
        } else {
            raw.put("silver.clickstream.source", topics.get(1));
            raw.put("silver.clickstream.table", run + "_clickstream_events");
            raw.put("silver.fulfillment-events.source", topics.get(2));
            raw.put("silver.fulfillment-events.table", run + "_fulfillment_events");
            // As the local run and the throughput benchmark: a short lateness closes the generated hours' windows.
            raw.put("gold.allowed-lateness", "10 min");
            raw.put("gold.table-prefix", run + "_");
        }
        return raw;
    }

    Result run(Mode mode, Duration interval, double rate, Duration duration, Duration killAt, Duration recovery,
            Duration timeout) throws Exception {
        String name = (mode == Mode.BRONZE ? "fb" : "ff") + interval.toMillis();
        List<String> topics = List.of(name + "_orders", name + "_clickstream", name + "_fulfillment");
        for (String topic : topics) {
            KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, partitions);
        }
        Map<String, String> settings = settings(services, mode, name, topics, interval, timers);
        Configuration config = IngestionPipeline.validate(PipelineConfig.fromMap(settings, IngestionPipeline.options()))
                .configuration();
        Path properties = scratch.resolve(name + ".properties");
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer out = Files.newBufferedWriter(properties)) {
            p.store(out, "FreshnessBenchmark run " + name);
        }

        Result r = new Result();
        r.mode = mode;
        r.name = name;
        r.intervalMillis = interval.toMillis();
        r.rate = rate;
        FlinkRestClient rest = cluster.rest();
        String jobId = rest.runJar(jarId, List.of("--config", properties.toString()), null, false);
        r.jobId = jobId;
        FreshnessJobMonitor monitor = new FreshnessJobMonitor(cluster.restEndpoint(), jobId);
        Catalog catalog = CatalogFactory.open(config);
        try (FreshnessProducer producer = new FreshnessProducer(services.kafkaBootstrapServers(), topics, rate, seed,
                // One chunk for the whole run where it fits in memory: then its event times span one simulated hour.
                (int) Math.min(100_000, Math.max(5_000, rate * duration.getSeconds())))) {
            rest.awaitStatus(jobId, "RUNNING", timeout);
            awaitFirstCheckpoint(rest, monitor, jobId, timeout);
            progress(name + ": job " + jobId + " running, first checkpoint completed; producing " + (long) rate + " records/s");

            Map<String, Table> bronze = new LinkedHashMap<>();
            IngestionPipeline.bronzeTables(config).forEach((topic, spec) -> bronze.put(topic, catalog.loadTable(spec.identifier())));
            Map<String, SilverDataset> datasets = SilverOptions.datasetsBySource(config);

            r.loadAtStart = Bench.loadAverage();
            producer.start();
            r.producerStart = producer.startMillis();
            r.warmupEnd = r.producerStart + 2 * interval.toMillis();
            boolean kill = !killAt.isZero();
            r.steadyEnd = r.producerStart + (kill ? killAt : duration).toMillis();
            watch(rest, monitor, producer, jobId, r.steadyEnd);

            long stopAt;
            if (kill) {
                // Let the acknowledgements of the last steady records arrive, then wait until bronze shows them all.
                watch(rest, monitor, producer, jobId, System.currentTimeMillis() + 1_000);
                Map<TopicPartition, Long> steadyLast = producer.lastOffsetsSentBefore(r.steadyEnd);
                long deadline = System.currentTimeMillis() + 2 * interval.toMillis() + 30_000;
                while (!covered(bronze, steadyLast) && System.currentTimeMillis() < deadline) {
                    watch(rest, monitor, producer, jobId, System.currentTimeMillis() + 200);
                }
                r.steadyPendingAtKill = pending(bronze, steadyLast);
                watch(rest, monitor, producer, jobId, System.currentTimeMillis() + 2_000);
                r.killed = true;
                r.killMillis = System.currentTimeMillis();
                cluster.killTaskManager();
                progress(String.format(Locale.ROOT, "%s: TaskManager killed (SIGKILL) %.1f s into the load; starting a"
                        + " replacement", name, (r.killMillis - r.producerStart) / 1000.0));
                CompletableFuture<Long> replacement = CompletableFuture.supplyAsync(() -> {
                    cluster.startTaskManager();
                    return System.currentTimeMillis();
                });
                stopAt = Math.max(r.producerStart + duration.toMillis(), r.killMillis + recovery.toMillis());
                boolean sawDown = false;
                while (System.currentTimeMillis() < stopAt) {
                    producer.checkHealthy();
                    String[] status = monitor.status();
                    failIfTerminal(rest, jobId, status[0]);
                    boolean running = Boolean.parseBoolean(status[1]);
                    sawDown |= !running;
                    if (sawDown && running && r.runningAgainMillis == 0) {
                        r.runningAgainMillis = System.currentTimeMillis();
                        progress(String.format(Locale.ROOT, "%s: every task running again %.1f s after the kill", name,
                                (r.runningAgainMillis - r.killMillis) / 1000.0));
                    }
                    if (replacement.isDone() && r.replacementRegisteredMillis == 0) {
                        r.replacementRegisteredMillis = replacement.get();
                    }
                    monitor.pollCheckpoints();
                    Thread.sleep(250);
                }
                r.replacementRegisteredMillis = replacement.get(3, TimeUnit.MINUTES);
                if (r.runningAgainMillis == 0) {
                    throw new IllegalStateException(name + ": the job's tasks were not all RUNNING again within "
                            + (stopAt - r.killMillis) / 1000 + " s of the TaskManager loss (saw them down: " + sawDown + "). "
                            + rest.failureSummary(jobId));
                }
            } else {
                stopAt = r.producerStart + duration.toMillis();
                watch(rest, monitor, producer, jobId, stopAt);
            }
            producer.stop();
            r.producerEnd = System.currentTimeMillis();
            r.loadAtEnd = Bench.loadAverage();
            r.records = producer.records();
            r.recordsPerTopic = producer.recordsPerTopic();
            r.producerLagMillis = producer.maxLagMillis();
            progress(String.format(Locale.ROOT, "%s: produced %,d records %s (largest lag behind the schedule %d ms);"
                    + " waiting for the tables to hold them", name, r.records, r.recordsPerTopic, r.producerLagMillis));

            awaitComplete(rest, monitor, jobId, bronze, datasets, catalog, producer, timeout);
            monitor.pollCheckpoints();
            if (r.killed) {
                TreeMap<Long, String> failures = monitor.failures();
                Map.Entry<Long, String> first = failures.ceilingEntry(r.killMillis);
                if (first != null) {
                    r.failureNoticedMillis = first.getKey();
                    r.failureName = first.getValue();
                }
            }
            r.checkpoints = monitor.checkpoints();
            rest.cancel(jobId);
            rest.awaitStatus(jobId, "CANCELED", Duration.ofMinutes(2));

            analyse(r, producer, bronze, datasets, catalog);
            return r;
        } catch (Exception | Error e) {
            try {
                if (!FlinkRestClient.TERMINAL.contains(rest.jobStatus(jobId))) {
                    rest.cancel(jobId);
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }

    private void analyse(Result r, FreshnessProducer producer, Map<String, Table> bronze,
            Map<String, SilverDataset> datasets, Catalog catalog) {
        Map<TopicPartition, FreshnessProducer.SendTimes> sent = producer.sent();
        FreshnessVisibility b = new FreshnessVisibility(sent);
        bronze.values().forEach(t -> b.read(t, FreshnessVisibility.Coordinates.BRONZE));
        // Exactly once in bronze: every produced (topic, partition, offset) once, nothing else.
        List<String> missing = new ArrayList<>();
        long missingCount = 0;
        for (Map.Entry<TopicPartition, FreshnessProducer.SendTimes> e : sent.entrySet()) {
            for (long o = 0; o < e.getValue().size(); o++) {
                if (e.getValue().get(o) == 0) {
                    throw new IllegalStateException(r.name + ": offset " + o + " of " + e.getKey() + " has no recorded send"
                            + " time although later offsets do (first gaps: " + e.getValue().missing() + ")");
                }
                if (b.visibleAt(e.getKey(), o) == 0) {
                    missingCount++;
                    if (missing.size() < 20) {
                        missing.add(e.getKey() + "@" + o);
                    }
                }
            }
        }
        if (missingCount > 0 || b.duplicates > 0 || b.unexpected > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s: bronze is not exactly once: %,d produced records"
                            + " missing (first: %s), %,d duplicates (%s), %,d rows of records never produced (%s)", r.name,
                    missingCount, missing, b.duplicates, b.duplicateExamples, b.unexpected, b.unexpectedExamples));
        }
        r.bronzeSteady = freshness(b, sent, r.warmupEnd, r.steadyEnd, null);
        r.bronzeTimeline = timeline(b, sent, r.producerStart, r.steadyEnd, null);
        r.bronzeCommits = b.commits.stream().filter(c -> c.rows > 0).count();

        if (r.mode == Mode.FULL) {
            FreshnessVisibility s = new FreshnessVisibility(sent);
            for (SilverDataset d : datasets.values()) {
                s.read(catalog.loadTable(d.silverTable().identifier()), FreshnessVisibility.Coordinates.SILVER);
                s.read(catalog.loadTable(d.quarantineTable().identifier()), FreshnessVisibility.Coordinates.SILVER);
            }
            if (s.duplicates > 0 || s.unexpected > 0) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s: silver + quarantine hold %,d records twice (%s)"
                        + " and %,d never produced (%s)", r.name, s.duplicates, s.duplicateExamples, s.unexpected,
                        s.unexpectedExamples));
            }
            r.silverLanded = s.rows;
            long[] notLanded = new long[1];
            r.silverSteady = freshness(s, sent, r.warmupEnd, r.steadyEnd, notLanded);
            // The dropped retry duplicates are never visible: counted above already, not again here.
            r.silverTimeline = timeline(s, sent, r.producerStart, r.steadyEnd, new long[1]);
            // Only the silver datasets' topics count: the orders topic has no silver here.
            r.silverExpectedMissing = producer.duplicatesPerTopic().entrySet().stream()
                    .filter(e -> datasets.containsKey(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        }

        if (r.killed) {
            long bound = r.intervalMillis + 5_000;
            List<FreshnessVisibility.Commit> after = new ArrayList<>();
            b.commits.stream().filter(c -> c.timestampMillis > r.killMillis && c.rows > 0)
                    .sorted((x, y) -> Long.compare(x.timestampMillis, y.timestampMillis)).forEach(after::add);
            if (after.isEmpty()) {
                throw new IllegalStateException(r.name + ": no bronze commit after the TaskManager loss");
            }
            r.firstCommitAfterMillis = after.get(0).timestampMillis;
            r.maxFreshnessAfterKill = after.stream().mapToLong(c -> c.maxFreshnessMillis).max().orElse(-1);
            // Back within the bound: the first commit from which on every commit's oldest record is within it.
            int from = after.size();
            while (from > 0 && after.get(from - 1).maxFreshnessMillis <= bound) {
                from--;
            }
            // Only while the load still runs: after it, the last commits hold a finite backlog, not a steady stream.
            r.recoveredMillis = from < after.size() && after.get(from).timestampMillis <= r.producerEnd
                    ? after.get(from).timestampMillis : 0;
            if (r.recoveredMillis > 0) {
                r.recordsDuringRecovery = countSent(sent, r.killMillis, r.recoveredMillis);
                r.bronzeAfterRecovery = freshness(b, sent, r.recoveredMillis, r.producerEnd, null);
            }
        }
    }

    /**
     * Freshness (visible - sent, ms) of the records sent in [from, to), sorted; records never visible
     * are counted in {@code notVisible} (silver: the dropped duplicates) or, when it is null, fail.
     */
    private static long[] freshness(FreshnessVisibility v, Map<TopicPartition, FreshnessProducer.SendTimes> sent, long from,
            long to, long[] notVisible) {
        List<Long> values = new ArrayList<>();
        for (Map.Entry<TopicPartition, FreshnessProducer.SendTimes> e : sent.entrySet()) {
            FreshnessProducer.SendTimes times = e.getValue();
            for (long o = 0; o < times.size(); o++) {
                long t = times.get(o);
                if (t < from || t >= to) {
                    continue;
                }
                long at = v.visibleAt(e.getKey(), o);
                if (at == 0) {
                    if (notVisible == null) {
                        throw new IllegalStateException("record " + e.getKey() + "@" + o + " was never visible");
                    }
                    notVisible[0]++;
                    continue;
                }
                values.add(at - t);
            }
        }
        return values.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /**
     * Freshness per {@link #TIMELINE_MILLIS} window of send time from {@code from} to {@code to}: shows
     * whether a tail is spread over the load or comes from one stretch of it (the JIT's first
     * minute, a slow checkpoint, a compaction).
     */
    private static List<long[]> timeline(FreshnessVisibility v, Map<TopicPartition, FreshnessProducer.SendTimes> sent,
            long from, long to, long[] notVisible) {
        List<long[]> windows = new ArrayList<>();
        for (long start = from; start < to; start += TIMELINE_MILLIS) {
            windows.add(freshness(v, sent, start, Math.min(to, start + TIMELINE_MILLIS), notVisible));
        }
        return windows;
    }

    private static long countSent(Map<TopicPartition, FreshnessProducer.SendTimes> sent, long from, long to) {
        long n = 0;
        for (FreshnessProducer.SendTimes times : sent.values()) {
            for (long o = 0; o < times.size(); o++) {
                long t = times.get(o);
                n += t >= from && t < to ? 1 : 0;
            }
        }
        return n;
    }

    /** Polls the job (status every 250 ms, checkpoints each time) and the producer until {@code untilMillis}. */
    private static void watch(FlinkRestClient rest, FreshnessJobMonitor monitor, FreshnessProducer producer, String jobId,
            long untilMillis) throws Exception {
        do {
            producer.checkHealthy();
            failIfTerminal(rest, jobId, monitor.status()[0]);
            monitor.pollCheckpoints();
            long left = untilMillis - System.currentTimeMillis();
            if (left > 0) {
                Thread.sleep(Math.min(250, left));
            }
        } while (System.currentTimeMillis() < untilMillis);
    }

    private static void failIfTerminal(FlinkRestClient rest, String jobId, String state) {
        if (FlinkRestClient.TERMINAL.contains(state)) {
            throw new IllegalStateException("Job " + jobId + " ended (" + state + ") during the run. " + rest.failureSummary(jobId));
        }
    }

    private static void awaitFirstCheckpoint(FlinkRestClient rest, FreshnessJobMonitor monitor, String jobId, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (monitor.pollCheckpoints() < 1) {
            failIfTerminal(rest, jobId, monitor.status()[0]);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Job " + jobId + " completed no checkpoint within " + timeout + ". "
                        + rest.failureSummary(jobId));
            }
            Thread.sleep(250);
        }
    }

    /** Whether bronze's committed source ranges cover each partition's offset. */
    private static boolean covered(Map<String, Table> bronze, Map<TopicPartition, Long> offsets) {
        return pending(bronze, offsets) == 0;
    }

    /** How many of the partitions' offsets bronze's committed source ranges do not cover yet. */
    private static long pending(Map<String, Table> bronze, Map<TopicPartition, Long> offsets) {
        Map<String, SourceRanges> ranges = new LinkedHashMap<>();
        bronze.forEach((topic, table) -> {
            table.refresh();
            ranges.put(topic, SourceRanges.committed(table, "main"));
        });
        long pending = 0;
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            SourceRanges r = ranges.get(e.getKey().topic());
            if (r == null || !r.covers(SourceRanges.partitionKey(e.getKey().topic(), Integer.toString(e.getKey().partition())),
                    BigInteger.valueOf(e.getValue()))) {
                pending++;
            }
        }
        return pending;
    }

    /**
     * Waits until bronze holds every record and, in the full pipeline, each silver dataset's silver +
     * quarantine rows equal its topic's records less the planted retry duplicates; more than that
     * fails at once (something landed twice).
     */
    private static void awaitComplete(FlinkRestClient rest, FreshnessJobMonitor monitor, String jobId, Map<String, Table> bronze,
            Map<String, SilverDataset> datasets, Catalog catalog, FreshnessProducer producer, Duration timeout)
            throws Exception {
        Map<String, Long> records = producer.recordsPerTopic();
        Map<String, Long> duplicates = producer.duplicatesPerTopic();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> state = new LinkedHashMap<>();
            boolean done = true;
            for (Map.Entry<String, Table> e : bronze.entrySet()) {
                long rows = rows(e.getValue());
                long expected = records.get(e.getKey());
                if (rows > expected) {
                    throw new IllegalStateException("bronze " + e.getValue().name() + " holds " + rows + " rows for "
                            + expected + " produced records");
                }
                done &= rows == expected;
                state.put(e.getValue().name(), rows + "/" + expected);
            }
            for (Map.Entry<String, SilverDataset> e : datasets.entrySet()) {
                long rows = rows(catalog.loadTable(e.getValue().silverTable().identifier()))
                        + rows(catalog.loadTable(e.getValue().quarantineTable().identifier()));
                long expected = records.get(e.getKey()) - duplicates.get(e.getKey());
                if (rows > expected) {
                    throw new IllegalStateException("silver + quarantine of " + e.getKey() + " hold " + rows + " rows, more"
                            + " than the " + expected + " records less planted duplicates");
                }
                done &= rows == expected;
                state.put(e.getKey() + " silver+quarantine", rows + "/" + expected);
            }
            if (done) {
                return;
            }
            failIfTerminal(rest, jobId, monitor.status()[0]);
            monitor.pollCheckpoints();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Job " + jobId + ": the tables did not receive every record within " + timeout
                        + " after the producer stopped (rows/expected: " + state + ")");
            }
            Thread.sleep(500);
        }
    }

    private static long rows(Table table) {
        table.refresh();
        Snapshot s = table.currentSnapshot();
        return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    }

    private static void progress(String line) {
        Bench.progress("freshness", line);
    }
}
