package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Options of the silver event streams. Property group {@code silver} on MSF. */
public final class SilverOptions {

    public static final ConfigOption<String> CLICKSTREAM_SOURCE =
            ConfigOptions.key("silver.clickstream.source")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka topic (one of kafka.topics) or Kinesis stream name (one of kinesis.streams) whose"
                                    + " records feed silver.clickstream_events. Unset: no clickstream silver.");

    public static final ConfigOption<String> FULFILLMENT_SOURCE =
            ConfigOptions.key("silver.fulfillment-events.source")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka topic or Kinesis stream name whose records feed silver.fulfillment_events."
                                    + " Unset: no fulfillment silver.");

    public static final ConfigOption<String> CLICKSTREAM_TABLE =
            ConfigOptions.key("silver.clickstream.table")
                    .stringType()
                    .defaultValue("clickstream_events")
                    .withDescription(
                            "Silver table of the clickstream (in the silver namespace); its quarantine table is"
                                    + " bronze.<table>_quarantine.");

    public static final ConfigOption<String> FULFILLMENT_TABLE =
            ConfigOptions.key("silver.fulfillment-events.table")
                    .stringType()
                    .defaultValue("fulfillment_events")
                    .withDescription(
                            "Silver table of the fulfillment events; its quarantine table is bronze.<table>_quarantine.");

    public static final ConfigOption<Duration> DEDUP_TTL =
            ConfigOptions.key("silver.dedup-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "How long an event id is remembered (RocksDB keyed state with TTL, processing time) to drop"
                                    + " later copies of the same event. Longer catches later retries and costs state.");

    public static final ConfigOption<Integer> DEDUP_PENDING_IDS =
            ConfigOptions.key("silver.dedup-pending-ids")
                    .intType()
                    .defaultValue(524_288)
                    .withDescription(
                            "Event ids first seen since the last checkpoint that deduplication holds on the heap, per"
                                    + " subtask and dataset, before writing them to its RocksDB state (in key order, at"
                                    + " every checkpoint or when this many are held). Held back, they keep RocksDB's"
                                    + " memtable empty between checkpoints, so the lookup every record makes is cheaper,"
                                    + " and their writes are sorted. About 30 bytes plus the id's length each, in a few"
                                    + " arrays (no object per id); at most 16777216. 1: every new id is written at once.");

    public static final ConfigOption<MemorySize> MAX_PAYLOAD_SIZE =
            ConfigOptions.key("silver.max-payload-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256 kb"))
                    .withDescription(
                            "Larger payloads are quarantined as OVERSIZED_PAYLOAD instead of parsed (bronze keeps"
                                    + " them whole either way).");

    private SilverOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(CLICKSTREAM_SOURCE, CLICKSTREAM_TABLE, FULFILLMENT_SOURCE, FULFILLMENT_TABLE, DEDUP_TTL, DEDUP_PENDING_IDS,
                MAX_PAYLOAD_SIZE);
    }

    /** The dataset each configured source feeds, in declaration order. */
    public static Map<String, SilverDataset> datasetsBySource(ReadableConfig config) {
        Map<String, SilverDataset> bySource = new LinkedHashMap<>();
        source(config, CLICKSTREAM_SOURCE).ifPresent(s -> bySource.put(
                s, SilverDataset.CLICKSTREAM_EVENTS.withTableName(config.get(CLICKSTREAM_TABLE).trim())));
        source(config, FULFILLMENT_SOURCE).ifPresent(s -> bySource.put(
                s, SilverDataset.FULFILLMENT_EVENTS.withTableName(config.get(FULFILLMENT_TABLE).trim())));
        return bySource;
    }

    /**
     * Cross-field rules, for {@link PipelineConfig#check}: each source must be one the pipeline
     * reads, and a source feeds at most one dataset.
     */
    public static List<String> problems(ReadableConfig config, List<String> sourceNames) {
        List<String> problems = new ArrayList<>();
        Map<String, String> keyBySource = new LinkedHashMap<>();
        for (ConfigOption<String> option : List.of(CLICKSTREAM_SOURCE, FULFILLMENT_SOURCE)) {
            Optional<String> source = source(config, option);
            if (source.isEmpty()) {
                continue;
            }
            if (!sourceNames.contains(source.get())) {
                problems.add("invalid value for key '" + option.key() + "': '" + source.get()
                        + "' is not a configured source; allowed values: " + sourceNames
                        + " (the topics in kafka.topics and the stream names in kinesis.streams)");
            }
            String other = keyBySource.putIfAbsent(source.get(), option.key());
            if (other != null) {
                problems.add("invalid value for key '" + option.key() + "': source '" + source.get()
                        + "' already feeds " + other + "; a source feeds at most one silver dataset");
            }
        }
        for (ConfigOption<String> table : List.of(CLICKSTREAM_TABLE, FULFILLMENT_TABLE)) {
            if (!config.get(table).trim().matches("[a-z][a-z0-9_]*")) {
                problems.add("invalid value for key '" + table.key() + "': '" + config.get(table)
                        + "' must match [a-z][a-z0-9_]* (Glue and Athena table names are lower case)");
            }
        }
        if (config.get(CLICKSTREAM_TABLE).trim().equals(config.get(FULFILLMENT_TABLE).trim())) {
            problems.add("invalid value for key '" + FULFILLMENT_TABLE.key() + "': '" + config.get(FULFILLMENT_TABLE).trim()
                    + "' is also " + CLICKSTREAM_TABLE.key() + "; each dataset needs its own table");
        }
        if (config.get(DEDUP_TTL).isNegative() || config.get(DEDUP_TTL).isZero()) {
            problems.add("invalid value for key '" + DEDUP_TTL.key() + "': must be positive, e.g. '24 h'");
        }
        if (config.get(DEDUP_PENDING_IDS) < 1 || config.get(DEDUP_PENDING_IDS) > PendingIds.MAX_IDS) {
            problems.add("invalid value for key '" + DEDUP_PENDING_IDS.key() + "': " + config.get(DEDUP_PENDING_IDS)
                    + "; must be between 1 and " + PendingIds.MAX_IDS + ", e.g. " + DEDUP_PENDING_IDS.defaultValue());
        }
        if (config.get(MAX_PAYLOAD_SIZE).getBytes() <= 0) {
            problems.add("invalid value for key '" + MAX_PAYLOAD_SIZE.key() + "': must be positive, e.g. '256 kb'");
        }
        return problems;
    }

    private static Optional<String> source(ReadableConfig config, ConfigOption<String> option) {
        return config.getOptional(option).map(String::trim).filter(s -> !s.isEmpty());
    }
}
