package dev.lakestream.jobs.bronze;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** 100,000 records through a real broker into bronze: each coordinate once, payloads byte-equal. */
class KafkaToBronzeITCase {

    private static final int RECORDS = 100_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    @Test
    void everyRecordLandsExactlyOnceWithItsBytes(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("bronze_100k");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        List<KafkaTestTopics.Produced> produced =
                KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, payloads(RECORDS));

        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), Map.of());
        JobClient job = pipeline.startWithRowsBetween(2, rows -> rows);
        assertThat(stateBackendOf(miniCluster, job)).as("state backend the job runs on")
                .isEqualTo("EmbeddedRocksDBStateBackend");
        pipeline.catchUpAndStop(job, Duration.ofMinutes(5));

        Table table = pipeline.bronzeTable(topic);
        BronzeTableContents contents = BronzeTableContents.read(table);
        contents.assertExactlyOnce(produced);
        assertThat(contents.rowCount()).isEqualTo(RECORDS);

        assertThat(LakehouseTableRules.violations(table)).isEmpty();
        for (Snapshot snapshot : table.snapshots()) {
            assertThat(snapshot.operation()).as("bronze is append-only").isEqualTo(DataOperations.APPEND);
            assertThat(snapshot.summary()).doesNotContainKey("added-delete-files");
        }
    }

    /** The state backend of a running job, read once its execution graph is built. */
    private static String stateBackendOf(MiniCluster miniCluster, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String name = miniCluster.getExecutionGraph(job.getJobID()).get(30, TimeUnit.SECONDS)
                    .getStateBackendName().orElse("Unknown");
            if (!"Unknown".equals(name)) {
                return name;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("Job " + job.getJobID() + " reported no state backend within 60 s");
    }

    /** JSON, null values, empty values, bytes that are not UTF-8, and some large values. */
    static List<byte[][]> payloads(int count) {
        SplittableRandom random = new SplittableRandom(42);
        List<byte[][]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] key = i % 7 == 0 ? null : ("k" + (i % 1000)).getBytes(StandardCharsets.UTF_8);
            byte[] value;
            int kind = i % 100;
            if (kind == 0) {
                value = null;
            } else if (kind == 1) {
                value = new byte[0];
            } else if (kind == 2) {
                value = new byte[16 + random.nextInt(64)];
                for (int b = 0; b < value.length; b++) {
                    value[b] = (byte) random.nextInt(256);
                }
            } else if (i % 10_000 == 3) {
                value = ("{\"big\":\"" + "z".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                value = ("{\"event_id\":\"e-" + i + "\",\"n\":" + random.nextInt() + "}").getBytes(StandardCharsets.UTF_8);
            }
            out.add(new byte[][] {key, value});
        }
        return out;
    }
}
