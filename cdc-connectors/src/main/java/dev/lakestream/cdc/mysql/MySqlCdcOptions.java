package dev.lakestream.cdc.mysql;

import dev.lakestream.cdc.CaptureOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Options of the MySQL CDC source (Flink CDC, binlog; MySQL and MariaDB). Property group {@code
 * cdc} on MSF. The server needs {@code binlog_format=ROW} and {@code binlog_row_image=FULL}; the
 * user needs {@code SELECT}, {@code REPLICATION SLAVE} and {@code REPLICATION CLIENT}.
 */
public final class MySqlCdcOptions {

    /** Where a source without a checkpoint starts. */
    public enum StartupMode {
        /** Snapshot the tables' current rows, then stream changes from the snapshot's position on. */
        INITIAL,
        /** Stream changes from now on, no snapshot. */
        LATEST
    }

    /** {@code 5400} or {@code 5400-5415}. */
    private static final Pattern SERVER_ID_RANGE = Pattern.compile("(\\d{1,10})(?:-(\\d{1,10}))?");
    /** Binlog server ids are unsigned 32-bit; 0 is refused by the server. */
    private static final long MAX_SERVER_ID = 4_294_967_295L;

    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("cdc.mysql.hostname").stringType().noDefaultValue()
                    .withDescription("MySQL or MariaDB host. Required when cdc.mysql.tables is set.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("cdc.mysql.port").intType().defaultValue(3306).withDescription("MySQL port.");

    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("cdc.mysql.database").stringType().noDefaultValue()
                    .withDescription(
                            "Database the tables are in; names the capture (mysql_<database>) and its source uid."
                                    + " Required when cdc.mysql.tables is set.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("cdc.mysql.username").stringType().noDefaultValue()
                    .withDescription("User with SELECT, REPLICATION SLAVE and REPLICATION CLIENT.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("cdc.mysql.password").stringType().noDefaultValue()
                    .withDescription("Password of cdc.mysql.username. Never logged.");

    public static final ConfigOption<List<String>> TABLES =
            ConfigOptions.key("cdc.mysql.tables").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Tables to capture as database.table, separated by ';', all in cdc.mysql.database. Each"
                                    + " lands in bronze.cdc_<table> (every change) and silver.<table> (current state)."
                                    + " Each needs a primary key.");

    public static final ConfigOption<String> TABLE_PREFIX =
            ConfigOptions.key("cdc.mysql.table-prefix").stringType().defaultValue("")
                    .withDescription(
                            "Prefix of the lakehouse table names of this database's tables, e.g. shop_ gives"
                                    + " bronze.cdc_shop_orders and silver.shop_orders: tells apart same-named tables"
                                    + " of different databases.");

    public static final ConfigOption<List<String>> SILVER_PARTITION_COLUMNS =
            ConfigOptions.key("cdc.mysql.silver-partition-columns").stringType().asList().noDefaultValue()
                    .withDescription(
                            "Identity-partition a table's silver current state by a column: database.table=column,"
                                    + " separated by ';'. The column may change (the row moves; its old copy is"
                                    + " deleted in the old partition). Tables not listed: bucket(8, first key column).");

    public static final ConfigOption<String> SERVER_ID =
            ConfigOptions.key("cdc.mysql.server-id").stringType().defaultValue("5400-5415")
                    .withDescription(
                            "Server ids the source's binlog readers present to the server, a range like 5400-5415"
                                    + " with at least as many ids as the source's parallelism. They must differ from"
                                    + " the server's own server_id, its replicas' and every other job's: the server"
                                    + " drops a binlog reader whose id is in use.");

    public static final ConfigOption<String> SERVER_TIME_ZONE =
            ConfigOptions.key("cdc.mysql.server-time-zone").stringType().defaultValue("UTC")
                    .withDescription(
                            "The server's session time zone (e.g. UTC, Europe/Berlin). The snapshot reads TIMESTAMP"
                                    + " values in it; a wrong zone shifts them against the streamed ones.");

    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("cdc.mysql.startup-mode").enumType(StartupMode.class).defaultValue(StartupMode.INITIAL)
                    .withDescription(
                            "Without a checkpoint to restore: INITIAL (snapshot, then stream) or LATEST (stream only)."
                                    + " Ignored on restore.");

    public static final ConfigOption<Integer> SNAPSHOT_CHUNK_SIZE =
            ConfigOptions.key("cdc.mysql.snapshot-chunk-size").intType().defaultValue(8096)
                    .withDescription("Rows per snapshot chunk; a chunk is read, checkpointed and retried as a unit.");

    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("cdc.mysql.heartbeat-interval").durationType().defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How often the source moves its binlog position on while the captured tables are quiet,"
                                    + " so a restore does not reread other tables' traffic and a purged binlog file is"
                                    + " not needed.");

    private MySqlCdcOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(HOSTNAME, PORT, DATABASE, USERNAME, PASSWORD, TABLES, TABLE_PREFIX, SILVER_PARTITION_COLUMNS,
                SERVER_ID, SERVER_TIME_ZONE, STARTUP_MODE, SNAPSHOT_CHUNK_SIZE, HEARTBEAT_INTERVAL);
    }

