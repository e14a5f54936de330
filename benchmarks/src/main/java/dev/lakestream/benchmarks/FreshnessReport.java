package dev.lakestream.benchmarks;

import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.iceberg.IcebergBuild;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The Markdown report and the CSV of {@link FreshnessBenchmark}. */
final class FreshnessReport {

    private FreshnessReport() {}

    /** One progress line per run. */
    static String summary(FreshnessRun.Result r) {
        String line = String.format(Locale.ROOT, "%s: bronze freshness p50 %s, p95 %s, p99 %s s over %,d records (interval %.1f s)",
                r.name, s(pct(r.bronzeSteady, 50)), s(pct(r.bronzeSteady, 95)), s(pct(r.bronzeSteady, 99)),
                r.bronzeSteady.length, r.intervalMillis / 1000.0);
        if (r.silverSteady != null) {
            line += String.format(Locale.ROOT, "; silver p95 %s s", s(pct(r.silverSteady, 95)));
        }
        if (r.killed) {
            line += String.format(Locale.ROOT, "; after the TaskManager loss: running again +%s s, first commit +%s s,"
                    + " freshness back within bound +%s s, max freshness %s s; bronze exactly once",
                    s(r.runningAgainMillis - r.killMillis), s(r.firstCommitAfterMillis - r.killMillis),
                    r.recoveredMillis == 0 ? "never" : s(r.recoveredMillis - r.killMillis), s(r.maxFreshnessAfterKill));
        }
        return line;
    }

