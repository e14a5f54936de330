package dev.lakestream.cdc.postgres;

import dev.lakestream.cdc.CaptureOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Options of the PostgreSQL CDC source (Flink CDC, pgoutput). Property group {@code cdc} on MSF. */
public final class PostgresCdcOptions {

    /** Where a source without a checkpoint starts. */
    public enum StartupMode {
        /** Snapshot the tables' current rows, then stream changes from the snapshot's position on. */
        INITIAL,
        /** Stream changes from now on, no snapshot. */
        LATEST
    }

    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("cdc.postgres.hostname").stringType().noDefaultValue()
                    .withDescription("PostgreSQL host. Required when cdc.postgres.tables is set.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("cdc.postgres.port").intType().defaultValue(5432).withDescription("PostgreSQL port.");

    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("cdc.postgres.database").stringType().noDefaultValue()
                    .withDescription("Database the tables are in. Required when cdc.postgres.tables is set.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("cdc.postgres.username").stringType().noDefaultValue()
                    .withDescription("User with the REPLICATION attribute and SELECT on the tables.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("cdc.postgres.password").stringType().noDefaultValue()
                    .withDescription("Password of cdc.postgres.username. Never logged.");

    public static final ConfigOption<List<String>> TABLES =
            ConfigOptions.key("cdc.postgres.tables").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Tables to capture as schema.table, separated by ';'. Each lands in bronze.cdc_<table>"
                                    + " (every change) and silver.<table> (current state). Each needs a primary key.");

    public static final ConfigOption<String> TABLE_PREFIX =
            ConfigOptions.key("cdc.postgres.table-prefix").stringType().defaultValue("")
                    .withDescription(
                            "Prefix of the lakehouse table names of this database's tables, e.g. shop_ gives"
                                    + " bronze.cdc_shop_orders and silver.shop_orders: tells apart same-named tables"
                                    + " of different databases.");

    public static final ConfigOption<List<String>> SILVER_PARTITION_COLUMNS =
            ConfigOptions.key("cdc.postgres.silver-partition-columns").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Identity-partition a table's silver current state by a column: schema.table=column,"
                                    + " separated by ';'. The column may change (the row moves; its old copy is"
                                    + " deleted in the old partition). Tables not listed: bucket(8, first key column).");

    public static final ConfigOption<String> SLOT_NAME =
            ConfigOptions.key("cdc.postgres.slot-name").stringType().defaultValue("lakestream")
                    .withDescription(
                            "Logical replication slot (pgoutput). One per running job; it holds WAL until the job"
                                    + " confirms a checkpoint, so drop it when a job is retired.");

    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("cdc.postgres.startup-mode").enumType(StartupMode.class).defaultValue(StartupMode.INITIAL)
                    .withDescription(
                            "Without a checkpoint to restore: INITIAL (snapshot, then stream) or LATEST (stream only,"
                                    + " from the server's current WAL position when the job starts: changes an existing"
                                    + " slot still holds are skipped). Ignored on restore.");

    public static final ConfigOption<Integer> SNAPSHOT_CHUNK_SIZE =
            ConfigOptions.key("cdc.postgres.snapshot-chunk-size").intType().defaultValue(8096)
                    .withDescription("Rows per snapshot chunk; a chunk is read, checkpointed and retried as a unit.");

    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("cdc.postgres.heartbeat-interval").durationType().defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How often the source confirms its position to PostgreSQL while the captured tables are"
                                    + " quiet, so the slot does not hold WAL of other tables' traffic.");

    private PostgresCdcOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(HOSTNAME, PORT, DATABASE, USERNAME, PASSWORD, TABLES, TABLE_PREFIX, SILVER_PARTITION_COLUMNS, SLOT_NAME,
                STARTUP_MODE, SNAPSHOT_CHUNK_SIZE, HEARTBEAT_INTERVAL);
    }

    /** The configured tables, trimmed; empty when CDC is off. */
    public static List<String> tables(ReadableConfig config) {
        return CaptureOptions.tables(config, TABLES);
    }

    /** The configured silver partition column per table. */
    public static Map<String, String> silverPartitionColumns(ReadableConfig config) {
        return CaptureOptions.partitionColumns(config, SILVER_PARTITION_COLUMNS);
    }

    /** Cross-field rules when tables are configured. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        List<String> tables = tables(config);
        if (tables.isEmpty()) {
            return problems;
        }
        CaptureOptions.sharedProblems(config, TABLES, List.of(HOSTNAME, DATABASE, USERNAME), SILVER_PARTITION_COLUMNS,
                TABLE_PREFIX, "schema.table", problems);
        for (String table : tables) {
            if (!table.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
                problems.add("invalid table '" + table + "' in key '" + TABLES.key() + "': expected schema.table");
            }
        }
        if (!config.get(SLOT_NAME).matches("[a-z0-9_]{1,63}")) {
            problems.add("invalid value for key '" + SLOT_NAME.key() + "': '" + config.get(SLOT_NAME)
                    + "' must be 1-63 characters of a-z, 0-9 and _ (PostgreSQL slot names)");
        }
        if (config.get(SNAPSHOT_CHUNK_SIZE) <= 0) {
            problems.add("invalid value for key '" + SNAPSHOT_CHUNK_SIZE.key() + "': must be positive");
        }
        return problems;
    }
}
