package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.jobs.testing.FailureInjectingMap;
import dev.lakestream.jobs.testing.KinesisBronzeTableContents;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.KinesisTestStreams;
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
 * An operator between the Kinesis source and the bronze sink throws after two completed
 * checkpoints; the job restarts from the last checkpoint, each shard continuing after the
 * sequence number it holds. Afterwards every (shard id, sequence number) is in bronze exactly once.
 */
class KinesisBronzeFailureITCase {

    private static final int RECORDS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    @Test
    void restartFromCheckpointWritesEveryRecordOnce() throws Exception {
        LocalServices services = LocalServices.shared();
        String stream = services.uniqueName("bronze_kinesis_failure");
        String arn = KinesisTestStreams.create(services.kinesisEndpoint(), stream, 2);
        List<KinesisTestStreams.Produced> produced =
                KinesisTestStreams.put(services.kinesisEndpoint(), arn, KinesisToBronzeITCase.payloads(RECORDS));
        int failuresBefore = FailureInjectingMap.FAILURES.get();

        PipelineUnderTest pipeline = PipelineUnderTest.kinesis(services, List.of(arn), Map.of("pipeline.checkpoint-interval", "500 ms"));
        // The injector counts checkpoints from the job's start, and the first rows come ~1-3 s
        // after it (shard discovery, then a first GetRecords of up to 10,000 records): failing
        // after 12 checkpoints (~7 s) leaves data checkpoints before the failure. Paced at
        // ~600 rows/s per subtask from its start (one shard of ~10,000 records each), the input
        // spans ~16 s, so rows still flow then, with seconds to spare on a loaded machine.
        pipeline.stopWhenCommitted(
                pipeline.startWithRowsBetween(2, rows -> rows.map(new FailureInjectingMap(12, 600))
                        .returns(rows.getType())
                        .uid("failure-injection")
                        .name("failure injection")),
                stream,
                produced.size(),
                Duration.ofMinutes(5));

        assertThat(FailureInjectingMap.FAILURES.get() - failuresBefore).as("injected failures").isEqualTo(1);
        Table table = pipeline.bronzeTable(stream);
        long failedAt = FailureInjectingMap.LAST_FAILURE_MILLIS.get();
        // Only snapshots that added rows count: Iceberg's sink also commits an empty snapshot every
        // 10 checkpoints without data, which proves nothing about the restart.
        long rowsBefore = 0;
        int before = 0;
        int after = 0;
        for (Snapshot snapshot : table.snapshots()) {
            long added = Long.parseLong(snapshot.summary().getOrDefault("added-records", "0"));
            if (added == 0) {
                continue;
            }
            if (snapshot.timestampMillis() < failedAt) {
                before++;
                rowsBefore += added;
            } else {
                after++;
            }
        }
        assertThat(before).as("snapshots with rows committed before the failure").isGreaterThanOrEqualTo(1);
        assertThat(rowsBefore).as("rows committed before the failure").isBetween(1L, RECORDS - 1L);
        assertThat(after).as("snapshots with rows committed after the restart").isGreaterThanOrEqualTo(1);
        KinesisBronzeTableContents.read(table).assertExactlyOnce(stream, produced);
    }
}
