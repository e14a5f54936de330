package dev.lakestream.jobs.cdc;

import dev.lakestream.localservices.LocalServices;

import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shop database of the domain (customers and orders) on the local PostgreSQL, with a way to
 * run statements counting the row changes they make, and to compare a table with its silver copy.
 */
public final class ShopDatabase {

    public static final String CUSTOMERS = "public.customers";
    public static final String ORDERS = "public.orders";
    public static final List<String> CUSTOMER_COLUMNS =
            List.of("customer_id", "email", "region", "country", "created_at", "updated_at");
    public static final List<String> ORDER_COLUMNS =
            List.of("order_id", "customer_id", "status", "total", "currency", "created_at", "updated_at");

    private final LocalServices services;
    private final String database;
    private long rowChanges;
    private final Map<String, Long> changesPerTable = new TreeMap<>();

    public ShopDatabase(LocalServices services, String database) {
        this.services = services;
        this.database = database;
        services.postgres().createDatabase(database);
        execute(CUSTOMERS, "CREATE TABLE customers (customer_id bigint PRIMARY KEY, email text NOT NULL, region text,"
                + " country char(2), created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
        execute(ORDERS, "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL,"
                + " total numeric(12,2) NOT NULL, currency char(3) NOT NULL, created_at timestamptz NOT NULL,"
                + " updated_at timestamptz NOT NULL)");
        changesPerTable.clear();
        rowChanges = 0;
    }

    public String database() {
        return database;
    }

    /** Runs {@code sql} on {@code table}'s database, counting the rows it changed as changes of {@code table}. */
    public int execute(String table, String sql) {
        try (Connection c = services.postgres().connect(database); Statement st = c.createStatement()) {
            int rows = st.executeUpdate(sql);
            changesPerTable.merge(table, (long) rows, Long::sum);
            rowChanges += rows;
            return rows;
        } catch (Exception e) {
            throw new IllegalStateException("Statement failed: " + sql, e);
        }
    }

    /** Row changes made so far per table (each becomes one change event; the snapshot reads count as inserts). */
    public long changes(String table) {
        return changesPerTable.getOrDefault(table, 0L);
    }

    /** Every row of {@code table} as column=value lines, in key order, values as silver stores them. */
    public List<String> sourceRows(String table, String key) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = services.postgres().connect(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY " + key)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = md.getColumnTypeName(i).equals("timestamptz")
                            ? utc(rs.getObject(i, OffsetDateTime.class)) : rs.getObject(i);
                    line.append(md.getColumnName(i)).append('=').append(canonical(v)).append(' ');
                }
                rows.add(line.toString().trim());
            }
        }
        return rows;
    }

    /** The silver table's rows as {@link #sourceRows} prints them (source columns only, in key order). */
    public static List<String> silverRows(Table table, String key, List<String> sourceColumns) throws Exception {
        table.refresh();
        Map<Long, String> byKey = new TreeMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                StringBuilder line = new StringBuilder();
                for (String column : sourceColumns) {
                    line.append(column).append('=').append(canonical(r.getField(column))).append(' ');
                }
                String previous = byKey.put((Long) r.getField(key), line.toString().trim());
                if (previous != null) {
                    throw new AssertionError("silver " + table.name() + " holds key " + r.getField(key) + " twice");
                }
            }
        }
        return new ArrayList<>(byKey.values());
    }

    private static LocalDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }

    private static String canonical(Object v) {
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        return String.valueOf(v);
    }
}
