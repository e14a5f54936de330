package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.config.InvalidConfigurationException;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Debezium topics on Kafka as a {@link CdcCapture}: one Kafka source over all the topics emitting
 * envelope strings, and the tables declared in {@link DebeziumKafkaOptions}.
 *
 * <p>Exactly-once, as the Kafka bronze sources: the partitions' offsets are part of Flink's
 * checkpoints and restored with them, so every record is applied once to the state and tables
 * committed on the same checkpoint. Offsets are also committed to the consumer group on each
 * completed checkpoint, for lag monitoring only. Records of aborted Kafka transactions (Kafka
 * Connect's exactly-once source mode) are skipped with {@code kafka.isolation-level=READ_COMMITTED}.
 * The source is unbounded: stop a replay with a savepoint once the group has caught up.
 *
 * <p>What the guarantee depends on: Debezium keys every record by the row's primary key, so the
 * changes of a row are in one partition in log order; the version guard of {@code ApplyChanges}
 * drops a change older than the row's last applied one (a re-sent or reordered record).
 */
public final class DebeziumKafkaSources {

    private DebeziumKafkaSources() {}

    /** {@code kafka_<group>}: names the capture's quarantine table and operator uids. */
    public static String captureName(ReadableConfig config) {
        return "kafka_" + config.get(DebeziumKafkaOptions.GROUP_ID).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** Stable uid of the source operator; it holds the partitions' offsets in checkpoints and savepoints. */
    public static String sourceUid(ReadableConfig config) {
        return "cdc-kafka-source-" + config.get(DebeziumKafkaOptions.GROUP_ID);
    }

    /**
     * The capture of the configured topics and tables; empty when {@code cdc.kafka.topics} is unset.
     *
     * @throws InvalidConfigurationException naming every problem of the configuration
     */
    public static Optional<CdcCapture> capture(ReadableConfig config) {
        if (DebeziumKafkaOptions.topics(config).isEmpty() && DebeziumKafkaOptions.tables(config).isEmpty()) {
            return Optional.empty();
        }
        List<String> problems = DebeziumKafkaOptions.problems(config);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        Map<String, CdcTableSchema> tables = DebeziumKafkaOptions.tableSchemas(config);
        return Optional.of(new CdcCapture(captureName(config), sourceUid(config), forTopics(config), tables,
                DebeziumKafkaOptions.silverPartitionColumns(config), config.get(DebeziumKafkaOptions.TABLE_PREFIX))
                .readingKafka());
    }

    /** The Kafka source of the configured topics, emitting each record value as an envelope string. */
    public static KafkaSource<String> forTopics(ReadableConfig config) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        DebeziumKafkaOptions.tableSchemas(config).forEach((table, schema) -> keys.put(table, schema.primaryKey()));
        return KafkaSource.<String>builder()
                .setBootstrapServers(config.get(KafkaBronzeOptions.BOOTSTRAP_SERVERS))
                .setTopics(DebeziumKafkaOptions.topics(config))
                .setGroupId(config.get(DebeziumKafkaOptions.GROUP_ID))
                .setClientIdPrefix(config.get(DebeziumKafkaOptions.GROUP_ID) + "-cdc")
                .setDeserializer(new DebeziumEnvelopeDeserializer(keys, config.get(DebeziumKafkaOptions.VERIFY_RECORD_KEYS)))
                .setStartingOffsets(startingOffsets(config))
                .setProperties(KafkaBronzeOptions.consumerProperties(config))
                .build();
    }

    static OffsetsInitializer startingOffsets(ReadableConfig config) {
        switch (config.get(DebeziumKafkaOptions.STARTING_OFFSETS)) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case TIMESTAMP:
                return OffsetsInitializer.timestamp(config.get(DebeziumKafkaOptions.STARTING_TIMESTAMP));
            case COMMITTED:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
