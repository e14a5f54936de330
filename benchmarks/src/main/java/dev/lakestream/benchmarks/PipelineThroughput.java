package dev.lakestream.benchmarks;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.localrun.ProgressReporter;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverOptions;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.Catalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * R_bronze and R_full: the production pipeline ({@link IngestionPipeline#build}, the MSF entry
 * point's wiring) on a MiniCluster, from the earliest offsets, until its tables have committed the
 * whole input. Each run gets empty tables (dropped and provisioned again: the replay guard would
 * otherwise skip everything a previous run committed) and its own consumer group.
 *
 * <ul>
 *   <li>bronze: the three topics into their bronze tables; no silver, gold off;
 *   <li>full: the same plus silver clickstream and fulfillment (quarantine, deduplication), gold
 *       windows (user sessions, facility throughput, late events) and the facility rolling
 *       features. Customer features and daily revenue need a CDC source and are not part of it.
 * </ul>
 *
 * Done when every bronze table holds its topic's records and, in the full pipeline, every silver
 * dataset's silver + quarantine rows equal its topic's records minus the planted client-retry
 * duplicates. The time runs from just before the job graph is built to the timestamp of the commit
 * (snapshot) that completed the last table. Once the job's sources have emitted the whole input
 * (their {@code bronzeRecords} counters, read through {@link ProgressReporter}) the run triggers one checkpoint: a production stream has no last record,
 * and waiting up to one interval for the next periodic checkpoint to commit it is an artifact of a
 * finite input. With {@code kafka.stopping-offsets} set (a variant such as {@code
 * backfill:kafka.stopping-offsets=LATEST}) the run is the product's bounded backfill: no periodic
 * checkpoints, one commit per table at the end of the input, and the job finishes (no checkpoint is
 * triggered).
 *
 * <p>Every run goes to one MiniCluster, started once (as an MSF application's cluster is already up
 * when its job is submitted). A MiniCluster per run loads its RPC system (Pekko, Scala) in a fresh
 * class loader each time, so the JIT compiled hundreds of their methods again in every pipeline run,
 * a cost a running cluster does not pay per job.
 */
final class PipelineThroughput implements AutoCloseable {

    enum Mode { BRONZE, FULL }

    /** Whether a run triggered a checkpoint once its sources had emitted the whole input. */
    enum EndCheckpoint {
        /**
         * Triggered. It usually completes the tables; a periodic checkpoint that started between the
         * last record and the trigger may complete them first.
         */
        YES("yes"),
        /** Not triggered: the sources' counters never reached the input (see {@link #recordsRead}). */
        NO("no"),
        /** Not triggered, none needed: a bounded run commits at its end of input and finishes by itself. */
        NOT_NEEDED("no (job finishes)"),
        /** Triggered, and the trigger failed while the job ran: the periodic checkpoints ended the run. */
        FAILED("failed");

        final String label;

        EndCheckpoint(String label) {
            this.label = label;
        }
    }

    /** How often the run looks at the sources' counters: cheap, an in-memory sum. */
    private static final long INPUT_POLL_MILLIS = 50;
    /**
     * How often it reads the tables' metadata. The end time is the completing snapshot's own timestamp,
     * so polling more often buys no precision; each poll reads every table's metadata in this JVM, beside
     * the job.
     */
    private static final long TABLE_POLL_MILLIS = 2000;

    /** What one run measured. */
    static final class Result {
        long startMillis;
        /** When the job was submitted (its graph built and accepted by the cluster). */
        long submittedMillis;
        long endMillis;
        long firstCommitMillis;
        long recordsAtFirstCommit;
        int commits;
        /** Bytes of the data files the run's tables hold at the end (total-files-size). */
        long bytes;
        Map<String, Long> rows = new LinkedHashMap<>();
        /** When the job's sources had emitted the whole input; 0 if that was never seen. */
        long inputReadMillis;
        EndCheckpoint endCheckpoint = EndCheckpoint.NO;
        /** Why the end-of-input checkpoint failed, when it did. */
        String endCheckpointFailure;
    }

    private final LocalServices services;
    private final ThroughputInput input;
    private final Duration checkpointInterval;
    private final int parallelism;
    private final Path scratch;
    private final MiniCluster cluster;

    /** Starts the MiniCluster every run of this instance is submitted to; {@link #close} stops it. */
    PipelineThroughput(LocalServices services, ThroughputInput input, Duration checkpointInterval, int parallelism,
            Path scratch) throws Exception {
        this.services = services;
        this.input = input;
        this.checkpointInterval = checkpointInterval;
        this.parallelism = parallelism;
        this.scratch = scratch;
        this.cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                // The metric reporter tells the runs when their sources have read the whole input.
                .setConfiguration(withProgressReporter(MiniClusters.sizedLikeMsf(new Configuration(), parallelism)))
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
        cluster.start();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    Configuration config(Mode mode, String runName, Variant variant) {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, input.topics());
        raw.put("pipeline.name", "lakestream-throughput-" + runName);
        raw.put("pipeline.checkpoint-interval", checkpointInterval.toMillis() + " ms");
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("kafka.group-id", "lakestream-throughput-" + runName);
        if (mode == Mode.BRONZE) {
            raw.put("gold.enabled", "false");
        } else {
            raw.put("silver.clickstream.source", ThroughputInput.CLICKS);
            raw.put("silver.clickstream.table", "bench_clickstream_events");
            raw.put("silver.fulfillment-events.source", ThroughputInput.FULFILLMENT);
            raw.put("silver.fulfillment-events.table", "bench_fulfillment_events");
            // As the local run: the generated hour of events with a short lateness closes windows.
            raw.put("gold.allowed-lateness", "10 min");
            raw.put("gold.table-prefix", "bench_");
        }
        raw.putAll(variant.pipelineOptions());
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    /** One run with {@code variant}'s pipeline options, Flink settings and table properties over the defaults. */
    Result run(Mode mode, String runName, Duration timeout, Variant variant) throws Exception {
        Configuration config = config(mode, runName, variant);
        Catalog catalog = CatalogFactory.open(config);
        try {
            List<TableSpec> specs = IngestionPipeline.tables(config);
            for (TableSpec spec : specs) {
                if (catalog.tableExists(spec.identifier())) {
                    catalog.dropTable(spec.identifier(), true);
                }
            }
            IngestionPipeline.provisionTables(config);
            if (!variant.tableProperties().isEmpty()) {
                for (TableSpec spec : specs) {
                    UpdateProperties update = catalog.loadTable(spec.identifier()).updateProperties();
                    variant.tableProperties().forEach(update::set);
                    update.commit();
                }
            }

            Map<String, Table> bronze = new LinkedHashMap<>();
            IngestionPipeline.bronzeTables(config).forEach((topic, spec) -> bronze.put(topic, catalog.loadTable(spec.identifier())));
            Map<String, Table[]> silver = new LinkedHashMap<>();
            for (Map.Entry<String, SilverDataset> e : SilverOptions.datasetsBySource(config).entrySet()) {
                silver.put(e.getKey(), new Table[] {catalog.loadTable(e.getValue().silverTable().identifier()),
                        catalog.loadTable(e.getValue().quarantineTable().identifier())});
            }

            Configuration flink = new Configuration();
            flink.setString("execution.checkpointing.dir", scratch.resolve("checkpoints-" + runName).toUri().toString());
            variant.flinkSettings().forEach(flink::setString);
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
            env.setParallelism(parallelism);

            Result result = new Result();
            // The clock starts before the job graph is built: building, submitting and deploying the job count
            // (about 1 s here), so a small input understates the pipeline rather than flattering it.
            result.startMillis = System.currentTimeMillis();
            IngestionPipeline.build(env, config);
            StreamGraph graph = env.getStreamGraph();
            graph.setJobName(config.getString("pipeline.name", runName));
            JobGraph jobGraph = graph.getJobGraph();
            cluster.submitJob(jobGraph).get(60, TimeUnit.SECONDS);
            JobClient job = new MiniClusterJobClient(jobGraph.getJobID(), cluster, getClass().getClassLoader(),
                    MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
            result.submittedMillis = System.currentTimeMillis();
            // The records the run's topics hold: every one is a record its sources must emit.
            long inputRecords = bronze.keySet().stream().mapToLong(input.records::get).sum();
            boolean bounded = config.get(KafkaBronzeOptions.STOPPING_OFFSETS) != KafkaBronzeOptions.StoppingOffsets.NONE;
            CompletableFuture<String> endCheckpoint = null;
            if (bounded) {
                result.endCheckpoint = EndCheckpoint.NOT_NEEDED;
            }
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                long nextTablePoll = System.nanoTime();
                while (true) {
                    if (result.inputReadMillis == 0 && recordsRead(jobGraph.getJobID()) >= inputRecords) {
                        result.inputReadMillis = System.currentTimeMillis();
                        if (!bounded) {
                            result.endCheckpoint = EndCheckpoint.YES;
                            endCheckpoint = cluster.triggerCheckpoint(jobGraph.getJobID());
                        }
                    }
                    if (endCheckpoint != null && endCheckpoint.isDone()) {
                        endCheckpointDone(endCheckpoint, result, runName);
                        endCheckpoint = null;
                    }
                    if (System.nanoTime() - nextTablePoll >= 0) {
                        if (done(bronze, silver)) {
                            break;
                        }
                        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                        if (status.isGloballyTerminalState()) {
                            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                            // A bounded run (kafka.stopping-offsets) finishes once it has committed its input.
                            if (status == JobStatus.FINISHED && done(bronze, silver)) {
                                break;
                            }
                            throw new IllegalStateException(runName + ": the job ended (" + status + ") before committing the input");
                        }
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(runName + ": not all records committed within " + timeout
                                    + "; rows so far: " + rows(bronze, silver) + "; sources emitted "
                                    + recordsRead(jobGraph.getJobID()) + " of " + inputRecords + " records");
                        }
                        nextTablePoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TABLE_POLL_MILLIS);
                    }
                    Thread.sleep(INPUT_POLL_MILLIS);
                }
                if (endCheckpoint != null && endCheckpoint.isDone()) {
                    endCheckpointDone(endCheckpoint, result, runName);
                }
                // If still pending, the tables were complete without waiting for its answer; a failure from here on
                // would be the cancellation below, not the trigger's.
                if (result.inputReadMillis == 0 && !bounded) {
                    Bench.progress("throughput", runName + ": its sources reported "
                            + recordsRead(jobGraph.getJobID()) + " of " + inputRecords
                            + " records emitted, so no end-of-input checkpoint was triggered (the periodic ones ended the run)");
                }
            } finally {
                if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                    waitForEnd(job);
                }
            }
            List<Table> all = new ArrayList<>(bronze.values());
            silver.values().forEach(pair -> all.addAll(List.of(pair)));
            result.endMillis = 0;
            result.firstCommitMillis = Long.MAX_VALUE;
            for (Table table : all) {
                table.refresh();
                long target = records(table.currentSnapshot());
                result.bytes += table.currentSnapshot() == null ? 0
                        : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-files-size", "0"));
                for (Snapshot s : table.snapshots()) {
                    if (s.timestampMillis() < result.startMillis) {
                        continue; // the empty table's creation
                    }
                    result.commits++;
                    result.firstCommitMillis = Math.min(result.firstCommitMillis, s.timestampMillis());
                    if (records(s) >= target) {
                        result.endMillis = Math.max(result.endMillis, s.timestampMillis());
                        break;
                    }
                }
            }
            for (Table table : bronze.values()) {
                result.recordsAtFirstCommit += recordsAsOf(table, result.firstCommitMillis);
            }
            result.rows = rows(bronze, silver);
            return result;
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }

    /**
     * Records how the end-of-input checkpoint's trigger ended ({@code endCheckpoint} is done). A failure
     * does not fail the run: the next periodic checkpoint still commits the input, as without the
     * trigger; it is reported instead.
     */
    private static void endCheckpointDone(CompletableFuture<String> endCheckpoint, Result result, String runName) {
        Throwable failure = endCheckpoint.handle((path, t) -> t).join();
        if (failure == null) {
            return;
        }
        if (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (ExceptionUtils.findThrowable(failure, TimeoutException.class).isPresent()) {
            // The MiniCluster waits for the checkpoint's completion only as long as its RPC timeout
            // (pekko.ask.timeout, 10 s by default); that does not abort the checkpoint, so it still counts as
            // triggered.
            result.endCheckpointFailure = "no answer within the RPC timeout (the checkpoint may still complete): "
                    + failure;
            Bench.progress("throughput", runName + ": end-of-input checkpoint: " + result.endCheckpointFailure);
        } else {
            result.endCheckpoint = EndCheckpoint.FAILED;
            result.endCheckpointFailure = String.valueOf(failure);
            Bench.progress("throughput", runName + ": the end-of-input checkpoint failed; the next periodic"
                    + " checkpoint ends the run instead: " + ExceptionUtils.stringifyException(failure));
        }
    }

    private static Configuration withProgressReporter(Configuration conf) {
        ProgressReporter.install(conf);
        return conf;
    }

    /**
     * Records job {@code job}'s bronze sources have read so far: the sum of their {@code
     * bronzeRecords} counters (the product's deserializers count every record, one row each), which
     * the local run's {@link ProgressReporter} sees in this JVM.
     */
    private static long recordsRead(JobID job) {
        return ProgressReporter.counterTotal(job, "bronzeRecords");
    }

    private boolean done(Map<String, Table> bronze, Map<String, Table[]> silver) {
        for (Map.Entry<String, Table> e : bronze.entrySet()) {
            e.getValue().refresh();
            if (records(e.getValue().currentSnapshot()) < input.records.get(e.getKey())) {
                return false;
            }
        }
        for (Map.Entry<String, Table[]> e : silver.entrySet()) {
            long expected = input.records.get(e.getKey()) - input.duplicates.get(e.getKey());
            e.getValue()[0].refresh();
            e.getValue()[1].refresh();
            long landed = records(e.getValue()[0].currentSnapshot()) + records(e.getValue()[1].currentSnapshot());
            if (landed > expected) {
                throw new IllegalStateException("Silver accounting does not add up for " + e.getKey() + ": silver + quarantine = "
                        + landed + " rows, more than the " + expected + " records less planted duplicates");
            }
            if (landed < expected) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Long> rows(Map<String, Table> bronze, Map<String, Table[]> silver) {
        Map<String, Long> rows = new LinkedHashMap<>();
        bronze.values().forEach(t -> rows.put(t.name(), records(t.currentSnapshot())));
        silver.values().forEach(pair -> {
            for (Table t : pair) {
                rows.put(t.name(), records(t.currentSnapshot()));
            }
        });
        return rows;
    }

    private static long recordsAsOf(Table table, long millis) {
        long n = 0;
        for (Snapshot s : table.snapshots()) {
            if (s.timestampMillis() <= millis) {
                n = records(s);
            }
        }
        return n;
    }

    private static long records(Snapshot s) {
        return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    }

    /** Waits until the cancelled job has ended; its result is the cancellation. */
    private static void waitForEnd(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // Cancelled on purpose, so the result is that cancellation; any other end is a failure, told by the
            // cause chain.
            if (ExceptionUtils.findThrowable(e, JobCancellationException.class).isEmpty()) {
                throw e;
            }
        }
    }
}
