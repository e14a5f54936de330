package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Options of the watermark strategies, and the strategies built from them. Property group {@code
 * watermarks} on MSF. Check a configuration with {@link #problems} before building: the factories
 * assume a configuration without problems and throw {@link IllegalArgumentException} otherwise.
 */
public final class WatermarkOptions {

    public static final ConfigOption<Duration> EVENTS_MAX_OUT_OF_ORDERNESS =
            ConfigOptions.key("watermarks.events.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Kafka and Kinesis event streams: how much older than the newest event of its partition or"
                                    + " shard an event may be and still be on time. The watermark is the newest event"
                                    + " time minus this minus 1 ms; older events are late. 0 for timestamps that never"
                                    + " go back.");

    public static final ConfigOption<Duration> EVENTS_IDLE_TIMEOUT =
            ConfigOptions.key("watermarks.events.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Kafka and Kinesis event streams: a partition or shard without records for this long"
                                    + " (not counting time it is back-pressured or paused by alignment) is marked idle"
                                    + " and stops holding back the watermark until its next record. Must be positive.");

    public static final ConfigOption<Duration> CDC_HEARTBEAT_INTERVAL =
            ConfigOptions.key("watermarks.cdc.heartbeat-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "CDC: how long a captured table may be without changes before its watermark follows the"
                                    + " wall clock (now minus watermarks.cdc.max-lag) instead of waiting for the next"
                                    + " commit. Only when its last change arrived within watermarks.cdc.max-lag of its"
                                    + " commit; otherwise (catching up, or no change yet) the table is marked idle.");

    public static final ConfigOption<Duration> CDC_MAX_LAG =
            ConfigOptions.key("watermarks.cdc.max-lag")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "CDC: the longest expected time from a change's commit in the database to its arrival in"
                                    + " the job: replication lag plus the difference between the database's and the"
                                    + " TaskManagers' clocks. A quiet table's watermark is now minus this minus 1 ms; a"
                                    + " change that takes longer to arrive may be late.");

    public static final ConfigOption<String> ALIGNMENT_GROUP =
            ConfigOptions.key("watermarks.alignment.group")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Watermark alignment group of the sources built with alignment (Kafka sources; Kinesis and"
                                    + " Flink CDC readers cannot pause splits). Sources of one group stop reading a split"
                                    + " whose watermark is more than watermarks.alignment.max-drift ahead of the"
                                    + " group's slowest. Unset: no alignment.");

    public static final ConfigOption<Duration> ALIGNMENT_MAX_DRIFT =
            ConfigOptions.key("watermarks.alignment.max-drift")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How far a split's watermark may run ahead of the slowest of its alignment group. Required"
                                    + " with watermarks.alignment.group; must be larger than"
                                    + " watermarks.alignment.update-interval and than the usual gap between the"
                                    + " group's watermarks. Until Flink 2.3 a group catches up at most this much event"
                                    + " time per update interval.");

    public static final ConfigOption<Duration> ALIGNMENT_UPDATE_INTERVAL =
            ConfigOptions.key("watermarks.alignment.update-interval")
                    .durationType()
                    .defaultValue(WatermarkAlignment.DEFAULT_UPDATE_INTERVAL)
                    .withDescription(
                            "How often the slowest watermark of the alignment group is recomputed and sent to its"
                                    + " sources (Flink's default: 1 s). Only with watermarks.alignment.group.");

    private WatermarkOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(
                EVENTS_MAX_OUT_OF_ORDERNESS,
                EVENTS_IDLE_TIMEOUT,
                CDC_HEARTBEAT_INTERVAL,
                CDC_MAX_LAG,
                ALIGNMENT_GROUP,
                ALIGNMENT_MAX_DRIFT,
                ALIGNMENT_UPDATE_INTERVAL);
    }

    /** Every problem of the watermark options, each naming its key and what it accepts. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.get(EVENTS_MAX_OUT_OF_ORDERNESS).isNegative()) {
            problems.add(invalid(EVENTS_MAX_OUT_OF_ORDERNESS, "must not be negative, e.g. '5 s' (0 when timestamps never go back)"));
        }
        requirePositive(config, EVENTS_IDLE_TIMEOUT, "'1 min'", problems);
        requirePositive(config, CDC_HEARTBEAT_INTERVAL, "'30 s'", problems);
        requirePositive(config, CDC_MAX_LAG, "'1 min'", problems);

        Optional<String> group = config.getOptional(ALIGNMENT_GROUP);
        Optional<Duration> drift = config.getOptional(ALIGNMENT_MAX_DRIFT);
        // getOptional, not get: only a value someone set counts, the update interval has a default.
        Optional<Duration> interval = config.getOptional(ALIGNMENT_UPDATE_INTERVAL);
        if (group.isEmpty()) {
            for (ConfigOption<Duration> option : List.of(ALIGNMENT_MAX_DRIFT, ALIGNMENT_UPDATE_INTERVAL)) {
                if (config.getOptional(option).isPresent()) {
                    problems.add("'" + option.key() + "' is set but '" + ALIGNMENT_GROUP.key() + "' is not: set a group"
                            + " to align sources, or remove '" + option.key() + "'");
                }
            }
            return problems;
        }
        if (group.get().isBlank()) {
            problems.add(invalid(ALIGNMENT_GROUP, "must not be blank, e.g. 'lakestream-events'; remove the key to turn"
                    + " alignment off"));
        }
        if (drift.isEmpty()) {
            problems.add("'" + ALIGNMENT_MAX_DRIFT.key() + "' is required when " + ALIGNMENT_GROUP.key()
                    + " is set, e.g. '5 min'");
        }
        boolean intervalPositive = requirePositive(config, ALIGNMENT_UPDATE_INTERVAL, "'1 s'", problems);
        if (drift.isPresent() && requirePositive(config, ALIGNMENT_MAX_DRIFT, "'5 min'", problems) && intervalPositive) {
            Duration updateInterval = interval.orElse(ALIGNMENT_UPDATE_INTERVAL.defaultValue());
            if (drift.get().compareTo(updateInterval) <= 0) {
                problems.add(invalid(ALIGNMENT_MAX_DRIFT, "must be larger than " + ALIGNMENT_UPDATE_INTERVAL.key()
                        + " (" + updateInterval.toMillis() + " ms): a group advances at most max-drift per update"
                        + " interval (until Flink 2.3) and could not keep up with real time"));
            }
        }
        return problems;
    }

    /** The alignment configured, if {@link #ALIGNMENT_GROUP} is set. */
    public static Optional<WatermarkAlignment> alignment(ReadableConfig config) {
        return config.getOptional(ALIGNMENT_GROUP)
                .map(group -> WatermarkAlignment.of(
                        group,
                        config.getOptional(ALIGNMENT_MAX_DRIFT).orElseThrow(() -> new IllegalArgumentException(
                                "'" + ALIGNMENT_MAX_DRIFT.key() + "' is required when " + ALIGNMENT_GROUP.key() + " is set")),
                        config.get(ALIGNMENT_UPDATE_INTERVAL)));
    }

    /**
     * {@link EventStreamWatermarks} from the {@code watermarks.events.*} options, aligned when
     * {@link #ALIGNMENT_GROUP} is set. For Kafka sources: their readers pause partitions.
     */
    public static <T> WatermarkStrategy<T> events(ReadableConfig config, SerializableTimestampAssigner<T> assigner) {
        return aligned(config, eventsUnaligned(config, assigner));
    }

    /**
     * {@link EventStreamWatermarks} from the {@code watermarks.events.*} options, never aligned. For
     * Kinesis sources: {@code KinesisStreamsSource} 4.3.0-1.19 cannot pause shards (see {@link
     * WatermarkAlignment}).
     */
    public static <T> WatermarkStrategy<T> eventsUnaligned(ReadableConfig config, SerializableTimestampAssigner<T> assigner) {
        return EventStreamWatermarks.create(assigner, config.get(EVENTS_MAX_OUT_OF_ORDERNESS), config.get(EVENTS_IDLE_TIMEOUT));
    }

    /**
     * {@link CdcWatermarks} from the {@code watermarks.cdc.*} options, aligned when {@link
     * #ALIGNMENT_GROUP} is set. For CDC sources whose readers pause splits (Debezium topics read
     * with {@code KafkaSource}); see {@link #cdcUnaligned} for the Flink CDC sources.
     */
    public static <T> WatermarkStrategy<T> cdc(ReadableConfig config, SerializableTimestampAssigner<T> commitTime) {
        return aligned(config, cdcUnaligned(config, commitTime));
    }

    /**
     * {@link CdcWatermarks} from the {@code watermarks.cdc.*} options, never aligned. For the Flink
     * CDC 3.5 MySQL and PostgreSQL sources, whose readers cannot pause splits (see {@link
     * WatermarkAlignment}).
     */
    public static <T> WatermarkStrategy<T> cdcUnaligned(ReadableConfig config, SerializableTimestampAssigner<T> commitTime) {
        return CdcWatermarks.create(commitTime, config.get(CDC_HEARTBEAT_INTERVAL), config.get(CDC_MAX_LAG));
    }

    private static <T> WatermarkStrategy<T> aligned(ReadableConfig config, WatermarkStrategy<T> strategy) {
        return alignment(config).map(a -> a.applyTo(strategy)).orElse(strategy);
    }

    /** Adds a problem unless the option's value is positive; returns whether it is. */
    private static boolean requirePositive(
            ReadableConfig config, ConfigOption<Duration> option, String example, List<String> problems) {
        Duration value = config.get(option);
        if (value.isNegative() || value.isZero()) {
            problems.add(invalid(option, "must be positive, e.g. " + example));
            return false;
        }
        return true;
    }

    private static String invalid(ConfigOption<?> option, String rule) {
        return "invalid value for key '" + option.key() + "': " + rule;
    }
}
