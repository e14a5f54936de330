package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.localrun.DomainEventGenerator.Defect;
import dev.lakestream.jobs.localrun.ProgressReporter;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.SilverContents;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clickstream from a real Kafka broker into silver and quarantine, with every planted defect:
 * the silver rows, the quarantine rows (with reasons) and the count identity are exact.
 */
class EventStreamsToSilverITCase {

    private static final int CLICKS = 3_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    @Test
    void silverAndQuarantineHoldExactlyWhatTheRulesSay() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("clickstream");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        DomainEventGenerator generator = new DomainEventGenerator(7L, Instant.parse("2026-11-20T09:00:00Z"));
        List<DomainEventGenerator.Event> clicks = generator.clickstream(CLICKS);
        assertThat(generator.defectCounts().keySet())
                .as("every defect planted at least once")
                .containsAll(EnumSet.complementOf(EnumSet.of(Defect.NONE)));
        List<SilverContents.Sent> sent = produceToKafka(services, topic, clicks);

        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), Map.of(
                "silver.clickstream.source", topic,
                "silver.clickstream.table", topic + "_events"));
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(), pipeline.config().get(
                        dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions.GROUP_ID), List.of(topic))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(5), () -> {});

        Table bronze = pipeline.table(BronzeKafkaTable.spec(topic));
        Table silver = pipeline.table(dataset(pipeline).silverTable());
        Table quarantine = pipeline.table(dataset(pipeline).quarantineTable());
        List<String> silverLines = SilverContents.silverLines(silver);
        List<String> quarantineLines = SilverContents.quarantineLines(quarantine);
        long duplicates = SilverContents.expectedDuplicates(sent);

        assertThat(silverLines).containsExactlyInAnyOrderElementsOf(SilverContents.expectedSilver(sent));
        assertThat(quarantineLines).containsExactlyInAnyOrderElementsOf(SilverContents.expectedQuarantine(sent));
        long bronzeRows = rows(bronze);
        assertThat(bronzeRows).isEqualTo(CLICKS);
        assertThat(duplicates).as("retry duplicates planted").isEqualTo(generator.defectCounts().get(Defect.RETRY_DUPLICATE).longValue());
        assertThat(bronzeRows).as("bronze = silver + quarantine + duplicates")
                .isEqualTo(silverLines.size() + quarantineLines.size() + duplicates);

        // The same identity, as the pipeline's own metrics count it.
        var jobId = job.getJobID();
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_IN)).isEqualTo(CLICKS);
        assertThat(ProgressReporter.counterTotal(jobId, DeduplicateEvents.METRIC_OUT)).isEqualTo(silverLines.size());
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED)).isEqualTo(quarantineLines.size());
        assertThat(ProgressReporter.counterTotal(jobId, DeduplicateEvents.METRIC_DUPLICATES)).isEqualTo(duplicates);
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED, "reason", "NULL_PAYLOAD"))
                .isEqualTo(generator.defectCounts().get(Defect.NULL_PAYLOAD).longValue());
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED, "reason", "OVERSIZED_PAYLOAD"))
                .isEqualTo(1L);
    }

    static List<SilverContents.Sent> produceToKafka(LocalServices services, String topic,
            List<DomainEventGenerator.Event> events) throws Exception {
        List<byte[][]> keyValues = new ArrayList<>();
        for (DomainEventGenerator.Event e : events) {
            keyValues.add(new byte[][] {e.key.getBytes(StandardCharsets.UTF_8), e.value});
        }
        List<KafkaTestTopics.Produced> produced = KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, keyValues);
        List<SilverContents.Sent> sent = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            var c = produced.get(i).coordinate;
            sent.add(new SilverContents.Sent(events.get(i), c.topic, String.valueOf(c.partition), String.valueOf(c.offset)));
        }
        return sent;
    }

    static long rows(Table table) {
        table.refresh();
        return table.currentSnapshot() == null ? 0
                : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
    }

    static SilverDataset dataset(PipelineUnderTest pipeline) {
        return SilverOptions.datasetsBySource(pipeline.config()).values().iterator().next();
    }
}
