package dev.lakestream.jobs.bronze.kafka;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBronzeOptionsTest {

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
}
