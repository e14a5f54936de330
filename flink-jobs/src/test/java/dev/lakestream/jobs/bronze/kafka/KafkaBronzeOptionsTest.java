package dev.lakestream.jobs.bronze.kafka;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaBronzeOptionsTest {

    private static Map<String, String> valid() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        raw.put("catalog.jdbc.password", "hunter2");
        return raw;
    }

    @Test
    void fetchDefaultsAreForCatchingUpNotKafkasOwn() {
        Properties properties = KafkaBronzeOptions.consumerProperties(new Configuration());

        assertThat(properties)
                .containsEntry("max.poll.records", "10000")
                .containsEntry("max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024))
                .containsEntry("fetch.min.bytes", String.valueOf(256 * 1024))
                .containsEntry("fetch.max.wait.ms", "50")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("commit.offsets.on.checkpoint", "true")
                .containsEntry("partition.discovery.interval.ms", "300000")
                .containsEntry("security.protocol", "PLAINTEXT");
    }

    @Test
    void fetchOptionsOverrideTheDefaults() {
        Configuration config = Configuration.fromMap(Map.of(
                "kafka.max-poll-records", "500",
                "kafka.max-partition-fetch-bytes", "1 mb",
                "kafka.fetch-min-bytes", "1 b",
                "kafka.fetch-max-wait", "500 ms"));

        assertThat(KafkaBronzeOptions.consumerProperties(config))
                .containsEntry("max.poll.records", "500")
                .containsEntry("max.partition.fetch.bytes", "1048576")
                .containsEntry("fetch.min.bytes", "1")
                .containsEntry("fetch.max.wait.ms", "500");
    }

    @Test
    void theBronzeSourceCarriesTheConsumerProperties() throws Exception {
        Configuration config = Configuration.fromMap(Map.of(
                "kafka.bootstrap-servers", "127.0.0.1:9092", "kafka.max-poll-records", "1234"));

        KafkaSource<RowData> source = KafkaBronzeSources.forTopic(config, "orders");

        Field props = KafkaSource.class.getDeclaredField("props");
        props.setAccessible(true);
        Properties properties = (Properties) props.get(source);
        assertThat(properties)
                .containsEntry("max.poll.records", "1234")
                .containsEntry("fetch.max.wait.ms", "50")
                .containsEntry(KafkaSourceOptions.COMMIT_OFFSETS_ON_CHECKPOINT.key(), "true");
    }

    @Test
    void outOfRangeFetchOptionsStopTheJobNamingEachKey() {
        Map<String, String> raw = valid();
        raw.put("kafka.max-poll-records", "0");
        raw.put("kafka.max-partition-fetch-bytes", "3 gb");
        raw.put("kafka.fetch-min-bytes", "0 b");
        raw.put("kafka.fetch-max-wait", "1 min");

        assertThatThrownBy(() -> IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())))
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

        assertThatThrownBy(() -> IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value for key 'kafka.max-poll-records': must be at least 1, got -5");
    }
}