    /** The configured tables ({@code database.table}), trimmed; empty when MySQL CDC is off. */
    public static List<String> tables(ReadableConfig config) {
        return CaptureOptions.tables(config, TABLES);
    }

    /** The configured silver partition column per table. */
    public static Map<String, String> silverPartitionColumns(ReadableConfig config) {
        return CaptureOptions.partitionColumns(config, SILVER_PARTITION_COLUMNS);
    }

    /** Cross-field rules when tables are configured; each problem names its key and what is allowed. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        List<String> tables = tables(config);
        if (tables.isEmpty()) {
            return problems;
        }
        CaptureOptions.sharedProblems(config, TABLES, List.of(HOSTNAME, DATABASE, USERNAME), SILVER_PARTITION_COLUMNS,
                TABLE_PREFIX, "database.table", problems);
        String database = config.getOptional(DATABASE).orElse("");
        for (String table : tables) {
            // No '$' (legal in MySQL names): Flink CDC reads table names as regular expressions.
            if (!table.matches("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+")) {
                problems.add("invalid table '" + table + "' in key '" + TABLES.key()
                        + "': expected database.table of letters, digits and _");
            } else if (!database.isBlank() && !table.substring(0, table.indexOf('.')).equals(database)) {
                problems.add("table '" + table + "' in key '" + TABLES.key() + "' is not in database '" + database
                        + "' of key '" + DATABASE.key() + "'");
            }
        }
        serverIdProblem(config.get(SERVER_ID)).ifPresent(problems::add);
        try {
            ZoneId.of(config.get(SERVER_TIME_ZONE));
        } catch (DateTimeException e) {
            problems.add("invalid value for key '" + SERVER_TIME_ZONE.key() + "': '" + config.get(SERVER_TIME_ZONE)
                    + "' is not a time zone id such as UTC, +02:00 or Europe/Berlin");
        }
        if (config.get(SNAPSHOT_CHUNK_SIZE) <= 0) {
            problems.add("invalid value for key '" + SNAPSHOT_CHUNK_SIZE.key() + "': must be positive");
        }
        if (config.get(HEARTBEAT_INTERVAL).isNegative() || config.get(HEARTBEAT_INTERVAL).isZero()) {
            problems.add("invalid value for key '" + HEARTBEAT_INTERVAL.key() + "': must be positive");
        }
        return problems;
    }

    private static Optional<String> serverIdProblem(String value) {
        Matcher range = SERVER_ID_RANGE.matcher(value.trim());
        String problem = "invalid value for key '" + SERVER_ID.key() + "': '" + value
                + "' must be an id or a range start-end of ids from 1 to " + MAX_SERVER_ID + ", e.g. 5400-5415";
        if (!range.matches()) {
            return Optional.of(problem);
        }
        long start = Long.parseLong(range.group(1));
        long end = range.group(2) == null ? start : Long.parseLong(range.group(2));
        if (start < 1 || end > MAX_SERVER_ID || start > end) {
            return Optional.of(problem);
        }
        return Optional.empty();
    }
}
