package dev.lakestream.benchmarks;

import dev.lakestream.localservices.LocalServices;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.iceberg.IcebergBuild;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * The CDC apply rate from PostgreSQL into silver against a raw baseline, measured in one run on the
 * same changes: a backlog of inserts, status updates and deletes of an orders table ({@link
 * CdcWorkload}), made once after every candidate's slot exists, then read by
 * <ul>
 *   <li>C_raw ({@link CdcRawBaseline}): pgjdbc's replication stream, pgoutput decoded by hand,
 *       Parquet (zstd) to the S3 store;
 *   <li>C_apply ({@link CdcPipelineRun#apply}): the production pipeline restored from a savepoint
 *       taken before the changes, until bronze holds every change and silver the final table;
 *   <li>C_snapshot (optional, {@link CdcPipelineRun#snapshot}): a new job (INITIAL) snapshotting
 *       the final table into its own bronze and silver.
 * </ul>
 * Candidates run interleaved over the repetitions (the order rotates), each on its own slot and
 * tables. Every pipeline run is checked: silver equals PostgreSQL's final table row for row, bronze
 * holds every change once (by op and by LSN, against the LSNs the raw baseline read). Any error or
 * difference fails the run (exit code 1) without a report. With {@code --profile true}, one more
 * C_apply run (not counted) is profiled with async-profiler and its hotspots go into the report.
 *
 * <p>Arguments (all optional): {@code --rows 100000 --updates 1.0 --deletes 0.1 --batch 500
 * --repetitions 3 --candidates raw,apply,snapshot --checkpoint-interval-ms 2000 --parallelism 2 --warm-up true
 * --profile true --timeout-minutes 10 --out results/cdc-apply.md}.
 */
public final class CdcApplyBenchmark {

    enum Candidate {
        RAW("C_raw", "pgjdbc replication stream (pgoutput) + decode + Parquet (zstd) to S3"),
        APPLY("C_apply", "pipeline: Flink CDC -> bronze changelog + ApplyChanges (RocksDB) -> silver current state"),
        SNAPSHOT("C_snapshot", "pipeline, new job (INITIAL): snapshot of the final table -> bronze + silver");

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
        int repetition;
        /** Changes read (C_snapshot: rows read). */
        long changes;
        double seconds;
        double cpuSeconds;
        double loadAverage;
        int commits;
        double firstCommitSeconds = Double.NaN;
        double submitSeconds = Double.NaN;
        double steadyRate = Double.NaN;
        /** Silver checked equal to PostgreSQL's final table (pipeline candidates); null for C_raw. */
        Boolean silverCorrect;

        double rate() {
            return changes / seconds;
        }
    }

    private static final String RAW_PUBLICATION = "bench_raw_publication";

    public static void main(String[] args) {
        Bench.exitWith("CdcApplyBenchmark", args, CdcApplyBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args, List.of("rows", "updates", "deletes", "batch", "repetitions",
                "candidates", "checkpoint-interval-ms", "parallelism", "warm-up", "profile", "timeout-minutes", "out"));
        int rows = Integer.parseInt(o.getOrDefault("rows", "100000"));
        double updates = Double.parseDouble(o.getOrDefault("updates", "1.0"));
        double deletes = Double.parseDouble(o.getOrDefault("deletes", "0.1"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "500"));
        int repetitions = Integer.parseInt(o.getOrDefault("repetitions", "3"));
        List<Candidate> candidates = candidates(o.getOrDefault("candidates", "raw,apply,snapshot"));
        Duration checkpointInterval = Duration.ofMillis(Long.parseLong(o.getOrDefault("checkpoint-interval-ms", "2000")));
        int parallelism = Integer.parseInt(o.getOrDefault("parallelism", "2"));
        boolean warmUp = bool(o.getOrDefault("warm-up", "true"), "warm-up");
        boolean profile = bool(o.getOrDefault("profile", "true"), "profile");
        Duration timeout = Duration.ofMinutes(Long.parseLong(o.getOrDefault("timeout-minutes", "10")));
        Path out = Paths.get(o.getOrDefault("out", "results/cdc-apply.md"));
        if (rows < 1 || batch < 1 || repetitions < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--rows, --batch, --repetitions and --parallelism must be at least 1");
        }
        if (updates < 0 || deletes < 0 || deletes > 1) {
            throw new IllegalArgumentException("--updates must be >= 0 (updates per inserted row) and --deletes in 0..1"
                    + " (share of the rows deleted)");
        }
        Path scratch = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("cdc-apply");
        org.apache.flink.util.FileUtils.deleteDirectory(scratch.toFile());
        Files.createDirectories(scratch);
        Instant started = Instant.now();

        List<Measurement> measurements = new ArrayList<>();
        CpuProfile.Hotspots hotspots = null;
        double profileRate = Double.NaN;
        CdcWorkload workload;
        Setup setup = new Setup();
        try (LocalServices services = LocalServices.builder().workDir(scratch.resolve("services")).withIcebergCatalog().start()) {
            progress("services up: PostgreSQL " + services.postgres().host() + ":" + services.postgres().port() + ", S3 " + services.objectStore().endpoint());
            workload = new CdcWorkload(services.postgres(), "cdcbench");
            workload.createTable();
            Map<String, String> s3 = new LinkedHashMap<>(services.icebergCatalogProperties());
            String rawLocation = s3.get("warehouse") + "/cdc-raw-baseline";
            CdcRawBaseline raw = new CdcRawBaseline(services.postgres(), workload.database(), s3);
            CdcPipelineRun pipeline = new CdcPipelineRun(services, workload, checkpointInterval, parallelism, scratch);
            setup.read(services, workload.database());
            List<String> runs = new ArrayList<>();
            for (int rep = warmUp ? 0 : 1; rep <= repetitions; rep++) {
                runs.add(rep == 0 ? "w" : String.valueOf(rep));
            }
            boolean profiled = profile && candidates.contains(Candidate.APPLY);
            List<String> applyRuns = new ArrayList<>(runs);
            if (profiled) {
                applyRuns.add("p");
            }
            int slots = (candidates.contains(Candidate.APPLY) ? applyRuns.size() : 0) + runs.size() + 1;
            if (slots > setup.maxReplicationSlots) {
                throw new IllegalArgumentException("--repetitions " + repetitions + " needs " + slots + " replication slots at"
                        + " once; the server allows " + setup.maxReplicationSlots + " (max_replication_slots)");
            }

            // Every slot that is to read the backlog exists before it: raw slots, and the pipeline's
            // savepoints taken on theirs (see CdcPipelineRun for why a savepoint, not LATEST).
            raw.createPublication(RAW_PUBLICATION, CdcWorkload.TABLE);
            for (String run : runs) {
                raw.createSlot(rawSlot(run));
            }
            Map<String, String> savepoints = new LinkedHashMap<>();
            if (candidates.contains(Candidate.APPLY)) {
                for (String run : applyRuns) {
                    long t = System.nanoTime();
                    savepoints.put(run, pipeline.prepare("apply_" + run, timeout));
                    progress(String.format(Locale.ROOT, "apply_%s: job started (LATEST) and stopped with a savepoint before the"
                            + " changes in %.1f s", run, (System.nanoTime() - t) / 1e9));
                }
            }

            long walBefore = setup.walLsn(services, workload.database());
            workload.produce(rows, updates, deletes, batch);
            setup.walBytes = setup.walLsn(services, workload.database()) - walBefore;
            Map<Long, String> finalRows = workload.finalRows();
            setup.finalChecksum = CdcWorkload.checksum(finalRows.values());
            progress(String.format(Locale.ROOT, "produced %,d changes (%,d inserts, %,d updates, %,d deletes) in %,d transactions,"
                            + " %.1f MiB of WAL, in %.1f s; final table %,d rows", workload.changes(), workload.inserts,
                    workload.updates, workload.deletes, workload.transactions, setup.walBytes / 1048576.0, workload.seconds,
                    finalRows.size()));

            long[] lsns = null;
            for (String run : runs) {
                int rep = run.equals("w") ? 0 : Integer.parseInt(run);
                for (int i = 0; i < candidates.size(); i++) {
                    Candidate c = candidates.get((i + Math.max(0, rep - 1)) % candidates.size());
                    if (rep == 0 && c == Candidate.SNAPSHOT) {
                        continue; // the warm-up warms what streams the backlog
                    }
                    Measurement m = new Measurement();
                    m.candidate = c;
                    m.repetition = rep;
                    m.loadAverage = Bench.loadAverage();
                    double cpu = Bench.cpuSeconds();
                    if (c == Candidate.RAW) {
                        CdcRawBaseline.Result r = raw.run(rawSlot(run), RAW_PUBLICATION, rawLocation + "/" + run, workload, timeout);
                        CdcRawBaseline.dropSlot(services.postgres(), workload.database(), rawSlot(run));
                        if (lsns == null) {
                            lsns = r.lsns.clone();
                            Arrays.sort(lsns);
                        } else if (!Arrays.equals(sorted(r.lsns), lsns)) {
                            throw new IllegalStateException("C_raw " + run + " read other LSNs than the first raw run");
                        }
                        m.changes = r.changes();
                        m.seconds = (r.endMillis - r.startMillis) / 1000.0;
                    } else {
                        if (c == Candidate.APPLY && lsns == null) {
                            throw new IllegalStateException("C_apply runs after a C_raw run (its LSNs check bronze)");
                        }
                        String name = (c == Candidate.APPLY ? "apply_" : "snapshot_") + run;
                        CdcPipelineRun.Result r = c == Candidate.APPLY
                                ? pipeline.apply(name, savepoints.get(run), finalRows, lsns, timeout)
                                : pipeline.snapshot(name, finalRows, timeout);
                        dropSlotWhenReleased(services, workload.database(), CdcPipelineRun.slot(name));
                        m.changes = c == Candidate.APPLY ? workload.changes() : finalRows.size();
                        m.seconds = (r.endMillis - r.startMillis) / 1000.0;
                        m.commits = r.commits;
                        m.firstCommitSeconds = (r.firstCommitMillis - r.startMillis) / 1000.0;
                        m.submitSeconds = (r.submittedMillis - r.startMillis) / 1000.0;
                        m.steadyRate = r.steadyRate;
                        m.silverCorrect = r.silverChecksum == setup.finalChecksum;
                        if (!m.silverCorrect) {
                            throw new IllegalStateException(name + ": silver's checksum differs from PostgreSQL's");
                        }
                    }
                    m.cpuSeconds = Bench.cpuSeconds() - cpu;
                    progress(String.format(Locale.ROOT, "%-10s %s: %,d %s in %.2f s = %,.0f/s (CPU %.1f s, load %.2f%s)",
                            c.label, rep == 0 ? "warm-up (not counted)" : "rep " + rep, m.changes,
                            c == Candidate.SNAPSHOT ? "rows" : "changes", m.seconds, m.rate(), m.cpuSeconds, m.loadAverage,
                            c == Candidate.RAW ? "" : String.format(Locale.ROOT, ", %d commits, first after %.1f s%s; silver"
                                    + " equals PostgreSQL", m.commits, m.firstCommitSeconds, Double.isNaN(m.steadyRate) ? ""
                                    : String.format(Locale.ROOT, ", then %,.0f/s", m.steadyRate))));
                    if (rep > 0) {
                        measurements.add(m);
                    }
                }
            }
            if (profiled) {
                progress("profiling one more C_apply run with async-profiler (not counted)");
                Path stacks = Paths.get("target", "profiles", "cdc-apply.collapsed");
                CpuProfile cpu = CpuProfile.start();
                CpuProfile.Hotspots[] stopped = new CpuProfile.Hotspots[1];
                // Sampled until the job has ended: the checks' reads of bronze and silver stay out of the profile.
                CdcPipelineRun.Result r = pipeline.apply("apply_p", savepoints.get("p"), finalRows, lsns, timeout,
                        () -> stopped[0] = cpu.stop(stacks, 15));
                dropSlotWhenReleased(services, workload.database(), CdcPipelineRun.slot("apply_p"));
                profileRate = workload.changes() * 1000.0 / (r.endMillis - r.startMillis);
                hotspots = stopped[0];
                progress(String.format(Locale.ROOT, "profiled C_apply: %,.0f changes/s; collapsed stacks: %s", profileRate,
                        stacks.toAbsolutePath()));
            }
        }
        String report = report(measurements, workload, setup, started, rows, updates, deletes, batch, repetitions, warmUp,
                parallelism, checkpointInterval, args) + (hotspots == null ? "" : CpuProfile.markdown("CPU profile of one C_apply run",
                        String.format(Locale.ROOT, "C_apply run, not counted (%,.0f changes/s while profiled)", profileRate), hotspots));
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

    /** Facts about the server read at the start, and the backlog's size. */
    static final class Setup {
        String postgresVersion;
        int maxReplicationSlots;
        long walBytes;
        long finalChecksum;

        void read(LocalServices services, String database) throws Exception {
            try (Connection c = services.postgres().connect(database); Statement st = c.createStatement()) {
                postgresVersion = single(st, "SHOW server_version");
                maxReplicationSlots = Integer.parseInt(single(st, "SHOW max_replication_slots"));
            }
        }

        long walLsn(LocalServices services, String database) throws Exception {
            try (Connection c = services.postgres().connect(database); Statement st = c.createStatement()) {
                return Long.parseLong(single(st, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"));
            }
        }

        private static String single(Statement st, String sql) throws Exception {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** A cancelled job's replication connection closes a moment after the job ends: drop the slot once it is free. */
    private static void dropSlotWhenReleased(LocalServices services, String database, String slot) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                CdcRawBaseline.dropSlot(services.postgres(), database, slot);
                return;
            } catch (java.sql.SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot drop slot " + slot + " after its job ended", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static String rawSlot(String run) {
        return "bench_raw_" + run;
    }

    private static long[] sorted(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v;
    }

    private static String report(List<Measurement> ms, CdcWorkload workload, Setup setup, Instant started, int rows,
            double updates, double deletes, int batch, int repetitions, boolean warmUp, int parallelism,
            Duration checkpointInterval, String[] args) {
        StringBuilder b = new StringBuilder();
        b.append("# CDC apply rate against a raw baseline\n\n");
        b.append(String.format(Locale.ROOT, "Run %s (%.0f s), `CdcApplyBenchmark %s`.%n%n",
                started.truncatedTo(ChronoUnit.SECONDS), Duration.between(started, Instant.now()).toMillis() / 1000.0,
                String.join(" ", args).trim()));
        b.append("- Machine: ").append(Bench.machine()).append(".\n");
        b.append(String.format(Locale.ROOT, "- PostgreSQL %s (local-services: wal_level=logical, fsync and synchronous_commit"
                        + " off), a separate process on the same machine; Flink %s (MiniCluster in the benchmark's JVM,"
                        + " parallelism %d, RocksDB, exactly-once checkpoints every %d ms, gold off), Flink CDC's PostgreSQL"
                        + " source (pgoutput), Iceberg %s (JDBC catalog on the same PostgreSQL, S3FileIO on s3proxy).%n",
                setup.postgresVersion, EnvironmentInformation.getVersion(), parallelism, checkpointInterval.toMillis(),
                IcebergBuild.version()));
        b.append(String.format(Locale.ROOT, "- Changes: %,d on `%s` (`--rows %d --updates %s --deletes %s --batch %d`):"
                        + " %,d inserts, %,d updates (status transitions), %,d deletes, in %,d transactions of at most %d rows;"
                        + " %.1f MiB of WAL; made in %.1f s after every slot existed. Final table: %,d rows.%n",
                workload.changes(), CdcWorkload.TABLE, rows, updates, deletes, batch, workload.inserts, workload.updates,
                workload.deletes, workload.transactions, batch, setup.walBytes / 1048576.0, workload.seconds,
                workload.inserts - workload.deletes));
        b.append(String.format(Locale.ROOT, "- %d repetition%s of each candidate%s, interleaved (the order rotates each"
                + " repetition); each run on its own slot and, for the pipeline, its own freshly provisioned tables.%n%n",
                repetitions, repetitions == 1 ? "" : "s", warmUp ? " after one warm-up of C_raw and C_apply (not counted)" : ""));

        Map<Candidate, List<Measurement>> by = new LinkedHashMap<>();
        for (Candidate c : Candidate.values()) {
            by.put(c, ms.stream().filter(m -> m.candidate == c).collect(Collectors.toList()));
        }
        double rawMedian = Bench.median(by.get(Candidate.RAW).stream().mapToDouble(Measurement::rate).toArray());
        b.append("| Candidate | What runs | Median changes/s | Min | Max | Spread | Ratio to C_raw (medians) |"
                + " Ratio, median of repetitions | Median CPU s | Silver equals PostgreSQL |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Candidate c : Candidate.values()) {
            List<Measurement> runs = by.get(c);
            if (runs.isEmpty()) {
                continue;
            }
            Bench.Rates r = new Bench.Rates(runs.stream().mapToDouble(Measurement::rate).toArray(),
                    runs.stream().mapToDouble(m -> rawRate(ms, m.repetition)).toArray(), rawMedian);
            b.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %,.0f | %.0f%% | %s | %s | %.1f | %s |%n",
                    c.label, c.what, r.median, r.min, r.max, 100 * r.spread,
                    c == Candidate.RAW ? "1" : String.format(Locale.ROOT, "%.3f", r.ratioOfMedians),
                    c == Candidate.RAW ? "1" : String.format(Locale.ROOT, "%.3f", r.medianOfRatios),
                    Bench.median(runs.stream().mapToDouble(m -> m.cpuSeconds).toArray()),
                    c == Candidate.RAW ? "" : runs.stream().allMatch(m -> Boolean.TRUE.equals(m.silverCorrect))
                            ? "yes, every run" : "**no**"));
        }
        b.append("\nChanges/s: the backlog's changes (C_snapshot: the final table's rows) over the candidate's time. C_raw: from"
                + " just before the replication connection opens to the Parquet file closed (uploaded). C_apply: from just before"
                + " the job's submission (MiniCluster start and savepoint restore included) to the commit after which bronze held"
                + " every change and silver every row. Spread: (max - min) / median. CPU: this JVM only (Flink, or the raw reader);"
                + " PostgreSQL's walsender (logical decoding) and s3proxy are other processes, working for every candidate alike. No target for CDC in issue 9: the ratio"
                + " is stated, not judged.\n\n");
        b.append("Checks of every pipeline run (a failure stops the benchmark without a report): silver, read with Iceberg"
                + " generics (equality deletes applied), equals `SELECT * FROM orders` row for row (same keys, same values;"
                + String.format(Locale.ROOT, " checksum %016x over %,d rows); bronze holds each change once: counts by op equal"
                        + " the workload's, and its LSNs are exactly the ones C_raw read from its slot.%n%n",
                setup.finalChecksum, workload.inserts - workload.deletes));

        b.append("Per repetition, in the order run:\n\n");
        b.append("| Rep | Candidate | Changes | Seconds | Changes/s | CPU s (whole JVM) | Changes per CPU s | Load avg at start |"
                + " Submission s | Commits | First commit after s | Steady changes/s after it | Silver equals PostgreSQL |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Measurement m : ms) {
            boolean raw = m.candidate == Candidate.RAW;
            b.append(String.format(Locale.ROOT, "| %d | %s | %,d | %.2f | %,.0f | %.1f | %,.0f | %.2f | %s | %s | %s | %s | %s |%n",
                    m.repetition, m.candidate.label, m.changes, m.seconds, m.rate(), m.cpuSeconds, m.changes / m.cpuSeconds,
                    m.loadAverage, raw ? "" : String.format(Locale.ROOT, "%.2f", m.submitSeconds),
                    raw ? "" : String.valueOf(m.commits),
                    raw ? "" : String.format(Locale.ROOT, "%.1f", m.firstCommitSeconds),
                    raw || Double.isNaN(m.steadyRate) ? "" : String.format(Locale.ROOT, "%,.0f", m.steadyRate),
                    raw ? "" : m.silverCorrect ? "yes" : "**no**"));
        }
        b.append("\nCommits: bronze's and silver's together. Steady changes/s: bronze's changes committed after its first commit"
                + " over the time from that commit to the one that completed it, without the start-up and the first checkpoint;"
                + " empty when one commit held everything.\n");
        return b.toString();
    }

    private static double rawRate(List<Measurement> ms, int repetition) {
        return ms.stream().filter(m -> m.candidate == Candidate.RAW && m.repetition == repetition)
                .mapToDouble(Measurement::rate).findFirst().orElse(Double.NaN);
    }

    private static String csv(List<Measurement> ms) {
        StringBuilder b = new StringBuilder("repetition,candidate,changes,seconds,changes_per_s,cpu_s,load_avg,submission_s,"
                + "commits,first_commit_s,steady_changes_per_s,silver_equals_postgres\n");
        for (Measurement m : ms) {
            b.append(String.format(Locale.ROOT, "%d,%s,%d,%.3f,%.1f,%.2f,%.2f,%s,%s,%s,%s,%s%n", m.repetition, m.candidate.label,
                    m.changes, m.seconds, m.rate(), m.cpuSeconds, m.loadAverage,
                    Double.isNaN(m.submitSeconds) ? "" : String.format(Locale.ROOT, "%.2f", m.submitSeconds),
                    m.candidate == Candidate.RAW ? "" : String.valueOf(m.commits),
                    Double.isNaN(m.firstCommitSeconds) ? "" : String.format(Locale.ROOT, "%.2f", m.firstCommitSeconds),
                    Double.isNaN(m.steadyRate) ? "" : String.format(Locale.ROOT, "%.1f", m.steadyRate),
                    m.silverCorrect == null ? "" : String.valueOf(m.silverCorrect)));
        }
        return b.toString();
    }

    /** {@code raw,apply[,snapshot]}: raw is required (every ratio is to it, and its LSNs check bronze). */
    private static List<Candidate> candidates(String value) {
        List<Candidate> out = new ArrayList<>();
        for (String name : value.split(",")) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.isEmpty()) {
                continue;
            }
            try {
                out.add(Candidate.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--candidates '" + value + "': allowed are raw, apply and snapshot,"
                        + " comma-separated");
            }
        }
        if (!out.contains(Candidate.RAW)) {
            throw new IllegalArgumentException("--candidates must include raw: every ratio is to C_raw of the same run, and its"
                    + " LSNs check bronze");
        }
        return out;
    }

    private static boolean bool(String value, String option) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--" + option + " '" + value + "': allowed are true and false");
        }
        return Boolean.parseBoolean(value);
    }

    private static void progress(String line) {
        Bench.progress("cdc", line);
    }
}
