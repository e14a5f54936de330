package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions.StartingOffsets;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Options of CDC from Debezium topics on Kafka (as Kafka Connect or Debezium Server write them) into
 * bronze changelogs and silver current state. Property group {@code cdc} on MSF.
 *
 * <p>The Kafka connection is shared with the Kafka bronze sources: {@code kafka.bootstrap-servers},
 * {@code kafka.isolation-level} and {@code kafka.partition-discovery-interval}.
 *
 * <p>Tables are declared here rather than learned from the records: the silver tables must exist
 * before the job starts, envelopes written without schema declare neither types nor keys, and a
 * topic may be empty (or compacted) when the job starts. Changes are routed by the table the
 * envelope names ({@code source.schema} or {@code source.db}, then {@code source.table}), so the
 * topic names do not matter. What the connector must be configured with: decimals as strings
 * ({@code decimal.handling.mode=string}). Kafka Connect's default base64 bytes are not decoded (each
 * row is quarantined as WRONG_TYPE), and JSON numbers ({@code decimal.format=NUMERIC} or
 * {@code decimal.handling.mode=double}) pass through a double in the envelope parser, which drops
 * digits beyond about 16.
 */
public final class DebeziumKafkaOptions {

    /** Column types of {@link #COLUMN_TYPES}: the names of {@link CdcTableSchema.ColumnType}. */
    static final String TYPE_NAMES = "LONG, INT, DECIMAL(precision,scale), STRING, TIMESTAMP_UTC[(fraction digits)],"
            + " TIMESTAMP_LOCAL[(fraction digits)], DATE, BOOLEAN, DOUBLE, FLOAT";

