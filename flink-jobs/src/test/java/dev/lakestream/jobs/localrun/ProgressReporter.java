package dev.lakestream.jobs.localrun;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Flink metric reporter that keeps the few metrics the local run prints as progress: records
 * read by the bronze sources and checkpoints completed. The local run's MiniCluster is in the same
 * JVM, so the live metric objects are read directly.
 */
public final class ProgressReporter implements MetricReporter {

    private static final List<Counter> RECORDS_READ = new CopyOnWriteArrayList<>();
    private static final List<Gauge<?>> COMPLETED_CHECKPOINTS = new CopyOnWriteArrayList<>();
    /** Every counter by job id and metric name, for tests that check the pipeline's own counts. */
    private static final java.util.Map<String, List<Counter>> COUNTERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Flink configuration entries that install this reporter. */
    public static void install(org.apache.flink.configuration.Configuration conf) {
        RECORDS_READ.clear();
        COMPLETED_CHECKPOINTS.clear();
        conf.setString("metrics.reporter.progress.factory.class", Factory.class.getName());
    }

    /**
     * The sum of every counter called {@code name} of job {@code jobId}, over all subtasks and
     * attempts that registered one: after a restart, records processed twice count twice.
     */
    public static long counterTotal(org.apache.flink.api.common.JobID jobId, String name) {
        return COUNTERS.getOrDefault(jobId + "/" + name, List.of()).stream().mapToLong(Counter::getCount).sum();
    }

    /** As {@link #counterTotal}, restricted to counters registered under group variable {@code key=value}. */
    public static long counterTotal(org.apache.flink.api.common.JobID jobId, String name, String key, String value) {
        return COUNTERS.getOrDefault(jobId + "/" + name + "/" + key + "=" + value, List.of()).stream()
                .mapToLong(Counter::getCount).sum();
    }

    public static long recordsRead() {
        return RECORDS_READ.stream().mapToLong(Counter::getCount).sum();
    }

    public static long completedCheckpoints() {
        return COMPLETED_CHECKPOINTS.stream()
                .map(Gauge::getValue)
                .filter(Number.class::isInstance)
                .mapToLong(v -> ((Number) v).longValue())
                .max()
                .orElse(0);
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter) {
            String job = group.getAllVariables().get("<job_id>");
            if (job != null) {
                // Key-value groups (addGroup(key, value)) appear as variables "<key>"; a counter in
                // one is counted under that key only, not in the plain total.
                List<String> custom = new java.util.ArrayList<>();
                group.getAllVariables().forEach((k, v) -> {
                    if (k.startsWith("<") && !isStandardVariable(k)) {
                        custom.add(k.substring(1, k.length() - 1) + "=" + v);
                    }
                });
                if (custom.isEmpty()) {
                    COUNTERS.computeIfAbsent(job + "/" + name, k -> new CopyOnWriteArrayList<>()).add((Counter) metric);
                }
                for (String kv : custom) {
                    COUNTERS.computeIfAbsent(job + "/" + name + "/" + kv, x -> new CopyOnWriteArrayList<>())
                            .add((Counter) metric);
                }
            }
        }
        if ("bronzeRecords".equals(name) && metric instanceof Counter) {
            RECORDS_READ.add((Counter) metric);
        } else if ("numberOfCompletedCheckpoints".equals(name) && metric instanceof Gauge) {
            COMPLETED_CHECKPOINTS.add((Gauge<?>) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Keep the last values: the run prints its totals after the job has finished.
    }

    private static boolean isStandardVariable(String variable) {
        return java.util.Set.of("<job_id>", "<host>", "<tm_id>", "<job_name>", "<task_id>", "<task_name>", "<task_attempt_id>",
                "<task_attempt_num>", "<subtask_index>", "<operator_id>", "<operator_name>").contains(variable);
    }

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}
