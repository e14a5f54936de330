package dev.lakestream.jobs.bronze;

import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.FailureInjectingMap;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (a) An operator throws after two completed checkpoints; the job restarts from the last
 * checkpoint. Afterwards every (topic, partition, offset) is in bronze exactly once.
 */
class BronzeOperatorFailureITCase {

    private static final int RECORDS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    @Test
    void restartFromCheckpointWritesEveryCoordinateOnce() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("bronze_op_failure");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        List<KafkaTestTopics.Produced> produced = KafkaTestTopics.produce(
                services.kafkaBootstrapServers(), topic, KafkaToBronzeITCase.payloads(RECORDS));
        int failuresBefore = FailureInjectingMap.FAILURES.get();

        PipelineUnderTest pipeline = new PipelineUnderTest(
                services, List.of(topic), Map.of("pipeline.checkpoint-interval", "500 ms"));
        // ~1,500 rows/s per subtask: the input spans several seconds, so checkpoints complete before the failure.
        pipeline.catchUpAndStop(
                pipeline.startWithRowsBetween(2, rows -> rows.map(new FailureInjectingMap(2, 1_500))
                        .returns(rows.getType())
                        .uid("failure-injection")
                        .name("failure injection")),
                Duration.ofMinutes(5));

        assertThat(FailureInjectingMap.FAILURES.get() - failuresBefore).as("injected failures").isEqualTo(1);
        Table table = pipeline.bronzeTable(topic);
        long failedAt = FailureInjectingMap.LAST_FAILURE_MILLIS.get();
        int before = 0;
        int after = 0;
        for (Snapshot snapshot : table.snapshots()) {
            if (snapshot.timestampMillis() < failedAt) {
                before++;
            } else {
                after++;
            }
        }
        assertThat(before).as("snapshots committed before the failure").isGreaterThanOrEqualTo(1);
        assertThat(after).as("snapshots committed after the restart").isGreaterThanOrEqualTo(1);
        BronzeTableContents.read(table).assertExactlyOnce(produced);
    }
}