    public static final ConfigOption<List<String>> TOPICS =
            ConfigOptions.key("cdc.kafka.topics").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Debezium topics to read, separated by ';', e.g. shop.public.customers;shop.public.orders."
                                    + " Each envelope is applied to the table it names in its source block, whatever"
                                    + " topic it came from. Setting it turns Debezium-on-Kafka CDC on.");

    public static final ConfigOption<List<String>> TABLES =
            ConfigOptions.key("cdc.kafka.tables").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Tables to apply, separated by ';', as the envelopes name them: schema.table for"
                                    + " PostgreSQL (source.schema and source.table), database.table for MySQL"
                                    + " (source.db and source.table). Each lands in bronze.cdc_<prefix><table> (every"
                                    + " change) and silver.<prefix><table> (current state). Envelopes of other tables"
                                    + " go to the capture's quarantine table as UNKNOWN_TABLE. Required with"
                                    + " cdc.kafka.topics.");

    public static final ConfigOption<List<String>> PRIMARY_KEYS =
            ConfigOptions.key("cdc.kafka.primary-keys").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Primary key of each table of cdc.kafka.tables: schema.table=column[,column...], separated"
                                    + " by ';'. Needed because envelopes without embedded schema do not declare keys."
                                    + " Must be the columns Debezium keys the records by (see"
                                    + " cdc.kafka.verify-record-keys).");

    public static final ConfigOption<List<String>> COLUMN_TYPES =
            ConfigOptions.key("cdc.kafka.column-types").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Silver columns of each table of cdc.kafka.tables: schema.table=column TYPE[, column"
                                    + " TYPE...], separated by ';', in the order silver stores them. TYPE is one of "
                                    + TYPE_NAMES + " (TIMESTAMP_UTC for timestamptz, which Debezium writes as ISO text;"
                                    + " TIMESTAMP_LOCAL(3) or (6) for timestamp, written as epoch millis or micros)."
                                    + " DECIMAL needs Debezium's decimal.handling.mode=string."
                                    + " Key columns must be listed and are required; other columns are nullable."
                                    + " Columns not listed stay in the bronze changelog only.");

    public static final ConfigOption<List<String>> SILVER_PARTITION_COLUMNS =
            ConfigOptions.key("cdc.kafka.silver-partition-columns").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Identity-partition a table's silver current state by a column: schema.table=column,"
                                    + " separated by ';'. The column may change (the row moves; its old copy is"
                                    + " deleted in the old partition). Tables not listed: bucket(8, first key column).");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("cdc.kafka.group-id").stringType().defaultValue("lakestream-cdc")
                    .withDescription(
                            "Consumer group. Offsets are committed to it on every completed checkpoint for"
                                    + " monitoring; exactly-once relies on the offsets in Flink's checkpoints. It also"
                                    + " names the capture (kafka_<group>, quarantine table"
                                    + " bronze.cdc_kafka_<group>_quarantine) and the source operator uid"
                                    + " cdc-kafka-source-<group>: changing it on a running job drops the checkpointed"
                                    + " offsets.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("cdc.kafka.starting-offsets").enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where to start when there is no checkpoint or savepoint to restore from: COMMITTED"
                                    + " (falls back to EARLIEST), EARLIEST, LATEST or TIMESTAMP. Ignored on restore."
                                    + " Silver current state needs every change since the connector's snapshot: start"
                                    + " elsewhere only on empty silver tables.");

    public static final ConfigOption<Long> STARTING_TIMESTAMP =
            ConfigOptions.key("cdc.kafka.starting-timestamp").longType().noDefaultValue()
                    .withDescription("Epoch milliseconds to start from when cdc.kafka.starting-offsets is TIMESTAMP.");

    public static final ConfigOption<String> TABLE_PREFIX =
            ConfigOptions.key("cdc.kafka.table-prefix").stringType().defaultValue("")
                    .withDescription(
                            "Prefix of the lakehouse table names of these tables, e.g. shop_ gives"
                                    + " bronze.cdc_shop_orders and silver.shop_orders: tells them apart from same-named"
                                    + " tables of other captures.");

    public static final ConfigOption<Boolean> VERIFY_RECORD_KEYS =
            ConfigOptions.key("cdc.kafka.verify-record-keys").booleanType().defaultValue(true)
                    .withDescription(
                            "Compare the columns of the Kafka record key (JSON, with or without schema) of the first"
                                    + " envelopes of each topic with cdc.kafka.primary-keys, and fail the job when they"
                                    + " differ: a wrong key silently merges rows in silver. Set false only when the"
                                    + " connector keys records by other columns on purpose (message.key.columns).");

    private DebeziumKafkaOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(TOPICS, TABLES, PRIMARY_KEYS, COLUMN_TYPES, SILVER_PARTITION_COLUMNS, GROUP_ID, STARTING_OFFSETS,
                STARTING_TIMESTAMP, TABLE_PREFIX, VERIFY_RECORD_KEYS);
    }

    /** The configured topics, trimmed; empty when Debezium-on-Kafka CDC is off. */
    public static List<String> topics(ReadableConfig config) {
        return trimmed(config.getOptional(TOPICS).orElse(List.of()));
    }

    /** The configured tables, trimmed, in configuration order. */
    public static List<String> tables(ReadableConfig config) {
        return trimmed(config.getOptional(TABLES).orElse(List.of()));
    }

    /** Primary-key columns by table, in key order (entries that do not parse are left out; see {@link #problems}). */
    public static Map<String, List<String>> primaryKeys(ReadableConfig config) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        entries(config, PRIMARY_KEYS).forEach((table, columns) -> keys.put(table, nonEmpty(List.of(columns.split(",")))));
        return keys;
    }

    /** The configured silver partition column per table. */
    public static Map<String, String> silverPartitionColumns(ReadableConfig config) {
        Map<String, String> columns = new LinkedHashMap<>();
        entries(config, SILVER_PARTITION_COLUMNS).forEach((table, column) -> columns.put(table, column.trim()));
        return columns;
    }

    /**
     * The declared schema of every configured table, in configuration order.
     *
     * @throws InvalidConfigurationException naming every problem of the declarations
     */
    public static Map<String, CdcTableSchema> tableSchemas(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        Map<String, CdcTableSchema> schemas = TableDeclarations.schemas(config, problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return schemas;
    }

    /** Cross-field rules, for {@link PipelineConfig#check}; none when cdc.kafka.topics and cdc.kafka.tables are unset. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        List<String> topics = topics(config);
        if (topics.isEmpty()) {
            if (!tables(config).isEmpty()) {
                problems.add(PipelineConfig.missing(TOPICS, "when " + TABLES.key() + " is set"));
            }
            return problems;
        }
        if (config.getOptional(KafkaBronzeOptions.BOOTSTRAP_SERVERS).filter(s -> !s.isBlank()).isEmpty()) {
            problems.add(PipelineConfig.missing(KafkaBronzeOptions.BOOTSTRAP_SERVERS, "when " + TOPICS.key() + " is set"));
        }
        if (tables(config).isEmpty()) {
            problems.add(PipelineConfig.missing(TABLES, "when " + TOPICS.key() + " is set"));
        }
        for (ConfigOption<List<String>> option : List.of(TOPICS, TABLES)) {
            List<String> values = nonEmpty(config.getOptional(option).orElse(List.of()));
            List<String> repeated = values.stream().filter(v -> values.indexOf(v) != values.lastIndexOf(v)).distinct()
                    .collect(Collectors.toList());
            if (!repeated.isEmpty()) {
                problems.add(repeated + " appear more than once in key '" + option.key() + "'");
            }
        }
        TableDeclarations.schemas(config, problems);
        if (!config.get(TABLE_PREFIX).matches("[a-z0-9_]*")) {
            problems.add("invalid value for key '" + TABLE_PREFIX.key() + "': '" + config.get(TABLE_PREFIX)
                    + "' may hold only a-z, 0-9 and _ (Glue and Athena table names)");
        }
        if (!config.get(GROUP_ID).matches("[A-Za-z0-9._-]+")) {
            problems.add("invalid value for key '" + GROUP_ID.key() + "': '" + config.get(GROUP_ID)
                    + "' must be non-empty and hold only letters, digits, '.', '_' and '-' (it names operator uids"
                    + " and the quarantine table)");
        }
        if (config.get(STARTING_OFFSETS) == StartingOffsets.TIMESTAMP && config.getOptional(STARTING_TIMESTAMP).isEmpty()) {
            problems.add(PipelineConfig.missing(STARTING_TIMESTAMP, "when " + STARTING_OFFSETS.key() + " is TIMESTAMP"));
        }
        return problems;
    }

    /** {@code table=value} entries of a list option by table, in order; entries without '=' are left out. */
    static Map<String, String> entries(ReadableConfig config, ConfigOption<List<String>> option) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String entry : config.getOptional(option).orElse(List.of())) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                entries.put(entry.substring(0, eq).trim(), entry.substring(eq + 1));
            }
        }
        return entries;
    }

    /** Trimmed, without empty values and repetitions. */
    static List<String> trimmed(List<String> values) {
        return nonEmpty(values).stream().distinct().collect(Collectors.toList());
    }

    /** Trimmed, without empty values. */
    static List<String> nonEmpty(List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty()).collect(Collectors.toList());
    }
}
