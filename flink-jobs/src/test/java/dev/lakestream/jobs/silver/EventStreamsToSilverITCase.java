package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.localrun.DomainEventGenerator.Defect;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.localrun.ProgressReporter;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.KinesisTestStreams;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clickstream from a real Kafka broker and fulfillment events from a real Kinesis-API server
 * (kinesis-local) into silver and quarantine, in one job, with every planted defect: the silver
 * rows, the quarantine rows (with reasons) and the count identity are exact for both streams.
 */
public class EventStreamsToSilverITCase {

    private static final int CLICKS = 3_000;
    private static final int FULFILLMENT = 2_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    @Test
    void silverAndQuarantineHoldExactlyWhatTheRulesSay() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("clickstream");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 3);
        String stream = services.uniqueName("fulfillment");
        String streamArn = KinesisTestStreams.create(services.kinesisEndpoint(), stream, 2);
        DomainEventGenerator generator = new DomainEventGenerator(7L, Instant.parse("2026-11-20T09:00:00Z"));
        List<DomainEventGenerator.Event> clicks = generator.clickstream(CLICKS);
        Map<Defect, Integer> clickDefects = Map.copyOf(generator.defectCounts());
        assertThat(clickDefects.keySet())
                .as("every defect planted in the clickstream at least once")
                .containsAll(EnumSet.complementOf(EnumSet.of(Defect.NONE)));
        List<DomainEventGenerator.Event> fulfillment = generator.fulfillment(FULFILLMENT);
        // Kinesis cannot carry a null payload; every other defect is planted in this stream too.
        assertThat(fulfillment.stream().map(e -> e.defect).collect(java.util.stream.Collectors.toSet()))
                .as("defects planted in the fulfillment events")
                .containsAll(EnumSet.complementOf(EnumSet.of(Defect.NONE, Defect.NULL_PAYLOAD)));
        List<SilverContents.Sent> sentClicks = produceToKafka(services, topic, clicks);
        List<SilverContents.Sent> sentFulfillment = produceToKinesis(services, streamArn, stream, fulfillment);

        Map<String, String> settings = new HashMap<>(LocalServicesConfig.kinesisProperties(services, List.of(streamArn)));
        settings.put("silver.clickstream.source", topic);
        settings.put("silver.clickstream.table", topic + "_events");
        settings.put("silver.fulfillment-events.source", stream);
        settings.put("silver.fulfillment-events.table", stream + "_events");
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), settings);
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table kinesisBronze = pipeline.table(BronzeKinesisTable.spec(stream));
        CatchUpThenStop.allOf(
                        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(),
                                pipeline.config().get(KafkaBronzeOptions.GROUP_ID), List.of(topic)),
                        CatchUpThenStop.whenCommitted(kinesisBronze, FULFILLMENT))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(5), () -> {});

        long quarantinedClicks = assertExact(pipeline, topic, sentClicks, pipeline.table(BronzeKafkaTable.spec(topic)));
        long quarantinedFulfillment = assertExact(pipeline, stream, sentFulfillment, kinesisBronze);

        // The same identity, as the pipeline's own metrics count it (both datasets together).
        var jobId = job.getJobID();
        long silverRows = SilverContents.expectedSilver(sentClicks).size() + SilverContents.expectedSilver(sentFulfillment).size();
        long duplicates = SilverContents.expectedDuplicates(sentClicks) + SilverContents.expectedDuplicates(sentFulfillment);
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_IN)).isEqualTo(CLICKS + FULFILLMENT);
        assertThat(ProgressReporter.counterTotal(jobId, DeduplicateEvents.METRIC_OUT)).isEqualTo(silverRows);
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED))
                .isEqualTo(quarantinedClicks + quarantinedFulfillment);
        assertThat(ProgressReporter.counterTotal(jobId, DeduplicateEvents.METRIC_DUPLICATES)).isEqualTo(duplicates);
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED, "reason", "NULL_PAYLOAD"))
                .isEqualTo(clickDefects.get(Defect.NULL_PAYLOAD).longValue());
        assertThat(ProgressReporter.counterTotal(jobId, ValidateEvents.METRIC_QUARANTINED, "reason", "OVERSIZED_PAYLOAD"))
                .as("one oversized payload per stream").isEqualTo(2L);
    }

    /** Exact silver and quarantine rows of the dataset fed by {@code source}; returns the quarantined count. */
    private static long assertExact(PipelineUnderTest pipeline, String source, List<SilverContents.Sent> sent, Table bronze)
            throws Exception {
        SilverDataset dataset = SilverOptions.datasetsBySource(pipeline.config()).get(source);
        List<String> silverLines = SilverContents.silverLines(pipeline.table(dataset.silverTable()));
        List<String> quarantineLines = SilverContents.quarantineLines(pipeline.table(dataset.quarantineTable()));
        long duplicates = SilverContents.expectedDuplicates(sent);

        assertThat(silverLines).as("silver rows of %s", source)
                .containsExactlyInAnyOrderElementsOf(SilverContents.expectedSilver(sent));
        assertThat(quarantineLines).as("quarantine rows of %s", source)
                .containsExactlyInAnyOrderElementsOf(SilverContents.expectedQuarantine(sent));
        assertThat(duplicates).as("retry duplicates of %s", source)
                .isEqualTo(sent.stream().filter(s -> s.event().defect == Defect.RETRY_DUPLICATE).count());
        assertThat(rows(bronze)).as("bronze rows of %s", source).isEqualTo(sent.size())
                .as("bronze = silver + quarantine + duplicates")
                .isEqualTo(silverLines.size() + quarantineLines.size() + duplicates);
        return quarantineLines.size();
    }

    static List<SilverContents.Sent> produceToKinesis(LocalServices services, String streamArn, String stream,
            List<DomainEventGenerator.Event> events) throws Exception {
        List<KinesisTestStreams.Entry> entries = new ArrayList<>();
        for (DomainEventGenerator.Event e : events) {
            entries.add(new KinesisTestStreams.Entry(e.key, e.value));
        }
        List<KinesisTestStreams.Produced> produced = KinesisTestStreams.put(services.kinesisEndpoint(), streamArn, entries);
        List<SilverContents.Sent> sent = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            sent.add(new SilverContents.Sent(events.get(i), stream, produced.get(i).shardId(), produced.get(i).sequenceNumber()));
        }
        return sent;
    }

    public static List<SilverContents.Sent> produceToKafka(LocalServices services, String topic,
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

    public static long rows(Table table) {
        table.refresh();
        return table.currentSnapshot() == null ? 0
                : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
    }

    /** The pipeline's one silver dataset. */
    public static SilverDataset dataset(PipelineUnderTest pipeline) {
        return SilverOptions.datasetsBySource(pipeline.config()).values().iterator().next();
    }
}
