package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.jobs.testing.KinesisBronzeTableContents;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.KinesisTestStreams;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records put to a real Kinesis-API server (kinesis-local) land in bronze through the
 * KinesisStreamsSource: each (shard id, sequence number) once, data byte-equal, including empty
 * data, bytes that are not UTF-8 and a record of ~900 KB.
 */
class KinesisToBronzeITCase {

    private static final int RECORDS = 10_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    @Test
    void everyRecordLandsExactlyOnceWithItsBytes() throws Exception {
        LocalServices services = LocalServices.shared();
        String stream = services.uniqueName("bronze_kinesis");
        String arn = KinesisTestStreams.create(services.kinesisEndpoint(), stream, 2);
        assertThat(arn).isEqualTo(services.kinesisStreamArn(stream));
        List<KinesisTestStreams.Produced> produced =
                KinesisTestStreams.put(services.kinesisEndpoint(), arn, payloads(RECORDS));
        assertThat(produced.stream().map(KinesisTestStreams.Produced::shardId).distinct())
                .as("shards the records were put to").hasSize(2);

        PipelineUnderTest pipeline = PipelineUnderTest.kinesis(services, List.of(arn), Map.of());
        JobClient job = pipeline.startWithRowsBetween(2, rows -> rows);
        pipeline.stopWhenCommitted(job, stream, produced.size(), Duration.ofMinutes(5));

        Table table = pipeline.bronzeTable(stream);
        KinesisBronzeTableContents contents = KinesisBronzeTableContents.read(table);
        contents.assertExactlyOnce(stream, produced);
        assertThat(contents.rowCount()).isEqualTo(RECORDS);

        assertThat(LakehouseTableRules.violations(table)).isEmpty();
        for (Snapshot snapshot : table.snapshots()) {
            assertThat(snapshot.operation()).as("bronze is append-only").isEqualTo(DataOperations.APPEND);
            assertThat(snapshot.summary()).doesNotContainKey("added-delete-files");
        }
    }

    /**
     * JSON, empty data, bytes that are not UTF-8, and one record of ~900 KB (Kinesis takes up to
     * 1 MiB of data and partition key). Kinesis has no null data: the API requires it.
     */
    static List<KinesisTestStreams.Entry> payloads(int count) {
        SplittableRandom random = new SplittableRandom(42);
        List<KinesisTestStreams.Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = "customer-" + (i % 997);
            byte[] data;
            int kind = i % 100;
            if (kind == 1) {
                data = new byte[0];
            } else if (kind == 2) {
                data = new byte[16 + random.nextInt(64)];
                for (int b = 0; b < data.length; b++) {
                    data[b] = (byte) random.nextInt(256);
                }
                data[0] = (byte) 0xff; // never valid UTF-8
            } else if (i == count / 2) {
                data = ("{\"big\":\"" + "z".repeat(900 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                data = ("{\"event_id\":\"e-" + i + "\",\"n\":" + random.nextInt() + "}").getBytes(StandardCharsets.UTF_8);
            }
            out.add(new KinesisTestStreams.Entry(key, data));
        }
        return out;
    }
}
