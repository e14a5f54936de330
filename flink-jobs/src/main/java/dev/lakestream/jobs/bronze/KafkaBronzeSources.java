package dev.lakestream.jobs.bronze;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.table.data.RowData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Locale;

/**
 * Kafka sources for bronze, always unbounded. A replay or backfill stops with a savepoint once the
 * consumer group has caught up, never through end of input: Iceberg 1.11's Flink committers lose
 * end-of-input files when a checkpoint lands while writers finish one by one.
 *
 * <p>Kafka sources for bronze, one per topic so that each topic's offsets live under their own
 * operator uid (a topic can be added or removed without touching the others' state).
 */
public final class KafkaBronzeSources {

    private KafkaBronzeSources() {}

    /** The source for one topic, configured from {@link KafkaBronzeOptions}. */
    public static KafkaSource<RowData> forTopic(ReadableConfig config, String topic) {
        KafkaSourceBuilder<RowData> builder =
                KafkaSource.<RowData>builder()
                        .setBootstrapServers(config.get(KafkaBronzeOptions.BOOTSTRAP_SERVERS))
                        .setTopics(topic)
                        .setGroupId(config.get(KafkaBronzeOptions.GROUP_ID))
                        .setClientIdPrefix(config.get(KafkaBronzeOptions.GROUP_ID) + "-" + topic)
                        .setDeserializer(new BronzeRecordDeserializer())
                        .setStartingOffsets(startingOffsets(config))
                        .setProperty(
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                config.get(KafkaBronzeOptions.ISOLATION_LEVEL).name().toLowerCase(Locale.ROOT))
                        .setProperty(
                                "partition.discovery.interval.ms",
                                String.valueOf(config.get(KafkaBronzeOptions.PARTITION_DISCOVERY_INTERVAL).toMillis()))
                        // Offsets committed on each completed checkpoint are what lag monitoring and
                        // "caught up" checks read; exactly-once itself relies on the checkpointed offsets.
                        .setProperty("commit.offsets.on.checkpoint", "true");
        return builder.build();
    }

    private static OffsetsInitializer startingOffsets(ReadableConfig config) {
        switch (config.get(KafkaBronzeOptions.STARTING_OFFSETS)) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case TIMESTAMP:
                return OffsetsInitializer.timestamp(config.get(KafkaBronzeOptions.STARTING_TIMESTAMP));
            case COMMITTED:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
