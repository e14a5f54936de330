package dev.lakestream.jobs.bronze.kafka;

import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Options of the Kafka-to-bronze ingestion. Property group {@code kafka} on MSF. */
public final class KafkaBronzeOptions {

    /** Where a source starts when it has no checkpointed offsets (first start, or a stateless start). */
    public enum StartingOffsets {
        /** The group's committed offsets; partitions without one start at the earliest offset. */
        COMMITTED,
        EARLIEST,
        LATEST,
        /** The first offset whose record timestamp is at or after {@code kafka.starting-timestamp}. */
        TIMESTAMP
    }

    /** Where a bounded run (a backfill or a replay) stops; NONE keeps reading. */
    public enum StoppingOffsets {
        NONE,
        /** The end offsets of each partition when the job starts. */
        LATEST,
        /** The first offset whose record timestamp is at or after {@code kafka.stopping-timestamp} (exclusive). */
        TIMESTAMP
    }

    /** Whether records of aborted Kafka transactions are read. */
    public enum IsolationLevel {
        READ_COMMITTED,
        READ_UNCOMMITTED
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers, host:port[,host:port]. Required when kafka.topics is set.");

    public static final ConfigOption<List<String>> TOPICS =
            ConfigOptions.key("kafka.topics")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Topics to ingest, separated by ';'. Each topic lands in its own bronze table"
                                    + " bronze.kafka_<topic>. The pipeline needs at least one source: Kafka topics,"
                                    + " Kinesis streams or both.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("lakestream-bronze")
                    .withDescription(
                            "Consumer group. Offsets are committed to it on every completed checkpoint for monitoring"
                                    + " (consumer lag); exactly-once relies on the offsets in Flink's checkpoints, not on these.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where to start when there is no checkpoint or savepoint to restore from: COMMITTED"
                                    + " (falls back to EARLIEST), EARLIEST, LATEST or TIMESTAMP. Ignored on restore.");

    public static final ConfigOption<Long> STARTING_TIMESTAMP =
            ConfigOptions.key("kafka.starting-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Epoch milliseconds to start from when kafka.starting-offsets is TIMESTAMP (replays and backfills).");

    public static final ConfigOption<StoppingOffsets> STOPPING_OFFSETS =
            ConfigOptions.key("kafka.stopping-offsets")
                    .enumType(StoppingOffsets.class)
                    .defaultValue(StoppingOffsets.NONE)
                    .withDescription(
                            "Makes the Kafka sources bounded, for backfills and replays: NONE (keep reading), LATEST (stop at"
                                    + " the end offsets found at start) or TIMESTAMP (stop before the first record at or after"
                                    + " kafka.stopping-timestamp). The job ends when every source has reached its end, after a"
                                    + " last commit. Needs a pipeline of Kafka topics only (Kinesis and CDC sources never end)."
                                    + " A bounded run takes no periodic checkpoints and commits once, at the end.");

    public static final ConfigOption<Long> STOPPING_TIMESTAMP =
            ConfigOptions.key("kafka.stopping-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription("Epoch milliseconds to stop before when kafka.stopping-offsets is TIMESTAMP (exclusive).");

    public static final ConfigOption<IsolationLevel> ISOLATION_LEVEL =
            ConfigOptions.key("kafka.isolation-level")
                    .enumType(IsolationLevel.class)
                    .defaultValue(IsolationLevel.READ_COMMITTED)
                    .withDescription(
                            "READ_COMMITTED skips records of aborted producer transactions (they were never published);"
                                    + " READ_UNCOMMITTED copies them too.");

    public static final ConfigOption<Duration> PARTITION_DISCOVERY_INTERVAL =
            ConfigOptions.key("kafka.partition-discovery-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription("How often new partitions of the topics are picked up. 0 turns discovery off.");

    private KafkaBronzeOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                TOPICS,
                GROUP_ID,
                STARTING_OFFSETS,
                STARTING_TIMESTAMP,
                STOPPING_OFFSETS,
                STOPPING_TIMESTAMP,
                ISOLATION_LEVEL,
                PARTITION_DISCOVERY_INTERVAL);
    }

    /** Cross-field rules when Kafka topics are configured, for {@link PipelineConfig#check}. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.getOptional(BOOTSTRAP_SERVERS).filter(s -> !s.isBlank()).isEmpty()) {
            problems.add(PipelineConfig.missing(BOOTSTRAP_SERVERS, "when kafka.topics is set"));
        }
        if (config.get(STARTING_OFFSETS) == StartingOffsets.TIMESTAMP
                && config.getOptional(STARTING_TIMESTAMP).isEmpty()) {
            problems.add(PipelineConfig.missing(STARTING_TIMESTAMP, "when kafka.starting-offsets is TIMESTAMP"));
        }
        if (config.get(STOPPING_OFFSETS) == StoppingOffsets.TIMESTAMP
                && config.getOptional(STOPPING_TIMESTAMP).isEmpty()) {
            problems.add(PipelineConfig.missing(STOPPING_TIMESTAMP, "when kafka.stopping-offsets is TIMESTAMP"));
        }
        if (config.get(STARTING_OFFSETS) == StartingOffsets.TIMESTAMP && config.get(STOPPING_OFFSETS) == StoppingOffsets.TIMESTAMP
                && config.getOptional(STARTING_TIMESTAMP).isPresent() && config.getOptional(STOPPING_TIMESTAMP).isPresent()
                && config.get(STOPPING_TIMESTAMP) <= config.get(STARTING_TIMESTAMP)) {
            problems.add("invalid value for key '" + STOPPING_TIMESTAMP.key() + "': must be after '" + STARTING_TIMESTAMP.key()
                    + "' (" + config.get(STARTING_TIMESTAMP) + "), got " + config.get(STOPPING_TIMESTAMP));
        }
        if (config.get(PARTITION_DISCOVERY_INTERVAL).isNegative()) {
            problems.add("invalid value for key '" + PARTITION_DISCOVERY_INTERVAL.key() + "': must not be negative");
        }
        return problems;
    }
}
