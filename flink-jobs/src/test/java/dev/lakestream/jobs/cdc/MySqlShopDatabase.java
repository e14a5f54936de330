package dev.lakestream.jobs.cdc;

import dev.lakestream.localservices.MariaDbServer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A database on the local MariaDB with a way to run statements counting the row changes they
 * make, and to read a table as silver must hold it. The shop's tables use both MySQL time types:
 * TIMESTAMP (an instant; Debezium emits an ISO string in UTC) and DATETIME (a wall-clock time;
 * epoch millis up to 3 fraction digits, micros above), with 0, 3 and 6 fraction digits.
 */
final class MySqlShopDatabase {

    static final String CUSTOMERS_TABLE = "customers";
    static final String ORDERS_TABLE = "orders";

    private final MariaDbServer server;
    private final String database;
    private final Map<String, Long> changesPerTable = new TreeMap<>();

    private MySqlShopDatabase(MariaDbServer server, String database) {
        this.server = server;
        this.database = database;
        server.createDatabase(database);
    }

    /** An empty database. */
    static MySqlShopDatabase empty(MariaDbServer server, String database) {
        return new MySqlShopDatabase(server, database);
    }

    /** The shop's customers and orders tables, empty. */
    static MySqlShopDatabase shop(MariaDbServer server, String database) {
        MySqlShopDatabase shop = new MySqlShopDatabase(server, database);
        server.execute(database, "CREATE TABLE customers (customer_id BIGINT PRIMARY KEY, email VARCHAR(255) NOT NULL,"
                + " region VARCHAR(16), country CHAR(2), created_at TIMESTAMP(6) NOT NULL, updated_at DATETIME(3) NOT NULL)");
        server.execute(database, "CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL,"
                + " status VARCHAR(16) NOT NULL, total DECIMAL(12,2) NOT NULL, currency CHAR(3) NOT NULL,"
                + " created_at DATETIME NOT NULL, updated_at TIMESTAMP(3) NOT NULL)");
        return shop;
    }

    String database() {
        return database;
    }

    /** {@code database.table}, as the capture and Debezium name it. */
    String table(String name) {
        return database + "." + name;
    }

    /** Runs {@code sql}, counting the rows it changed as changes of {@code table}. */
    int execute(String table, String sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            int rows = st.executeUpdate(sql);
            changesPerTable.merge(table, (long) rows, Long::sum);
            return rows;
        } catch (Exception e) {
            throw new IllegalStateException("Statement failed: " + sql, e);
        }
    }

    /** Row changes made so far in {@code table} (each is one change event; the snapshot reads count as inserts). */
    long changes(String table) {
        return changesPerTable.getOrDefault(table, 0L);
    }

    /** Every row of {@code table} as column=value lines, in key order, values as silver stores them. */
    List<String> sourceRows(String table, String key) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY " + key)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    line.append(md.getColumnName(i)).append('=').append(canonical(value(rs, md, i))).append(' ');
                }
                rows.add(line.toString().trim());
            }
        }
        return rows;
    }

    private static Object value(ResultSet rs, ResultSetMetaData md, int i) throws Exception {
        switch (md.getColumnTypeName(i).toUpperCase(Locale.ROOT)) {
            case "TIMESTAMP":
            case "DATETIME": {
                // As the server prints it: TIMESTAMP in the session's time zone, UTC (the server's
                // default), with no conversion through this JVM's zone.
                String text = rs.getString(i);
                return text == null ? null : LocalDateTime.parse(text.replace(' ', 'T'));
            }
            case "DATE": {
                java.sql.Date date = rs.getDate(i);
                return date == null ? null : date.toLocalDate();
            }
            case "YEAR": {
                int year = rs.getInt(i);
                return rs.wasNull() ? null : year;
            }
            default:
                return rs.getObject(i);
        }
    }

    private Connection connect() throws Exception {
        // Affected rows are changed rows (the default counts matched ones): only changed rows reach the binlog.
        return DriverManager.getConnection(server.jdbcUrl(database) + "?useAffectedRows=true", server.user(),
                server.password());
    }

    static String canonical(Object v) {
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof BigInteger) {
            return v.toString();
        }
        return String.valueOf(v);
    }
}
