package dev.lakestream.benchmarks;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * C_apply and C_snapshot: the production pipeline ({@link IngestionPipeline#build}, the MSF entry
 * point's wiring: Flink CDC's PostgreSQL source, the bronze changelog, ApplyChanges on RocksDB and
 * the silver current-state table through Iceberg's dynamic sink) on a MiniCluster, exactly-once
 * checkpoints, gold off. Each run has its own slot ({@code <slot>_publication} as the job makes it)
 * and its own freshly provisioned tables (a table prefix per run).
 *
 * <p>How C_apply streams a backlog from the WAL: Flink CDC 3.5's LATEST mode starts at the server's
 * current WAL position when the job starts ({@code pg_current_wal_lsn()}), not at an existing slot's
 * position, so a job started after the changes would skip them. {@link #prepare} therefore runs the
 * job before the changes, on a slot created before it, until it has started (LATEST, nothing to
 * read), and stops it with a savepoint; {@link #apply} restores that savepoint after the changes
 * were made, so the job resumes at its savepoint's LSN and streams the whole backlog, as a job
 * restarted after downtime does. C_snapshot starts a job with INITIAL on the final table.
 *
 * <p>Done when bronze holds every change and silver's data files every row the changes wrote
 * (snapshot summaries, cheap to poll); then checked by reading both back with Iceberg generics
 * (silver with its equality deletes applied) against PostgreSQL's final table and the raw
 * baseline's LSNs. The time runs from just before the job's submission (MiniCluster start and
 * savepoint restore included) to the timestamp of the commit that completed the later table.
 */
final class CdcPipelineRun {

    /** What one run measured and found. */
    static final class Result {
        long startMillis;
        long submittedMillis;
        long endMillis;
        long firstCommitMillis;
        /** Bronze's rate between its first commit and the one that completed it (NaN with a single commit). */
        double steadyRate = Double.NaN;
        int commits;
        long bronzeRows;
        long silverRows;
        long silverChecksum;
    }

    private final LocalServices services;
    private final CdcWorkload workload;
    private final Duration checkpointInterval;
    private final int parallelism;
    private final Path scratch;

    CdcPipelineRun(LocalServices services, CdcWorkload workload, Duration checkpointInterval, int parallelism, Path scratch) {
        this.services = services;
        this.workload = workload;
        this.checkpointInterval = checkpointInterval;
        this.parallelism = parallelism;
        this.scratch = scratch;
    }

    /** The pipeline's configuration for run {@code run} (its slot and table prefix), validated as production does. */
    Configuration config(String run, boolean snapshot) {
        // The catalog keys alone: no Kafka broker runs here.
        Map<String, String> raw = new LinkedHashMap<>(LocalServicesConfig.catalogProperties(services));
        raw.put("cdc.postgres.hostname", services.postgres().host());
        raw.put("cdc.postgres.port", String.valueOf(services.postgres().port()));
        raw.put("cdc.postgres.database", workload.database());
        raw.put("cdc.postgres.username", services.postgres().user());
        raw.put("cdc.postgres.password", services.postgres().password());
        raw.put("cdc.postgres.tables", CdcWorkload.TABLE);
        raw.put("cdc.postgres.slot-name", slot(run));
        raw.put("cdc.postgres.table-prefix", run + "_");
        raw.put("cdc.postgres.startup-mode", snapshot ? "INITIAL" : "LATEST");
        raw.put("pipeline.name", "lakestream-cdc-" + run);
        raw.put("pipeline.checkpoint-interval", checkpointInterval.toMillis() + " ms");
        raw.put("gold.enabled", "false");
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    static String slot(String run) {
        return "bench_" + run;
    }

    /**
     * Before the changes: creates the run's slot (so that it holds the WAL of every change to come),
     * provisions empty tables (dropping any of an earlier benchmark run) and the publication, starts
     * the job (LATEST) and stops it with a savepoint once it runs. Returns the savepoint's path.
     */
    String prepare(String run, Duration timeout) throws Exception {
        Configuration config = config(run, false);
        recreateTables(config);
        try (java.sql.Connection c = services.postgres().connect(workload.database()); java.sql.Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + slot(run) + "', 'pgoutput')");
        }
        JobClient job = submit(config, run + "-prepare", null);
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<JobExecutionResult> end = job.getJobExecutionResult();
        while (true) {
            // Asked first: once the job has ended, its MiniCluster is gone and cannot tell a status.
            if (end.isDone()) {
                end.get(); // throws the job's failure
                throw new IllegalStateException(run + ": the job ended before it ran");
            }
            if (job.getJobStatus().get(10, TimeUnit.SECONDS) == JobStatus.RUNNING) {
                break;
            }
            if (System.nanoTime() > deadline) {
                job.cancel().get(60, TimeUnit.SECONDS);
                throw new IllegalStateException(run + ": the job did not reach RUNNING within " + timeout);
            }
            Thread.sleep(100);
        }
        // A savepoint is declined while tasks are still starting: retried until it is taken. Its source state holds the
        // stream offset LATEST fixed at the job's start, before any change of the backlog.
        String savepoint = null;
        while (savepoint == null) {
            try {
                savepoint = job.stopWithSavepoint(false, scratch.resolve("savepoints-" + run).toUri().toString(),
                        SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (end.isDone()) {
                    end.get(); // throws the job's failure
                }
                if (System.nanoTime() > deadline) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                    throw new IllegalStateException(run + ": no savepoint within " + timeout, e);
                }
                Thread.sleep(500);
            }
        }
        end.get(60, TimeUnit.SECONDS);
        return savepoint;
    }

    /** C_apply: restores {@code savepoint} (from {@link #prepare}) and waits until silver and bronze hold every change. */
    Result apply(String run, String savepoint, Map<Long, String> expectedRows, long[] expectedLsns, Duration timeout)
            throws Exception {
        return apply(run, savepoint, expectedRows, expectedLsns, timeout, () -> {});
    }

    /** As above; {@code ended} runs once the job has committed everything and ended, before the checks. */
    Result apply(String run, String savepoint, Map<Long, String> expectedRows, long[] expectedLsns, Duration timeout,
            Ended ended) throws Exception {
        Configuration config = config(run, false);
        return measure(config, run, savepoint, workload.changes(), workload.inserts + workload.updates, expectedRows,
                expectedLsns, timeout, ended);
    }

    /** Called between a run's end and its checks (e.g. to stop a profile). */
    @FunctionalInterface
    interface Ended {
        void run() throws Exception;
    }

    /** C_snapshot: a new job (INITIAL) on its own slot and tables reads the final table. */
    Result snapshot(String run, Map<Long, String> expectedRows, Duration timeout) throws Exception {
        Configuration config = config(run, true);
        recreateTables(config);
        return measure(config, run, null, expectedRows.size(), expectedRows.size(), expectedRows, null, timeout, () -> {});
    }

    private Result measure(Configuration config, String run, String savepoint, long bronzeTarget, long silverTarget,
            Map<Long, String> expectedRows, long[] expectedLsns, Duration timeout, Ended ended) throws Exception {
        CdcCapture capture = IngestionPipeline.postgresCapture(config).orElseThrow();
        Catalog catalog = CatalogFactory.open(config);
        try {
            Table bronze = catalog.loadTable(capture.changelogTable(CdcWorkload.TABLE).identifier());
            Table silver = catalog.loadTable(capture.silverTable(CdcWorkload.TABLE).identifier());
            Result result = new Result();
            // The clock starts before the submission: the MiniCluster's start, the restore and the deployment count.
            result.startMillis = System.currentTimeMillis();
            JobClient job = submit(config, run, savepoint);
            result.submittedMillis = System.currentTimeMillis();
            CompletableFuture<JobExecutionResult> end = job.getJobExecutionResult();
            Exception failure = null;
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    long bronzeRows = dataRows(bronze);
                    long silverRows = dataRows(silver);
                    if (bronzeRows > bronzeTarget || silverRows > silverTarget) {
                        throw new IllegalStateException(String.format("%s: more rows than changes: bronze %d of %d, silver data"
                                + " rows %d of %d", run, bronzeRows, bronzeTarget, silverRows, silverTarget));
                    }
                    if (bronzeRows == bronzeTarget && silverRows == silverTarget) {
                        break;
                    }
                    if (end.isDone()) {
                        try {
                            end.get();
                        } catch (ExecutionException e) {
                            throw new IllegalStateException(run + ": the job failed before committing every change", e.getCause());
                        }
                        throw new IllegalStateException(run + ": the job ended before committing every change");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(String.format("%s: not every change committed within %s: bronze %d of %d,"
                                + " silver data rows %d of %d", run, timeout, bronzeRows, bronzeTarget, silverRows, silverTarget));
                    }
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                failure = e;
            }
            // Cancelled whatever happened; a failure to cancel never hides the reason the run failed.
            try {
                job.cancel().get(60, TimeUnit.SECONDS);
                waitForEnd(end);
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            ended.run();
            result.endMillis = 0;
            result.firstCommitMillis = Long.MAX_VALUE;
            for (Table table : List.of(bronze, silver)) {
                long target = table == bronze ? bronzeTarget : silverTarget;
                Snapshot first = null;
                for (Snapshot s : table.snapshots()) {
                    if (s.timestampMillis() < result.startMillis) {
                        continue; // the empty table's creation
                    }
                    result.commits++;
                    first = first == null ? s : first;
                    result.firstCommitMillis = Math.min(result.firstCommitMillis, s.timestampMillis());
                    if (records(s) >= target) {
                        result.endMillis = Math.max(result.endMillis, s.timestampMillis());
                        if (table == bronze && s != first) {
                            result.steadyRate = (target - records(first)) * 1000.0 / (s.timestampMillis() - first.timestampMillis());
                        }
                        break;
                    }
                }
            }
            result.bronzeRows = checkBronze(run, bronze, savepoint == null ? expectedRows.size() : -1, expectedLsns);
            result.silverChecksum = checkSilver(run, silver, expectedRows);
            result.silverRows = expectedRows.size();
            return result;
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }

    /**
     * Every change exactly once: counts by op, distinct positions, and (streamed) the raw baseline's LSNs.
     *
     * @param snapshotRows the rows a snapshot read; -1 for a streamed backlog
     */
    private long checkBronze(String run, Table bronze, long snapshotRows, long[] expectedLsns) throws Exception {
        boolean snapshot = snapshotRows >= 0;
        bronze.refresh();
        Map<String, Long> ops = new HashMap<>();
        List<Long> lsns = new ArrayList<>();
        long rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(bronze)
                .select(CdcChangelogTable.OP, CdcChangelogTable.SOURCE_POSITION, CdcChangelogTable.KEY).build()) {
            for (Record r : records) {
                rows++;
                ops.merge((String) r.getField(CdcChangelogTable.OP), 1L, Long::sum);
                String position = (String) r.getField(CdcChangelogTable.SOURCE_POSITION);
                if (!snapshot) {
                    lsns.add(Long.parseLong(position.substring(position.indexOf(':') + 1)));
                }
            }
        }
        Map<String, Long> expected = new HashMap<>();
        if (snapshot) {
            expected.put("r", snapshotRows);
        } else {
            expected.put("c", workload.inserts);
            expected.put("u", workload.updates);
            expected.put("d", workload.deletes);
            expected.values().removeIf(n -> n == 0); // an op the workload did not make has no entry in ops either
        }
        if (!ops.equals(expected)) {
            throw new IllegalStateException(run + ": bronze holds changes by op " + ops + ", the workload made " + expected);
        }
        if (!snapshot) {
            long[] got = lsns.stream().mapToLong(Long::longValue).sorted().toArray();
            for (int i = 1; i < got.length; i++) {
                if (got[i] == got[i - 1]) {
                    throw new IllegalStateException(run + ": bronze holds the change at LSN " + got[i] + " twice");
                }
            }
            if (expectedLsns != null && !Arrays.equals(got, expectedLsns)) {
                throw new IllegalStateException(run + ": bronze's LSNs differ from those the raw baseline read from its slot"
                        + " (first difference at index " + Arrays.mismatch(got, expectedLsns) + ")");
            }
        }
        return rows;
    }

    /** Silver, read with its deletes applied, equals PostgreSQL's final table row for row; returns its checksum. */
    private static long checkSilver(String run, Table silver, Map<Long, String> expectedRows) throws Exception {
        silver.refresh();
        Map<Long, String> rows = new HashMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(silver).build()) {
            for (Record r : records) {
                Long key = (Long) r.getField(CdcWorkload.KEY);
                String row = CdcWorkload.canonical(key, r.getField("customer_id"), r.getField("status"), r.getField("total"),
                        r.getField("currency"), r.getField("created_at"), r.getField("updated_at"));
                if (rows.put(key, row) != null) {
                    throw new IllegalStateException(run + ": silver holds order_id " + key + " twice");
                }
            }
        }
        if (!rows.equals(expectedRows)) {
            List<String> differences = new ArrayList<>();
            for (Map.Entry<Long, String> e : expectedRows.entrySet()) {
                String got = rows.get(e.getKey());
                if (!e.getValue().equals(got) && differences.size() < 5) {
                    differences.add("PostgreSQL: " + e.getValue() + " / silver: " + got);
                }
            }
            rows.keySet().stream().filter(k -> !expectedRows.containsKey(k)).limit(5)
                    .forEach(k -> differences.add("silver only: " + rows.get(k)));
            throw new IllegalStateException(String.format("%s: silver (%d rows) differs from PostgreSQL's final table (%d rows);"
                    + " first differences: %s", run, rows.size(), expectedRows.size(), differences));
        }
        return CdcWorkload.checksum(rows.values());
    }

    private void recreateTables(Configuration config) throws Exception {
        Catalog catalog = CatalogFactory.open(config);
        try {
            for (TableSpec spec : IngestionPipeline.tables(config)) {
                if (catalog.tableExists(spec.identifier())) {
                    catalog.dropTable(spec.identifier(), true);
                }
            }
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
        IngestionPipeline.provisionTables(config);
    }

    private JobClient submit(Configuration config, String run, String savepoint) throws Exception {
        Configuration flink = new Configuration();
        flink.setString("execution.checkpointing.dir", scratch.resolve("checkpoints-" + run).toUri().toString());
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
                MiniClusters.sizedLikeMsf(flink, parallelism));
        IngestionPipeline.build(env, config);
        return env.executeAsync(config.getString("pipeline.name", run));
    }

    /** Rows in the table's data files (a current-state table: inserts and update-afters; deletes are separate files). */
    private static long dataRows(Table table) {
        table.refresh();
        return records(table.currentSnapshot());
    }

    private static long records(Snapshot s) {
        return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    }

    /** Waits until the cancelled job (and its MiniCluster) has ended; its result is the cancellation. */
    private static void waitForEnd(CompletableFuture<JobExecutionResult> end) throws Exception {
        try {
            end.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Cancelled on purpose, so the result is that cancellation; any other end is a failure. (The job's
            // status cannot be asked instead: its MiniCluster shuts down as the job ends.)
            if (ExceptionUtils.findThrowable(e, JobCancellationException.class).isEmpty()) {
                throw e;
            }
        }
    }
}
