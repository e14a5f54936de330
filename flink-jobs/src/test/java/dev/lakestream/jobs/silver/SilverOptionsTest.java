package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SilverOptionsTest {

    private static Map<String, String> base() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders;clickstream");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        return raw;
    }

    private static Configuration load(Map<String, String> raw) {
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    @Test
    void aConfiguredSourceFeedsItsDatasetAndAddsItsTables() {
        Map<String, String> raw = base();
        raw.put("silver.clickstream.source", "clickstream");
        raw.put("silver.dedup-ttl", "6 h");
        raw.put("silver.dedup-pending-ids", "1000");
        raw.put("silver.max-payload-size", "64 kb");

        Configuration config = load(raw);

        assertThat(SilverOptions.datasetsBySource(config)).containsExactly(Map.entry("clickstream", SilverDataset.CLICKSTREAM_EVENTS));
        assertThat(SilverSettings.from(config).dedupTtl()).isEqualTo(Duration.ofHours(6));
        assertThat(SilverSettings.from(config).dedupPendingIds()).isEqualTo(1000);
        assertThat(SilverSettings.from(config).maxPayloadBytes()).isEqualTo(64 * 1024);
        assertThat(IngestionPipeline.tables(config).stream().map(t -> t.identifier().toString()).collect(Collectors.toList()))
                .containsExactly("bronze.kafka_orders", "bronze.kafka_clickstream",
                        "silver.clickstream_events", "bronze.clickstream_events_quarantine",
                        "gold.user_sessions", "gold.late_events");
    }

    @Test
    void withoutSilverKeysOnlyBronzeRuns() {
        assertThat(SilverOptions.datasetsBySource(load(base()))).isEmpty();
    }

    @Test
    void aSourceThatIsNotReadIsRejectedWithTheAllowedValues() {
        Map<String, String> raw = base();
        raw.put("silver.clickstream.source", "clicks");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'silver.clickstream.source': 'clicks' is not a configured source")
                .hasMessageContaining("allowed values: [orders, clickstream]");
    }

    @Test
    void oneSourceFeedsAtMostOneDataset() {
        Map<String, String> raw = base();
        raw.put("silver.clickstream.source", "clickstream");
        raw.put("silver.fulfillment-events.source", "clickstream");

        assertThatThrownBy(() -> load(raw)).hasMessageContaining("already feeds silver.clickstream.source");
    }

    @Test
    void badDurationsAndSizesNameTheKey() {
        Map<String, String> raw = base();
        raw.put("silver.dedup-ttl", "0 s");
        raw.put("silver.max-payload-size", "lots");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("'silver.max-payload-size'")));
        raw.put("silver.max-payload-size", "1 kb");
        assertThatThrownBy(() -> load(raw)).hasMessageContaining("'silver.dedup-ttl': must be positive");
    }

    @Test
    void deduplicationHoldsAtLeastOnePendingId() {
        Map<String, String> raw = base();
        raw.put("silver.dedup-pending-ids", "0");

        assertThatThrownBy(() -> load(raw)).hasMessageContaining("'silver.dedup-pending-ids': 0; must be between 1 and 16777216");
        raw.put("silver.dedup-pending-ids", "16777217");
        assertThatThrownBy(() -> load(raw)).hasMessageContaining("'silver.dedup-pending-ids': 16777217; must be between 1");
        raw.put("silver.dedup-pending-ids", "1");
        assertThat(SilverSettings.from(load(raw)).dedupPendingIds()).isEqualTo(1);
    }

    @Test
    void aPipelineWithoutSourcesDoesNotStart() {
        Map<String, String> raw = base();
        raw.remove("kafka.topics");

        assertThatThrownBy(() -> load(raw)).hasMessageContaining("no source configured");
    }

    @Test
    void aKinesisStreamIsASourceByItsName() {
        Map<String, String> raw = base();
        raw.put("kinesis.streams", "arn:aws:kinesis:eu-west-1:123456789012:stream/fulfillment-events");
        raw.put("silver.fulfillment-events.source", "fulfillment-events");

        Configuration config = load(raw);

        assertThat(SilverOptions.datasetsBySource(config)).containsOnlyKeys("fulfillment-events");
        assertThat(IngestionPipeline.tables(config).stream().map(t -> t.identifier().toString()).collect(Collectors.toList()))
                .contains("bronze.kinesis_fulfillment_events", "silver.fulfillment_events",
                        "bronze.fulfillment_events_quarantine");
    }

    @Test
    void aMalformedArnIsReportedNotThrown() {
        Map<String, String> raw = base();
        raw.put("kinesis.streams", "fulfillment-events");
        raw.put("silver.fulfillment-events.source", "fulfillment-events");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid stream ARN 'fulfillment-events'")
                .hasMessageContaining("'fulfillment-events' is not a configured source");
    }

    @Test
    void aTopicAndAStreamMayNotShareAName() {
        Map<String, String> raw = base();
        raw.put("kinesis.streams", "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream");

        assertThatThrownBy(() -> load(raw)).hasMessageContaining("source names [clickstream] appear more than once");
    }

    @Test
    void everyDatasetSchemaMakesAReadableTable() {
        for (SilverDataset dataset : SilverDataset.all()) {
            assertThat(dataset.silverTable().schema().findField("event_id").isRequired()).isTrue();
            assertThat(dataset.silverTable().partitionSpec().fields()).hasSize(1);
            assertThat(dataset.silverRowType().getFieldCount()).isEqualTo(dataset.silverTable().schema().columns().size());
            assertThat(List.of(dataset.quarantineTable().identifier().namespace().levels())).containsExactly("bronze");
        }
    }
}
