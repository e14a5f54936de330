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

    /** Flink configuration entries that install this reporter. */
    public static void install(org.apache.flink.configuration.Configuration conf) {
        RECORDS_READ.clear();
        COMPLETED_CHECKPOINTS.clear();
        conf.setString("metrics.reporter.progress.factory.class", Factory.class.getName());
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

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}
