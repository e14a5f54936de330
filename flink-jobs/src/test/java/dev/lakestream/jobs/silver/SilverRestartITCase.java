package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.FailureInjectingMap;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.SilverContents;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Silver across restarts. The job fails in front of the silver table's sink after checkpoints have
 * completed and restarts from the last one; then it is stopped with a savepoint, the producer
 * re-sends events silver already holds (an at-least-once replay), and a new job started from the
 * savepoint must drop every one of them. Silver ends with each valid event exactly once.
 */
class SilverRestartITCase {

    private static final int CLICKS = 12_000;
    private static final int REPLAYED = 400;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    @Test
    void noDuplicateAndNoMissingEventAfterAFailureAndARestoreFromSavepoint() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("clickstream_restart");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        DomainEventGenerator generator = new DomainEventGenerator(11L, Instant.parse("2026-11-20T09:00:00Z"));
        List<DomainEventGenerator.Event> clicks = generator.clickstream(CLICKS);
        List<SilverContents.Sent> sent = new ArrayList<>(EventStreamsToSilverITCase.produceToKafka(services, topic, clicks));
        int failuresBefore = FailureInjectingMap.FAILURES.get();

        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), Map.of(
                "silver.clickstream.source", topic,
                "silver.clickstream.table", topic + "_events",
                "pipeline.checkpoint-interval", "500 ms",
                // Silver exactly-once only: gold's windows and commit stamps would slow the checkpoints
                // the failure injection counts on.
                "gold.enabled", "false"));
        TableSpec silverSpec = EventStreamsToSilverITCase.dataset(pipeline).silverTable();
        // ~1,500 rows/s per subtask in front of the silver sink: the input spans several checkpoints.
        UnaryOperator<TableSink> failingSilver = iceberg -> (table, rows) -> iceberg.write(table,
                table.identifier().equals(silverSpec.identifier())
                        ? rows.map(new FailureInjectingMap(2, 1_500)).returns(rows.getType())
                                .uid("failure-injection").name("failure injection")
                        : rows);
        Path savepoints = Files.createTempDirectory("savepoints");
        String savepoint = catchUpAndStop(pipeline, topic, pipeline.start(2, failingSilver), savepoints);
        assertThat(FailureInjectingMap.FAILURES.get() - failuresBefore).as("injected failures").isEqualTo(1);

        // An at-least-once producer re-sends events that are already in silver.
        List<DomainEventGenerator.Event> replay = clicks.stream()
                .filter(e -> e.expectedSilver != null)
                .limit(REPLAYED)
                .collect(Collectors.toList());
        sent.addAll(EventStreamsToSilverITCase.produceToKafka(services, topic, replay));
        UnaryOperator<TableSink> sameTopology = iceberg -> (table, rows) -> iceberg.write(table,
                table.identifier().equals(silverSpec.identifier())
                        ? rows.map(new FailureInjectingMap(-1, 100_000)).returns(rows.getType())
                                .uid("failure-injection").name("failure injection")
                        : rows);
        catchUpAndStop(pipeline, topic, pipeline.start(2, sameTopology, savepoint), savepoints);

        Table silver = pipeline.table(silverSpec);
        Table quarantine = pipeline.table(EventStreamsToSilverITCase.dataset(pipeline).quarantineTable());
        Table bronze = pipeline.table(BronzeKafkaTable.spec(topic));
        List<String> silverLines = SilverContents.silverLines(silver);
        List<String> quarantineLines = SilverContents.quarantineLines(quarantine);

        assertThat(silverLines).as("silver: each valid event once, at its first copy")
                .containsExactlyInAnyOrderElementsOf(SilverContents.expectedSilver(sent));
        assertThat(quarantineLines).containsExactlyInAnyOrderElementsOf(SilverContents.expectedQuarantine(sent));
        long duplicates = SilverContents.expectedDuplicates(sent);
        assertThat(duplicates).isGreaterThanOrEqualTo(REPLAYED);
        assertThat(EventStreamsToSilverITCase.rows(bronze)).isEqualTo(CLICKS + REPLAYED)
                .isEqualTo(silverLines.size() + quarantineLines.size() + duplicates);
        long failedAt = FailureInjectingMap.LAST_FAILURE_MILLIS.get();
        List<Long> commits = new ArrayList<>();
        silver.snapshots().forEach((Snapshot s) -> commits.add(s.timestampMillis()));
        assertThat(commits).as("silver commits before the failure").anyMatch(t -> t < failedAt);
        assertThat(commits).as("silver commits after the restart").anyMatch(t -> t > failedAt);
    }

    private static String catchUpAndStop(PipelineUnderTest pipeline, String topic, JobClient job, Path savepoints)
            throws Exception {
        return CatchUpThenStop.atCurrentEnd(pipeline.config().get(KafkaBronzeOptions.BOOTSTRAP_SERVERS),
                        pipeline.config().get(KafkaBronzeOptions.GROUP_ID), List.of(topic))
                .awaitAndStop(job, savepoints, Duration.ofMinutes(5), () -> {});
    }
}
