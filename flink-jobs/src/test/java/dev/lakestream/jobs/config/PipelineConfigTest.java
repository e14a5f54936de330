package dev.lakestream.jobs.config;

import dev.lakestream.jobs.gold.GoldOptions;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders;clickstream");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        raw.put("catalog.jdbc.password", "hunter2");
        return raw;
    }

    private static PipelineConfig load(Map<String, String> raw) {
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options()));
    }

    @Test
    void validConfigurationLoadsTypedValues() {
        Map<String, String> raw = valid();
        raw.put("pipeline.checkpoint-interval", "10 s");
        raw.put("kafka.starting-offsets", "EARLIEST");

        PipelineConfig config = load(raw);

        assertThat(config.configuration().get(KafkaBronzeOptions.TOPICS)).containsExactly("orders", "clickstream");
        assertThat(config.configuration().get(PipelineOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.configuration().get(KafkaBronzeOptions.STARTING_OFFSETS))
                .isEqualTo(KafkaBronzeOptions.StartingOffsets.EARLIEST);
    }

    @Test
    void unknownKeyIsNamedWithTheClosestKnownKey() {
        Map<String, String> raw = valid();
        raw.put("kafka.bootstrap.servers", "127.0.0.1:9092");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown key 'kafka.bootstrap.servers'")
                .hasMessageContaining("did you mean 'kafka.bootstrap-servers'?")
                .hasMessageContaining("Known keys: ");
    }

    @Test
    void invalidEnumValueNamesTheKeyAndTheAllowedValues() {
        Map<String, String> raw = valid();
        raw.put("kafka.starting-offsets", "SOMETIMES");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value 'SOMETIMES' for key 'kafka.starting-offsets'")
                .hasMessageContaining("allowed values are COMMITTED, EARLIEST, LATEST, TIMESTAMP");
    }

    @Test
    void invalidDurationAndBooleanNameTheirKeys() {
        Map<String, String> raw = valid();
        raw.put("pipeline.checkpoint-interval", "often");
        raw.put("catalog.s3.path-style-access", "maybe");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems())
                                .hasSize(2)
                                .anySatisfy(p -> assertThat(p)
                                        .contains("'pipeline.checkpoint-interval'")
                                        .contains("durations such as '30 s'"))
                                .anySatisfy(p -> assertThat(p)
                                        .contains("'catalog.s3.path-style-access'")
                                        .contains("true or false")));
    }

    @Test
    void dailyRevenueTablesMustBeCapturedOnes() {
        Map<String, String> raw = valid();
        raw.put("cdc.kafka.topics", "shop.public.orders");
        raw.put("cdc.kafka.tables", "public.orders;public.customers");
        raw.put("cdc.kafka.primary-keys", "public.orders=order_id;public.customers=customer_id");
        raw.put("cdc.kafka.column-types", "public.orders=order_id LONG;public.customers=customer_id LONG");
        raw.put("gold.daily-revenue.orders-table", "public.orders");
        raw.put("gold.daily-revenue.customers-table", "public.clients");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                                .contains("'gold.daily-revenue.customers-table'")
                                .contains("'public.clients' is not a captured table")
                                .contains("[public.orders, public.customers]")));
    }

    @Test
    void heapTimersAreRefusedWhenTheJobComputesDailyRevenueAndAcceptedOtherwise() {
        Map<String, String> raw = valid();
        raw.put("pipeline.timers", "HEAP");
        assertThat(load(raw).configuration().get(PipelineOptions.TIMERS)).isEqualTo(PipelineOptions.Timers.HEAP);

        raw.put("cdc.kafka.topics", "shop.public.orders");
        raw.put("cdc.kafka.tables", "public.orders;public.customers");
        raw.put("cdc.kafka.primary-keys", "public.orders=order_id;public.customers=customer_id");
        raw.put("cdc.kafka.column-types", "public.orders=order_id LONG;public.customers=customer_id LONG");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                                .contains("'pipeline.timers' = HEAP").contains("daily revenue").contains("ROCKSDB")));

        raw.put("gold.enabled", "false");
        assertThat(load(raw).configuration().get(PipelineOptions.TIMERS)).isEqualTo(PipelineOptions.Timers.HEAP);
    }

    @Test
    void anUnknownTimerStoreNamesTheAllowedValues() {
        Map<String, String> raw = valid();
        raw.put("pipeline.timers", "MEMORY");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'pipeline.timers'").hasMessageContaining("ROCKSDB").hasMessageContaining("HEAP");
    }

    /** Counts of what gold operators keep on the heap: 0 would keep nothing, 1 is the RocksDB-only setting. */
    @ParameterizedTest
    @ValueSource(strings = {"gold.state-cache-keys", "gold.features.waiting-inputs"})
    void goldHeapLimitsAreAtLeastOne(String key) {
        Map<String, String> raw = valid();
        raw.put(key, "0");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("'" + key + "'").contains("allowed: 1 or more")));

        raw.put(key, "1");
        ConfigOption<?> option = GoldOptions.all().stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow();
        assertThat(load(raw).configuration().get(option)).isEqualTo(1);
    }

    /** A renamed option's old key still sets it; a bad value under it is reported like one under the new key. */
    @Test
    void aRenamedOptionsOldKeyStillSetsItAndIsValidated() {
        Map<String, String> raw = valid();
        raw.put("gold.features.waiting-event-times", "1000");
        PipelineConfig config = load(raw);
        assertThat(config.configuration().get(GoldOptions.FEATURES_WAITING_INPUTS)).isEqualTo(1000);
        assertThat(config.describe()).contains("gold.features.waiting-inputs = 1000\n")
                .contains("gold.features.firing-interval = 1 min (default)\n");

        raw.put("gold.features.waiting-event-times", "many");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("'many'").contains("'gold.features.waiting-inputs'")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 ms", "7 min", "2 h"})
    void theFeaturesFiringIntervalMustDivideAnHour(String interval) {
        Map<String, String> raw = valid();
        raw.put("gold.features.firing-interval", interval);
        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("'gold.features.firing-interval'").contains("divides one hour")));

        raw.put("gold.features.firing-interval", "15 min");
        assertThat(load(raw).configuration().get(GoldOptions.FEATURES_FIRING_INTERVAL)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void theFeaturesOrdersTableMustBeACapturedOneAndTheirLatenessPositive() {
        Map<String, String> raw = valid();
        raw.put("cdc.kafka.topics", "shop.public.orders");
        raw.put("cdc.kafka.tables", "public.orders");
        raw.put("cdc.kafka.primary-keys", "public.orders=order_id");
        raw.put("cdc.kafka.column-types", "public.orders=order_id LONG");
        raw.put("gold.features.orders-table", "public.purchases");
        raw.put("gold.features.allowed-lateness", "0 s");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).hasSize(2)
                                .anySatisfy(p -> assertThat(p)
                                        .contains("'gold.features.orders-table'")
                                        .contains("'public.purchases' is not a captured table; captured: [public.orders]"))
                                .anySatisfy(p -> assertThat(p)
                                        .contains("'gold.features.allowed-lateness'")
                                        .contains("must be positive")));
    }

    @Test
    void missingRequiredKeysAreAllReportedTogether() {
        Map<String, String> raw = valid();
        raw.remove("kafka.bootstrap-servers");
        raw.remove("catalog.uri");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(p -> assertThat(p).contains("'kafka.bootstrap-servers' is required"))
                                .anySatisfy(p -> assertThat(p).contains("'catalog.uri'")));
    }

    @Test
    void timestampStartNeedsATimestamp() {
        Map<String, String> raw = valid();
        raw.put("kafka.starting-offsets", "TIMESTAMP");

        assertThatThrownBy(() -> load(raw)).hasMessageContaining("'kafka.starting-timestamp' is required");
    }

    @Test
    void msfPropertyGroupsUseTheSameKeys() {
        Properties kafka = new Properties();
        kafka.setProperty("bootstrap-servers", "b-1.msk:9098");
        kafka.setProperty("kafka.topics", "orders");
        Properties catalog = new Properties();
        catalog.setProperty("warehouse", "s3://prod/warehouse");

        PipelineConfig config = IngestionPipeline.validate(PipelineConfig.fromPropertyGroups(
                Map.of("kafka", kafka, "catalog", catalog), IngestionPipeline.options()));

        assertThat(config.configuration().get(KafkaBronzeOptions.BOOTSTRAP_SERVERS)).isEqualTo("b-1.msk:9098");
        assertThat(config.configuration().get(KafkaBronzeOptions.TOPICS)).containsExactly("orders");
    }

    @Test
    void unknownPropertyInAnMsfGroupIsNamedWithItsFullKey() {
        Properties kafka = new Properties();
        kafka.setProperty("topicz", "orders");

        assertThatThrownBy(() -> PipelineConfig.fromPropertyGroups(Map.of("kafka", kafka), IngestionPipeline.options()))
                .hasMessageContaining("unknown key 'kafka.topicz'")
                .hasMessageContaining("did you mean 'kafka.topics'?");
    }

    @Test
    void describeMasksSecrets() {
        String described = load(valid()).describe();

        assertThat(described)
                .contains("catalog.jdbc.password = ******")
                .doesNotContain("hunter2")
                .contains("kafka.group-id = lakestream-bronze (default)");
    }

    @Test
    void propertiesFileIsReadAndAMissingFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pipeline.properties");
        StringBuilder text = new StringBuilder();
        valid().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);

        PipelineConfig config = PipelineConfig.fromPropertiesFile(file, IngestionPipeline.options());
        assertThat(config.configuration().get(KafkaBronzeOptions.TOPICS)).hasSize(2);

        assertThatThrownBy(() -> PipelineConfig.fromPropertiesFile(dir.resolve("nope.properties"), List.of()))
                .hasMessageContaining("nope.properties does not exist");
    }

    @Test
    void everyOptionHasADescription() {
        assertThat(IngestionPipeline.options())
                .allSatisfy(o -> assertThat(PipelineConfig.descriptionText(o)).isNotBlank());
    }

    @Test
    void outOfRangeFetchOptionsStopTheJobNamingEachKey() {
        Map<String, String> raw = valid();
        raw.put("kafka.max-poll-records", "0");
        raw.put("kafka.max-partition-fetch-bytes", "3 gb");
        raw.put("kafka.fetch-min-bytes", "0 b");
        raw.put("kafka.fetch-max-wait", "1 min");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value for key 'kafka.max-poll-records': must be at least 1, got 0")
                .hasMessageContaining("invalid value for key 'kafka.max-partition-fetch-bytes': must be between 1 b and")
                .hasMessageContaining("invalid value for key 'kafka.fetch-min-bytes': must be between 1 b and")
                .hasMessageContaining("invalid value for key 'kafka.fetch-max-wait': must be between 0 ms and 30 s, got 60000 ms");
    }

    @Test
    void cdcTopicsAloneAlsoCheckTheConsumerOptions() {
        Map<String, String> raw = valid();
        raw.remove("kafka.topics");
        raw.put("cdc.kafka.topics", "shop.public.orders");
        raw.put("cdc.kafka.tables", "public.orders");
        raw.put("cdc.kafka.primary-keys", "public.orders=order_id");
        raw.put("cdc.kafka.column-types", "public.orders=order_id LONG");
        raw.put("kafka.max-poll-records", "-5");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value for key 'kafka.max-poll-records': must be at least 1, got -5");
    }
}