    static String markdown(List<FreshnessRun.Result> results, Instant started, String[] args, String cluster, int parallelism,
            long seed, Duration duration, Duration killAt, Duration recovery) {
        StringBuilder b = new StringBuilder("# Freshness, checkpoints and recovery under a steady load\n\n");
        b.append(String.format(Locale.ROOT, "Run %s (%.0f s), `FreshnessBenchmark %s`.%n%n", started.truncatedTo(ChronoUnit.SECONDS),
                Duration.between(started, Instant.now()).toMillis() / 1000.0, String.join(" ", args).trim()));
        b.append("- Machine: ").append(Bench.machine()).append(".\n");
        b.append(String.format(Locale.ROOT, "- Flink %s %s, parallelism %d, RocksDB with incremental checkpoints,"
                        + " exactly-once; the production application jar (`IngestionApplication`, the MSF entry point) submitted"
                        + " over REST. Iceberg %s (JDBC catalog on PostgreSQL, S3FileIO on s3proxy); Kafka %s broker in the"
                        + " benchmark's JVM, %d partitions per topic (twice the parallelism).%n",
                EnvironmentInformation.getVersion(), cluster, parallelism, IcebergBuild.version(),
                org.apache.kafka.common.utils.AppInfoParser.getVersion(), FreshnessRun.partitionsFor(parallelism)));
        b.append(String.format(Locale.ROOT, "- Recovery settings (they dominate the recovery time): heartbeat.interval %s ms,"
                        + " heartbeat.timeout %s ms, heartbeat.rpc-failure-threshold %d (default; a killed process refuses the"
                        + " heartbeat RPC, so it is declared lost after that many failed heartbeats, not after the timeout);"
                        + " restart-strategy %s with initial backoff %s, multiplier %s, max backoff %s, jitter %s (Flink"
                        + " 1.20's defaults). Flink's own heartbeat defaults are 10 s / 50 s; MSF's are not published, so the"
                        + " detection part of the recovery time is this cluster's, not MSF's.%n",
                FreshnessBenchmark.CLUSTER_SETTINGS.get("heartbeat.interval"),
                FreshnessBenchmark.CLUSTER_SETTINGS.get("heartbeat.timeout"),
                HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD.defaultValue(),
                FreshnessBenchmark.CLUSTER_SETTINGS.get("restart-strategy.type"),
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF.defaultValue(),
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER.defaultValue(),
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF.defaultValue(),
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR.defaultValue()));
        b.append(String.format(Locale.ROOT, "- Load: the local run's generator (`DomainEventGenerator`, seed %d, planted"
                        + " defects included) sent by one paced producer, orders : clickstream : fulfillment = 1 : 3 : 1, each"
                        + " record's Kafka timestamp the wall time it was sent. %s%n",
                seed, killAt.isZero() ? String.format(Locale.ROOT, "%d s of load per run, no TaskManager loss.", duration.getSeconds())
                        : String.format(Locale.ROOT, "Steady phase until %d s into the load; then the TaskManager process is"
                                + " killed (SIGKILL) once the steady phase's records are all visible in bronze, a replacement"
                                + " TaskManager is started at once, and the load goes on for %d s more (at least until %d s).",
                        killAt.getSeconds(), recovery.getSeconds(), duration.getSeconds())));
        b.append("- Runs: ");
        b.append(results.stream().map(r -> String.format(Locale.ROOT, "`%s` %s at %,.0f records/s, %.1f s checkpoints (%,d records"
                        + " in %.0f s, producer at most %d ms behind its schedule, load average %.1f at the start and %.1f at"
                        + " the end of the load)", r.name, r.mode == FreshnessRun.Mode.BRONZE
                        ? "bronze (Kafka -> bronze, gold off)" : "full (bronze + silver + gold windows + facility features)",
                r.rate, r.intervalMillis / 1000.0, r.records, (r.producerEnd - r.producerStart) / 1000.0, r.producerLagMillis,
                r.loadAtStart, r.loadAtEnd)).collect(Collectors.joining("; ")));
        b.append(".\n\n");

        b.append("## Freshness: produced to visible in Iceberg\n\n");
        b.append("Visible: the timestamp of the snapshot (commit) whose appended data files hold the record's row, read back"
                + " from each table's history; freshness = visible - sent. Steady phase only, without the warm-up (records"
                + " sent in the first 2 checkpoint intervals after the producer started, which was once the job had completed"
                + " its first checkpoint). Silver: records that landed in a silver event table or its quarantine (the planted"
                + " retry duplicates are dropped by design and have no freshness). Gold windows are left out: a window's row"
                + " waits for the window to close, which measures the window length, not the pipeline.\n\n");
        b.append("| Run | Layer | Rate/s | Interval s | Records | p50 s | p95 s | p99 s | Max s | p50 - interval | p95 - interval |"
                + " p99 - interval | Target: p95 <= | Met |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (FreshnessRun.Result r : results) {
            row(b, r, "bronze", r.bronzeSteady);
            if (r.silverSteady != null) {
                row(b, r, "silver + quarantine", r.silverSteady);
            }
        }
        for (FreshnessRun.Result r : results) {
            b.append(String.format(Locale.ROOT, "%n%s: %,d bronze commits with rows (three tables)%s.", r.name, r.bronzeCommits,
                    r.mode == FreshnessRun.Mode.FULL ? String.format(Locale.ROOT, "; silver + quarantine hold %,d rows, the"
                            + " silver topics' records less their %,d planted retry duplicates", r.silverLanded,
                            r.silverExpectedMissing) : ""));
        }
        b.append('\n');
        timeline(b, results);
        for (FreshnessRun.Result r : results) {
            if (r.steadyPendingAtKill > 0) {
                b.append(String.format(Locale.ROOT, "%n%s: %d partitions still had steady-phase records not visible in bronze"
                        + " when the TaskManager was killed (the wait before the kill ran out): those records' freshness"
                        + " includes part of the recovery.%n", r.name, r.steadyPendingAtKill));
            }
        }

        b.append("\n## Checkpoints\n\nFrom Flink's checkpoint statistics (`GET /jobs/<id>/checkpoints`, polled every 250 ms):"
                + " end-to-end duration (trigger to last acknowledgement), checkpointed size (what the checkpoint uploaded:"
                + " incremental RocksDB) and full state size (everything the checkpoint refers to). Warm-up checkpoints"
                + " (triggered in the first 2 intervals of the load) are left out.\n\n");
        b.append("| Run | Phase | Completed | Failed | Duration p50 ms | Duration max ms | Checkpointed p50 | Checkpointed max |"
                + " Full state last | Full state max |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FreshnessRun.Result r : results) {
            long steadyEnd = r.killed ? r.killMillis : Long.MAX_VALUE;
            checkpointRow(b, r, r.killed ? "steady (before the loss)" : "steady", r.warmupEnd, steadyEnd);
            if (r.killed) {
                checkpointRow(b, r, "after the loss", r.killMillis, Long.MAX_VALUE);
            }
        }

        List<String> failures = new ArrayList<>();
        for (FreshnessRun.Result r : results) {
            r.checkpoints.stream().filter(c -> !"COMPLETED".equals(c.status)).forEach(c -> failures.add(String.format(
                    Locale.ROOT, "%s checkpoint %d, triggered %.1f s into the load%s: %s", r.name, c.id,
                    (c.triggerMillis - r.producerStart) / 1000.0, r.killed ? String.format(Locale.ROOT,
                            " (the TaskManager was killed at %.1f s)", (r.killMillis - r.producerStart) / 1000.0) : "",
                    c.failureMessage == null ? "no message" : c.failureMessage)));
        }
        if (!failures.isEmpty()) {
            b.append("\nFailed checkpoints, with Flink's reason:\n\n");
            failures.forEach(f -> b.append("- ").append(f).append('\n'));
        }

        List<FreshnessRun.Result> killed = results.stream().filter(x -> x.killed).collect(Collectors.toList());
        if (!killed.isEmpty()) {
            b.append("\n## Recovery after a lost TaskManager\n\nThe TaskManager process (all slots: parallelism = slots) is"
                    + " killed with SIGKILL under load, and a replacement process is started right away, as MSF replaces a"
                    + " lost one. Seconds after the kill. \"Tasks running\": the first REST poll (every 250 ms) with every"
                    + " vertex RUNNING again. \"First commit\": the first bronze snapshot with rows after the kill."
                    + " \"Freshness back\": the first bronze commit from which on every commit's oldest record is within"
                    + " interval + 5 s, while the load still runs (otherwise: not before the load ended). \"Max freshness\": the"
                    + " oldest record of any bronze commit after the kill. The first commit can come before \"tasks running\":"
                    + " Iceberg's committer commits the restored checkpoint's pending files while it initializes.\n\n");
            b.append("| Run | Killed at s into the load | Loss noticed (JobManager) | Replacement registered | Tasks running | First commit |"
                    + " Freshness back within interval + 5 s | Max freshness s | Records sent until back | Bronze p95 after"
                    + " recovery s | Bronze exactly once |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (FreshnessRun.Result r : killed) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | yes: %,d records, each once |%n",
                        r.name, s(r.killMillis - r.producerStart),
                        r.failureNoticedMillis == 0 ? "not recorded" : "+" + s(r.failureNoticedMillis - r.killMillis),
                        "+" + s(r.replacementRegisteredMillis - r.killMillis), "+" + s(r.runningAgainMillis - r.killMillis),
                        "+" + s(r.firstCommitAfterMillis - r.killMillis),
                        r.recoveredMillis == 0 ? "**not before the load ended**" : "+" + s(r.recoveredMillis - r.killMillis),
                        s(r.maxFreshnessAfterKill), r.recoveredMillis == 0 ? "" : String.format(Locale.ROOT, "%,d", r.recordsDuringRecovery),
                        r.bronzeAfterRecovery == null || r.bronzeAfterRecovery.length == 0 ? "" : s(pct(r.bronzeAfterRecovery, 95)),
                        r.records));
            }
            b.append("\nLoss noticed: the timestamp of the job's exception-history entry after the kill (");
            b.append(killed.stream().map(r -> r.name + ": " + (r.failureName == null ? "none" : "`" + r.failureName + "`"))
                    .collect(Collectors.joining(", ")));
            b.append("). Exactly once: every produced (topic, partition, offset) is in bronze once and no other row is; the"
                    + " run fails otherwise.\n");
        }
        return b.toString();
    }

    /** Freshness per window of the load: a tail spread over the load and a tail from one stretch of it call for different fixes. */
    private static void timeline(StringBuilder b, List<FreshnessRun.Result> results) {
        b.append(String.format(Locale.ROOT, "%nFreshness over the load, by when the record was sent (%d s windows from the"
                + " producer's start; the first windows include the warm-up, which the table above leaves out):%n%n",
                FreshnessRun.TIMELINE_MILLIS / 1000));
        b.append("| Run | Sent s | Bronze records | Bronze p50 s | Bronze p95 s | Bronze max s | Silver p95 s | Checkpoints"
                + " completed | Checkpoint max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FreshnessRun.Result r : results) {
            for (int i = 0; i < r.bronzeTimeline.size(); i++) {
                long[] f = r.bronzeTimeline.get(i);
                long[] silver = r.silverTimeline == null ? null : r.silverTimeline.get(i);
                long from = r.producerStart + i * FreshnessRun.TIMELINE_MILLIS;
                double[] durations = r.checkpoints.stream().filter(c -> "COMPLETED".equals(c.status)
                        && c.triggerMillis >= from && c.triggerMillis < from + FreshnessRun.TIMELINE_MILLIS)
                        .mapToDouble(c -> c.durationMillis).toArray();
                b.append(String.format(Locale.ROOT, "| %s | %d-%d | %,d | %s | %s | %s | %s | %d | %s |%n", r.name,
                        i * FreshnessRun.TIMELINE_MILLIS / 1000, (i + 1) * FreshnessRun.TIMELINE_MILLIS / 1000, f.length,
                        s(pct(f, 50)), s(pct(f, 95)), s(f.length == 0 ? -1 : f[f.length - 1]),
                        silver == null ? "" : s(pct(silver, 95)), durations.length, n(Bench.percentile(durations, 100))));
            }
        }
    }

    private static void row(StringBuilder b, FreshnessRun.Result r, String layer, long[] f) {
        double interval = r.intervalMillis / 1000.0;
        double target = interval + 5;
        double p95 = pct(f, 95) / 1000.0;
        b.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %,d | %s | %s | %s | %s | %s | %s | %s | %.1f | %s |%n",
                r.name, layer, r.rate, interval, f.length, s(pct(f, 50)), s(pct(f, 95)), s(pct(f, 99)),
                s(f.length == 0 ? -1 : f[f.length - 1]), s(pct(f, 50) - r.intervalMillis), s(pct(f, 95) - r.intervalMillis),
                s(pct(f, 99) - r.intervalMillis), target, f.length == 0 ? "no records" : p95 <= target ? "**yes**" : "**no**"));
    }

    private static void checkpointRow(StringBuilder b, FreshnessRun.Result r, String phase, long from, long to) {
        List<FreshnessJobMonitor.Checkpoint> in = new ArrayList<>();
        r.checkpoints.stream().filter(c -> c.triggerMillis >= from && c.triggerMillis < to).forEach(in::add);
        List<FreshnessJobMonitor.Checkpoint> done = in.stream().filter(c -> "COMPLETED".equals(c.status)).collect(Collectors.toList());
        long failed = in.size() - done.size();
        double[] durations = done.stream().mapToDouble(c -> c.durationMillis).toArray();
        double[] checkpointed = done.stream().mapToDouble(c -> c.checkpointedBytes).toArray();
        double[] state = done.stream().mapToDouble(c -> c.stateBytes).toArray();
        b.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |%n", r.name, phase, done.size(),
                failed, n(Bench.percentile(durations, 50)), n(Bench.percentile(durations, 100)),
                bytes(Bench.percentile(checkpointed, 50)), bytes(Bench.percentile(checkpointed, 100)),
                bytes(state.length == 0 ? Double.NaN : state[state.length - 1]), bytes(Bench.percentile(state, 100))));
    }

    static String csv(List<FreshnessRun.Result> results) {
        StringBuilder b = new StringBuilder("run,mode,interval_ms,rate,metric,value\n");
        for (FreshnessRun.Result r : results) {
            String prefix = String.format(Locale.ROOT, "%s,%s,%d,%.0f,", r.name, r.mode.name().toLowerCase(Locale.ROOT),
                    r.intervalMillis, r.rate);
            List<String[]> m = new ArrayList<>();
            m.add(new String[] {"records", String.valueOf(r.records)});
            m.add(new String[] {"producer_max_lag_ms", String.valueOf(r.producerLagMillis)});
            freshnessCsv(m, "bronze", r.bronzeSteady, r.intervalMillis);
            if (r.silverSteady != null) {
                freshnessCsv(m, "silver", r.silverSteady, r.intervalMillis);
            }
            List<FreshnessJobMonitor.Checkpoint> steady = r.checkpoints.stream().filter(c -> "COMPLETED".equals(c.status)
                    && c.triggerMillis >= r.warmupEnd && (!r.killed || c.triggerMillis < r.killMillis)).collect(Collectors.toList());
            double[] d = steady.stream().mapToDouble(c -> c.durationMillis).toArray();
            double[] cs = steady.stream().mapToDouble(c -> c.checkpointedBytes).toArray();
            double[] ss = steady.stream().mapToDouble(c -> c.stateBytes).toArray();
            m.add(new String[] {"checkpoints_completed_steady", String.valueOf(steady.size())});
            m.add(new String[] {"checkpoints_failed", String.valueOf(r.checkpoints.stream().filter(c -> !"COMPLETED".equals(c.status)).count())});
            m.add(new String[] {"checkpoint_duration_p50_ms", n(Bench.percentile(d, 50))});
            m.add(new String[] {"checkpoint_duration_max_ms", n(Bench.percentile(d, 100))});
            m.add(new String[] {"checkpointed_bytes_p50", n(Bench.percentile(cs, 50))});
            m.add(new String[] {"checkpointed_bytes_max", n(Bench.percentile(cs, 100))});
            m.add(new String[] {"state_bytes_max", n(Bench.percentile(ss, 100))});
            if (r.killed) {
                m.add(new String[] {"loss_noticed_s", r.failureNoticedMillis == 0 ? "" : s(r.failureNoticedMillis - r.killMillis)});
                m.add(new String[] {"replacement_registered_s", s(r.replacementRegisteredMillis - r.killMillis)});
                m.add(new String[] {"tasks_running_s", s(r.runningAgainMillis - r.killMillis)});
                m.add(new String[] {"first_commit_s", s(r.firstCommitAfterMillis - r.killMillis)});
                m.add(new String[] {"freshness_back_s", r.recoveredMillis == 0 ? "" : s(r.recoveredMillis - r.killMillis)});
                m.add(new String[] {"max_freshness_after_loss_s", s(r.maxFreshnessAfterKill)});
                m.add(new String[] {"bronze_exactly_once", "true"});
            }
            m.forEach(kv -> b.append(prefix).append(kv[0]).append(',').append(kv[1]).append('\n'));
        }
        return b.toString();
    }

    private static void freshnessCsv(List<String[]> m, String layer, long[] f, long interval) {
        m.add(new String[] {layer + "_records", String.valueOf(f.length)});
        for (int p : new int[] {50, 95, 99}) {
            m.add(new String[] {layer + "_p" + p + "_s", s(pct(f, p))});
            m.add(new String[] {layer + "_p" + p + "_minus_interval_s", s(pct(f, p) - interval)});
        }
        m.add(new String[] {layer + "_max_s", s(f.length == 0 ? -1 : f[f.length - 1])});
    }

    /** The nearest-rank percentile of sorted values (ms); -1 for none. */
    static long pct(long[] sorted, double p) {
        if (sorted == null || sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Milliseconds as seconds with 2 decimals. */
    private static String s(long millis) {
        return String.format(Locale.ROOT, "%.2f", millis / 1000.0);
    }

    private static String n(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String bytes(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", v / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", v / 1024.0);
    }
}
