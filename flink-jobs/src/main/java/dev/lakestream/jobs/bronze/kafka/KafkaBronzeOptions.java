package dev.lakestream.jobs.bronze.kafka;

import dev.lakestream.jobs.config.KafkaSecurityOptions;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

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

    public static final ConfigOption<Integer> MAX_POLL_RECORDS =
            ConfigOptions.key("kafka.max-poll-records")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Records one poll of a source's Kafka consumer returns at most (Kafka's max.poll.records,"
                                    + " whose default is 500). A source's fetcher thread hands each poll to the task"
                                    + " thread as one batch, and at most two batches wait between them: larger batches"
                                    + " keep records ready while the task thread is busy (a checkpoint, a file upload)."
                                    + " Applies to the bronze topics and to CDC read from Kafka.");

    public static final ConfigOption<MemorySize> MAX_PARTITION_FETCH_BYTES =
            ConfigOptions.key("kafka.max-partition-fetch-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8 mb"))
                    .withDescription(
                            "Data one fetch returns at most per partition (Kafka's max.partition.fetch.bytes, whose"
                                    + " default is 1 MiB). With Kafka's default a source catching up on a backlog (a"
                                    + " start from EARLIEST, a replay, a backfill) waited for the broker between"
                                    + " fetches. Kafka's fetch.max.bytes (50 MiB) still bounds one fetch per broker, so"
                                    + " a consumer of many partitions buffers no more than with the default.");

    public static final ConfigOption<MemorySize> FETCH_MIN_BYTES =
            ConfigOptions.key("kafka.fetch-min-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256 kb"))
                    .withDescription(
                            "Data the broker gathers before it answers a fetch (Kafka's fetch.min.bytes, whose default"
                                    + " is 1 byte), unless kafka.fetch-max-wait passes first: fewer, larger fetches.");

    public static final ConfigOption<Duration> FETCH_MAX_WAIT =
            ConfigOptions.key("kafka.fetch-max-wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(50))
                    .withDescription(
                            "Longest the broker holds a fetch waiting for kafka.fetch-min-bytes (Kafka's"
                                    + " fetch.max.wait.ms, whose default is 500 ms): what a record can wait at most"
                                    + " when a topic is quiet. Between 0 ms and 30 s (Kafka's request timeout).");

    private static final long MAX_INT_BYTES = Integer.MAX_VALUE;
    private static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(30);

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
                PARTITION_DISCOVERY_INTERVAL,
                MAX_POLL_RECORDS,
                MAX_PARTITION_FETCH_BYTES,
                FETCH_MIN_BYTES,
                FETCH_MAX_WAIT);
    }

    /**
     * Consumer properties every Kafka source of the job shares (bronze topics, CDC topics): isolation,
     * partition discovery, offsets committed on checkpoints, fetch sizes, TLS and SASL. Bootstrap
     * servers, group, topics and deserializer are each source's own.
     */
    public static Properties consumerProperties(ReadableConfig config) {
        Properties properties = new Properties();
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                config.get(ISOLATION_LEVEL).name().toLowerCase(Locale.ROOT));
        properties.setProperty("partition.discovery.interval.ms",
                String.valueOf(config.get(PARTITION_DISCOVERY_INTERVAL).toMillis()));
        // Offsets committed on each completed checkpoint are what lag monitoring and "caught up" checks
        // read; exactly-once itself relies on the checkpointed offsets.
        properties.setProperty("commit.offsets.on.checkpoint", "true");
        properties.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.get(MAX_POLL_RECORDS)));
        properties.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                String.valueOf(config.get(MAX_PARTITION_FETCH_BYTES).getBytes()));
        properties.setProperty(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(config.get(FETCH_MIN_BYTES).getBytes()));
        properties.setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(config.get(FETCH_MAX_WAIT).toMillis()));
        // TLS and SASL, the same for every Kafka source of the job.
        properties.putAll(KafkaSecurityOptions.clientProperties(config));
        return properties;
    }

    /** Ranges of the consumer options, for {@link PipelineConfig#check} when the job reads Kafka (bronze or CDC topics). */
    public static List<String> consumerProblems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.get(PARTITION_DISCOVERY_INTERVAL).isNegative()) {
            problems.add("invalid value for key '" + PARTITION_DISCOVERY_INTERVAL.key() + "': must not be negative");
        }
        if (config.get(MAX_POLL_RECORDS) < 1) {
            problems.add("invalid value for key '" + MAX_POLL_RECORDS.key() + "': must be at least 1, got "
                    + config.get(MAX_POLL_RECORDS));
        }
        for (ConfigOption<MemorySize> option : List.of(MAX_PARTITION_FETCH_BYTES, FETCH_MIN_BYTES)) {
            long bytes = config.get(option).getBytes();
            if (bytes < 1 || bytes > MAX_INT_BYTES) {
                problems.add("invalid value for key '" + option.key() + "': must be between 1 b and "
                        + MAX_INT_BYTES + " b (2 gb), got " + config.get(option));
            }
        }
        Duration wait = config.get(FETCH_MAX_WAIT);
        if (wait.isNegative() || wait.compareTo(MAX_FETCH_WAIT) > 0) {
            problems.add("invalid value for key '" + FETCH_MAX_WAIT.key() + "': must be between 0 ms and 30 s, got "
                    + wait.toMillis() + " ms");
        }
        return problems;
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
        return problems;
    }
}
