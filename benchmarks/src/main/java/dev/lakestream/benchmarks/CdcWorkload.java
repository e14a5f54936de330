package dev.lakestream.benchmarks;

import dev.lakestream.localservices.PostgresServer;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The changes every CDC candidate reads: a table shaped like the domain's orders (as the local run
 * and the CDC ITCases create it), then, each statement one transaction of at most {@code batch}
 * rows: {@code rows} inserts, {@code round(rows * updateShare)} status transitions (pass after pass
 * over the orders: paid, shipped, delivered, returned, each also moving {@code updated_at}), and
 * deletes of about {@code deleteShare} of the orders (spread over the keys by a multiplicative
 * hash, so they hit updated and untouched orders alike). Row counts come from the statements
 * themselves, so the expected change counts are exact.
 */
final class CdcWorkload {

    static final String TABLE = "public.orders";
    static final String KEY = "order_id";
    private static final String[] TRANSITIONS = {"paid", "shipped", "delivered", "returned"};

    private final PostgresServer postgres;
    private final String database;

    long inserts;
    long updates;
    long deletes;
    double seconds;
    long transactions;

    CdcWorkload(PostgresServer postgres, String database) {
        this.postgres = postgres;
        this.database = database;
    }

    String database() {
        return database;
    }

    long changes() {
        return inserts + updates + deletes;
    }

    /** Creates the database and the empty table (before any slot or publication: they name it). */
    void createTable() {
        postgres.createDatabase(database);
        postgres.execute(database, "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL,"
                + " status text NOT NULL, total numeric(12,2) NOT NULL, currency char(3) NOT NULL,"
                + " created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
    }

    /** Makes every change, one auto-committed statement (one transaction) per batch. */
    void produce(int rows, double updateShare, double deleteShare, int batch) throws SQLException {
        long started = System.nanoTime();
        try (Connection c = postgres.connect(database); Statement st = c.createStatement()) {
            for (long from = 1; from <= rows; from += batch) {
                long to = Math.min(rows, from + batch - 1);
                inserts += execute(st, "INSERT INTO orders SELECT g, 1 + g % 5000, 'placed', round((g * 7.31) % 500, 2),"
                        + " 'USD', timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second', clock_timestamp()"
                        + " FROM generate_series(" + from + ", " + to + ") g");
            }
            long remaining = Math.round(rows * updateShare);
            for (int pass = 0; remaining > 0; pass++) {
                long last = Math.min(rows, remaining);
                String status = TRANSITIONS[pass % TRANSITIONS.length];
                for (long from = 1; from <= last; from += batch) {
                    long to = Math.min(last, from + batch - 1);
                    updates += execute(st, "UPDATE orders SET status = '" + status + "', updated_at = clock_timestamp()"
                            + " WHERE order_id BETWEEN " + from + " AND " + to);
                }
                remaining -= last;
            }
            if (deleteShare > 0) {
                long permille = Math.round(deleteShare * 1000);
                // Key ranges of batch / share keys, so that each transaction deletes about batch rows.
                long range = Math.max(1, Math.round(batch / deleteShare));
                for (long from = 1; from <= rows; from += range) {
                    long to = Math.min(rows, from + range - 1);
                    deletes += execute(st, "DELETE FROM orders WHERE order_id BETWEEN " + from + " AND " + to
                            + " AND mod(order_id * 2654435761, 1000) < " + permille);
                }
            }
        }
        seconds = (System.nanoTime() - started) / 1e9;
        if (updates != Math.round(rows * updateShare)) {
            throw new IllegalStateException("The workload updated " + updates + " rows, not " + Math.round(rows * updateShare));
        }
    }

    private int execute(Statement st, String sql) throws SQLException {
        transactions++;
        return st.executeUpdate(sql);
    }

    /** The table as it is now: key to {@link #canonical} row, every source column. */
    Map<Long, String> finalRows() throws SQLException {
        Map<Long, String> rows = new HashMap<>();
        try (Connection c = postgres.connect(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT order_id, customer_id, status, total, currency, created_at,"
                        + " updated_at FROM orders")) {
            while (rs.next()) {
                long key = rs.getLong(1);
                rows.put(key, canonical(key, rs.getLong(2), rs.getString(3), rs.getBigDecimal(4), rs.getString(5),
                        utc(rs.getObject(6, OffsetDateTime.class)), utc(rs.getObject(7, OffsetDateTime.class))));
            }
        }
        return rows;
    }

    /** One row as text, values as silver stores them (timestamptz as UTC timestamps, decimals in plain notation). */
    static String canonical(Object orderId, Object customerId, Object status, Object total, Object currency,
            Object createdAt, Object updatedAt) {
        return String.format(Locale.ROOT, "order_id=%s customer_id=%s status=%s total=%s currency=%s created_at=%s"
                + " updated_at=%s", orderId, customerId, status,
                total instanceof BigDecimal ? ((BigDecimal) total).toPlainString() : total, currency, createdAt, updatedAt);
    }

    private static LocalDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }

    /** An order-independent checksum of rows: the sum of a 64-bit hash of each (FNV-1a, then mixed). */
    static long checksum(Iterable<String> rows) {
        long sum = 0;
        for (String row : rows) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < row.length(); i++) {
                h ^= row.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            sum += h;
        }
        return sum;
    }
}
