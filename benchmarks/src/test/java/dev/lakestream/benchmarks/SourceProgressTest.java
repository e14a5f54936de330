package dev.lakestream.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.ReporterSetup;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** The bookkeeping of {@link SourceProgress}, and Flink finding it from the configuration {@code install} writes. */
class SourceProgressTest {

    private final SourceProgress reporter = new SourceProgress();

    @Test
    void sumsTheRecordsCountersOfTheJobsSourceSubtasks() {
        JobID job = new JobID();
        Counter orders0 = counter(5);
        Counter orders1 = counter(7);
        Counter clicks0 = counter(11);
        reporter.notifyOfAddedMetric(orders0, "numRecordsIn", operator(job, "Source: Source bench_orders", 0));
        reporter.notifyOfAddedMetric(orders1, "numRecordsIn", operator(job, "Source: Source bench_orders", 1));
        reporter.notifyOfAddedMetric(clicks0, "numRecordsIn", operator(job, "Source: Source bench_clickstream", 0));

        assertThat(SourceProgress.recordsEmitted(job)).isEqualTo(23);
        // Live counters: the sum follows them.
        orders1.inc(3);
        assertThat(SourceProgress.recordsEmitted(job)).isEqualTo(26);
    }

    @Test
    void ignoresOtherOperatorsOtherMetricsAndOtherJobs() {
        JobID job = new JobID();
        JobID other = new JobID();
        reporter.notifyOfAddedMetric(counter(5), "numRecordsIn", operator(job, "Source: Source bench_orders", 0));
        // Downstream operators count the same records again, and numRecordsOut is not the reader's count.
        reporter.notifyOfAddedMetric(counter(100), "numRecordsIn", operator(job, "IcebergStreamWriter", 0));
        reporter.notifyOfAddedMetric(counter(100), "numRecordsOut", operator(job, "Source: Source bench_orders", 0));
        // A task's own counter has no operator name.
        reporter.notifyOfAddedMetric(counter(100), "numRecordsIn", group(Map.of(ScopeFormat.SCOPE_JOB_ID, job.toString())));
        reporter.notifyOfAddedMetric(counter(1000), "numRecordsIn", operator(other, "Source: Source bench_orders", 0));

        assertThat(SourceProgress.recordsEmitted(job)).isEqualTo(5);
        assertThat(SourceProgress.recordsEmitted(other)).isEqualTo(1000);
        assertThat(SourceProgress.recordsEmitted(new JobID())).isZero();
    }

    @Test
    void forgetsRemovedCounters() {
        JobID job = new JobID();
        Counter first = counter(5);
        Counter second = counter(7);
        MetricGroup subtask0 = operator(job, "Source: Source bench_orders", 0);
        MetricGroup subtask1 = operator(job, "Source: Source bench_orders", 1);
        reporter.notifyOfAddedMetric(first, "numRecordsIn", subtask0);
        reporter.notifyOfAddedMetric(second, "numRecordsIn", subtask1);

        reporter.notifyOfRemovedMetric(first, "numRecordsIn", subtask0);
        assertThat(SourceProgress.recordsEmitted(job)).isEqualTo(7);
        reporter.notifyOfRemovedMetric(second, "numRecordsIn", subtask1);
        assertThat(SourceProgress.recordsEmitted(job)).isZero();

        // A restarted subtask registers a new counter, which counts from zero.
        reporter.notifyOfAddedMetric(counter(2), "numRecordsIn", subtask0);
        assertThat(SourceProgress.recordsEmitted(job)).isEqualTo(2);
    }

    @Test
    void flinkCreatesTheReporterFromTheInstalledConfiguration() {
        // What a MiniCluster does with its configuration: ServiceLoader's factories matched by class name.
        List<ReporterSetup> reporters = ReporterSetup.fromConfiguration(SourceProgress.install(new Configuration()), null);

        assertThat(reporters).singleElement().satisfies(setup -> {
            assertThat(setup.getName()).isEqualTo(SourceProgress.NAME);
            assertThat(setup.getReporter()).isInstanceOf(SourceProgress.class);
        });
    }

    private static Counter counter(long count) {
        Counter counter = new SimpleCounter();
        counter.inc(count);
        return counter;
    }

    /** The variables an operator's metric group of a TaskManager has (among others). */
    private static MetricGroup operator(JobID job, String operatorName, int subtask) {
        return group(Map.of(
                ScopeFormat.SCOPE_JOB_ID, job.toString(),
                ScopeFormat.SCOPE_JOB_NAME, "lakestream-throughput-test",
                ScopeFormat.SCOPE_OPERATOR_NAME, operatorName,
                ScopeFormat.SCOPE_TASK_SUBTASK_INDEX, String.valueOf(subtask)));
    }

    private static MetricGroup group(Map<String, String> variables) {
        return new UnregisteredMetricsGroup() {
            @Override
            public Map<String, String> getAllVariables() {
                return variables;
            }
        };
    }
}
