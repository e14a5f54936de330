package dev.lakestream.jobs.bronze;

import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.FailureInjectingMap;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (b) A TaskManager of a two-TaskManager MiniCluster is terminated while the job runs on both.
 * A replacement TaskManager joins (as MSF or Kubernetes would provide) and the job resumes from
 * its last checkpoint; every (topic, partition, offset) ends up in bronze exactly once.
 */
class BronzeTaskManagerLossITCase {

    private static final int RECORDS = 20_000;

    /** One slot per TaskManager, parallelism 2: both TaskManagers run part of the job. */
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(2, 1);

    @Test
    void losingATaskManagerLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("bronze_tm_loss");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        List<KafkaTestTopics.Produced> produced = KafkaTestTopics.produce(
                services.kafkaBootstrapServers(), topic, KafkaToBronzeITCase.payloads(RECORDS));

        PipelineUnderTest pipeline = new PipelineUnderTest(
                services, List.of(topic), Map.of("pipeline.checkpoint-interval", "500 ms"));
        JobClient job = pipeline.startWithRowsBetween(2, rows -> rows.map(new FailureInjectingMap(-1, 1_000))
                .returns(rows.getType())
                .uid("pacing")
                .name("pacing"));

        Table table = awaitCommittedSnapshots(pipeline, topic, job, 2, Duration.ofMinutes(2));
        int rowsBeforeLoss = BronzeTableContents.read(table).rowCount();
        assertThat(rowsBeforeLoss).as("the job is mid-way when the TaskManager dies").isBetween(1, RECORDS - 1);

        miniCluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        miniCluster.startTaskManager();

        pipeline.catchUpAndStop(job, Duration.ofMinutes(5));
        BronzeTableContents.read(table).assertExactlyOnce(produced);
    }

    private static Table awaitCommittedSnapshots(
            PipelineUnderTest pipeline, String topic, JobClient job, int snapshots, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Table table = pipeline.bronzeTable(topic);
        while (System.nanoTime() < deadline) {
            table.refresh();
            int count = 0;
            for (org.apache.iceberg.Snapshot ignored : table.snapshots()) {
                count++;
            }
            if (count >= snapshots) {
                return table;
            }
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            assertThat(status.isGloballyTerminalState()).as("job ended before %s snapshots were committed", snapshots).isFalse();
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("Bronze table of " + topic + " had fewer than " + snapshots + " snapshots after " + timeout);
    }
}
