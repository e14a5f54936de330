package dev.lakestream.cdc.postgres;

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

/** Reads the captured tables' columns and primary keys from PostgreSQL's catalog. */
public final class PostgresTableSchemas {

    private PostgresTableSchemas() {}

    public static String jdbcUrl(ReadableConfig config) {
        return "jdbc:postgresql://" + config.get(PostgresCdcOptions.HOSTNAME) + ":" + config.get(PostgresCdcOptions.PORT)
                + "/" + config.get(PostgresCdcOptions.DATABASE);
    }

    /** Schemas of the configured tables, in configuration order. Fails naming a missing table or key. */
    public static Map<String, CdcTableSchema> read(ReadableConfig config) {
        Map<String, CdcTableSchema> schemas = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl(config), config.get(PostgresCdcOptions.USERNAME),
                config.getOptional(PostgresCdcOptions.PASSWORD).orElse(""))) {
            for (String table : PostgresCdcOptions.tables(config)) {
                schemas.put(table, read(c, table));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the schemas of " + PostgresCdcOptions.tables(config) + " from "
                    + jdbcUrl(config) + ": " + e.getMessage(), e);
        }
        return schemas;
    }

    static CdcTableSchema read(Connection c, String table) throws SQLException {
        String schema = table.substring(0, table.indexOf('.'));
        String name = table.substring(table.indexOf('.') + 1);
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT column_name, data_type, numeric_precision, numeric_scale, datetime_precision, is_nullable,"
                        + " format_type(a.atttypid, a.atttypmod)"
                        + " FROM information_schema.columns ic"
                        + " JOIN pg_attribute a ON a.attrelid = (quote_ident(ic.table_schema) || '.' || quote_ident(ic.table_name))::regclass"
                        + "  AND a.attname = ic.column_name"
                        + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            st.setString(1, schema);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(column(rs.getString(1), rs.getString(2), rs.getObject(3) == null ? 0 : rs.getInt(3),
                            rs.getObject(4) == null ? 0 : rs.getInt(4), rs.getObject(5) == null ? 6 : rs.getInt(5),
                            "YES".equals(rs.getString(6)), rs.getString(7)));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalStateException("Table " + table + " does not exist (or has no columns) in "
                    + c.getMetaData().getURL());
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                        + " WHERE i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND i.indisprimary"
                        + " ORDER BY array_position(i.indkey, a.attnum)")) {
            st.setString(1, schema);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return new CdcTableSchema(table, columns, key);
    }

    /** Maps a PostgreSQL type to what silver stores; types without a better fit are kept as strings. */
    static Column column(String name, String dataType, int numericPrecision, int numericScale, int datetimePrecision,
            boolean nullable, String formatted) {
        switch (dataType.toLowerCase(Locale.ROOT)) {
            case "bigint":
                return new Column(name, ColumnType.LONG, 0, 0, nullable, formatted);
            case "integer":
            case "smallint":
                return new Column(name, ColumnType.INT, 0, 0, nullable, formatted);
            case "numeric":
                // numeric without a declared precision has no fixed scale: keep its exact text.
                return numericPrecision > 0 && numericPrecision <= 38
                        ? new Column(name, ColumnType.DECIMAL, numericPrecision, numericScale, nullable, formatted)
                        : new Column(name, ColumnType.STRING, 0, 0, nullable, formatted);
            case "timestamp with time zone":
                return new Column(name, ColumnType.TIMESTAMP_UTC, datetimePrecision, 0, nullable, formatted);
            case "timestamp without time zone":
                return new Column(name, ColumnType.TIMESTAMP_LOCAL, datetimePrecision, 0, nullable, formatted);
            case "date":
                return new Column(name, ColumnType.DATE, 0, 0, nullable, formatted);
            case "boolean":
                return new Column(name, ColumnType.BOOLEAN, 0, 0, nullable, formatted);
            case "double precision":
                return new Column(name, ColumnType.DOUBLE, 0, 0, nullable, formatted);
            case "real":
                return new Column(name, ColumnType.FLOAT, 0, 0, nullable, formatted);
            default:
                // text, varchar, char, uuid, json, enums ...: strings (Athena and Redshift read them all).
                return new Column(name, ColumnType.STRING, 0, 0, nullable, formatted);
        }
    }
}
