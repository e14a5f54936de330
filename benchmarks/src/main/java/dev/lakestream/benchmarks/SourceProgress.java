package dev.lakestream.benchmarks;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Flink metric reporter that keeps, per job, the record counters of the job's source subtasks, so
 * that a benchmark running its MiniCluster in its own JVM can tell when the sources have emitted the
 * whole input. The counter is the source operator's {@code numRecordsIn}: Flink's source reader base
 * ({@code SourceReaderBase.pollNext}, which the Kafka source's reader uses) adds one for every record
 * it hands to the record emitter. Flink names every source's operator {@code "Source: "} and the name
 * given to {@code fromSource} ({@code SourceTransformationTranslator}), so the pipeline's Kafka
 * sources are {@code "Source: Source <topic>"}.
 *
 * <p>Flink creates the reporter through {@link Factory} (found by {@code ServiceLoader} in
 * META-INF/services) once {@link #install} has configured it; the counters are static because the
 * benchmark never sees that instance. A counter is dropped when Flink removes it (its subtask ended),
 * so after a restart only the new attempts' records count.
 */
public final class SourceProgress implements MetricReporter {

    /** The reporter's name in the Flink configuration ({@code metrics.reporter.<name>.*}). */
    static final String NAME = "source-progress";
    /** What Flink puts before the name of every source transformation's operator. */
    static final String SOURCE_OPERATOR_PREFIX = "Source: ";

    /** The source subtasks' {@code numRecordsIn} counters by job id. */
    private static final Map<String, Set<Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** Configures {@code conf} (a MiniCluster's) to report to this reporter; returns it. */
    static Configuration install(Configuration conf) {
        // Flink matches factory.class against the class names of the factories ServiceLoader found: the
        // binary name, with '$' for the nested class.
        conf.setString("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
        return conf;
    }

    /**
     * Records emitted so far by the sources of job {@code job}, summed over their live subtasks; 0
     * before they are deployed and after they have ended.
     */
    static long recordsEmitted(JobID job) {
        Set<Counter> counters = COUNTERS.get(job.toString());
        return counters == null ? 0 : counters.stream().mapToLong(Counter::getCount).sum();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String job = sourceJob(metric, name, group);
        if (job != null) {
            // compute, not computeIfAbsent then add: a removal emptying the job's set must not drop a
            // counter added at the same time.
            COUNTERS.compute(job, (k, counters) -> {
                Set<Counter> set = counters == null ? ConcurrentHashMap.newKeySet() : counters;
                set.add((Counter) metric);
                return set;
            });
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String job = sourceJob(metric, name, group);
        if (job != null) {
            COUNTERS.computeIfPresent(job, (k, counters) -> {
                counters.remove(metric);
                return counters.isEmpty() ? null : counters;
            });
        }
    }

    /** The job id of a source operator's records counter; null for any other metric. */
    private static String sourceJob(Metric metric, String name, MetricGroup group) {
        if (!(metric instanceof Counter) || !MetricNames.IO_NUM_RECORDS_IN.equals(name)) {
            return null;
        }
        Map<String, String> variables = group.getAllVariables();
        String operator = variables.get(ScopeFormat.SCOPE_OPERATOR_NAME);
        return operator != null && operator.startsWith(SOURCE_OPERATOR_PREFIX)
                ? variables.get(ScopeFormat.SCOPE_JOB_ID) : null;
    }

    /** Creates the reporter; Flink finds it through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new SourceProgress();
        }
    }
}
