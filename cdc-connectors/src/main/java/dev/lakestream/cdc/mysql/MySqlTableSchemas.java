package dev.lakestream.cdc.mysql;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import org.apache.flink.configuration.ReadableConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the captured tables' columns and primary keys from MySQL's (or MariaDB's)
 * information_schema, and maps each column to what silver stores, matching what Debezium's MySQL
 * connector emits for it.
 */
public final class MySqlTableSchemas {

    private MySqlTableSchemas() {}

    public static String jdbcUrl(ReadableConfig config) {
        return "jdbc:mysql://" + config.get(MySqlCdcOptions.HOSTNAME) + ":" + config.get(MySqlCdcOptions.PORT)
                + "/" + config.get(MySqlCdcOptions.DATABASE);
    }

    /** Schemas of the configured tables, in configuration order. Fails naming a missing table or key. */
    public static Map<String, CdcTableSchema> read(ReadableConfig config) {
        Map<String, CdcTableSchema> schemas = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl(config), config.get(MySqlCdcOptions.USERNAME),
                config.getOptional(MySqlCdcOptions.PASSWORD).orElse(""))) {
            for (String table : MySqlCdcOptions.tables(config)) {
                schemas.put(table, read(c, table));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the schemas of " + MySqlCdcOptions.tables(config) + " from "
                    + jdbcUrl(config) + ": " + e.getMessage(), e);
        }
        return schemas;
    }

    static CdcTableSchema read(Connection c, String table) throws SQLException {
        String database = table.substring(0, table.indexOf('.'));
        String name = table.substring(table.indexOf('.') + 1);
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT column_name, data_type, column_type, numeric_precision, numeric_scale, datetime_precision,"
                        + " is_nullable FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " ORDER BY ordinal_position")) {
            st.setString(1, database);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(column(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4) == null ? 0 : rs.getInt(4), rs.getObject(5) == null ? 0 : rs.getInt(5),
                            rs.getObject(6) == null ? 0 : rs.getInt(6), "YES".equals(rs.getString(7))));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalStateException("Table " + table + " does not exist (or has no columns, or the user may"
                    + " not read it) in " + c.getMetaData().getURL());
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT column_name FROM information_schema.key_column_usage"
                        + " WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY'"
                        + " ORDER BY ordinal_position")) {
            st.setString(1, database);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return new CdcTableSchema(table, columns, key);
    }

    /**
     * Maps a MySQL type to what silver stores, as Debezium emits it; types without a better fit are
     * kept as strings.
     *
     * @param dataType information_schema's {@code data_type}, e.g. {@code int}
     * @param columnType information_schema's {@code column_type}, e.g. {@code int(10) unsigned}
     */
    static Column column(String name, String dataType, String columnType, int numericPrecision, int numericScale,
            int datetimePrecision, boolean nullable) {
        String type = columnType.toLowerCase(Locale.ROOT);
        boolean unsigned = type.contains("unsigned");
        switch (dataType.toLowerCase(Locale.ROOT)) {
            case "bigint":
                // BIGINT UNSIGNED goes up to 18446744073709551615: Debezium emits it as a decimal.
                return unsigned
                        ? new Column(name, ColumnType.DECIMAL, 20, 0, nullable, columnType)
                        : new Column(name, ColumnType.LONG, 0, 0, nullable, columnType);
            case "int":
            case "integer":
                // INT UNSIGNED goes up to 4294967295: Debezium emits it as int64.
                return new Column(name, unsigned ? ColumnType.LONG : ColumnType.INT, 0, 0, nullable, columnType);
            case "mediumint":
            case "smallint":
            case "year":
                return new Column(name, ColumnType.INT, 0, 0, nullable, columnType);
            case "tinyint":
                // BOOLEAN is tinyint(1) in the catalog; Debezium emits its value as a number.
                return type.startsWith("tinyint(1)") && !unsigned
                        ? new Column(name, ColumnType.BOOLEAN, 0, 0, nullable, columnType)
                        : new Column(name, ColumnType.INT, 0, 0, nullable, columnType);
            case "bit":
                // bit(1) is emitted as a JSON boolean, wider ones as base64 bytes.
                return numericPrecision == 1
                        ? new Column(name, ColumnType.BOOLEAN, 0, 0, nullable, columnType)
                        : new Column(name, ColumnType.STRING, 0, 0, nullable, columnType);
            case "decimal":
            case "numeric":
                // DECIMAL goes up to 65 digits, Iceberg's decimal to 38: keep wider ones as exact text.
                return numericPrecision > 0 && numericPrecision <= 38
                        ? new Column(name, ColumnType.DECIMAL, numericPrecision, numericScale, nullable, columnType)
                        : new Column(name, ColumnType.STRING, 0, 0, nullable, columnType);
            case "timestamp":
                // An instant (stored as UTC): Debezium emits it as an ISO string with Z.
                return new Column(name, ColumnType.TIMESTAMP_UTC, datetimePrecision, 0, nullable, columnType);
            case "datetime":
                // A wall-clock time: epoch millis up to 3 fraction digits, epoch micros above.
                return new Column(name, ColumnType.TIMESTAMP_LOCAL, datetimePrecision, 0, nullable, columnType);
            case "date":
                return new Column(name, ColumnType.DATE, 0, 0, nullable, columnType);
            case "boolean":
            case "bool":
                return new Column(name, ColumnType.BOOLEAN, 0, 0, nullable, columnType);
            case "double":
            case "real":
                return new Column(name, ColumnType.DOUBLE, 0, 0, nullable, columnType);
            case "float":
                return new Column(name, ColumnType.FLOAT, 0, 0, nullable, columnType);
            default:
                // varchar, char, text, enum, set, json (longtext in MariaDB), binary (base64), time
                // (microseconds) ...: strings (Athena and Redshift read them all).
                return new Column(name, ColumnType.STRING, 0, 0, nullable, columnType);
        }
    }
}
