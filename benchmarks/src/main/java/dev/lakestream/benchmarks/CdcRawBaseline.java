package dev.lakestream.benchmarks;

import dev.lakestream.localservices.PostgresServer;

import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * C_raw: what the same changes cost without Debezium, Flink, our operators and a catalog. One
 * thread reads a logical replication slot with pgjdbc's {@link PGReplicationStream} (plugin {@code
 * pgoutput}, protocol 1, the capture's kind of publication: the same plugin and the same replication
 * client the capture runs on), decodes every message ({@link CdcPgOutput}: values parsed into typed
 * Java values), and writes one row per change (LSN, op, commit time, the row's columns; a delete's
 * key only) with Iceberg's Parquet writer over generic records, zstd, to the same S3 store, as the
 * throughput benchmark's {@code RawBaseline} does. No catalog, no commit, no exactly-once, no state.
 *
 * <p>Done when it has read {@code expected} changes; it then checks that they are exactly the
 * expected inserts, updates and deletes, in a single pass with increasing LSNs. The time runs from
 * just before the replication connection opens to the Parquet file closed (uploaded).
 */
final class CdcRawBaseline {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CdcRawBaseline.class);

    /** What one run read and wrote. */
    static final class Result {
        long inserts;
        long updates;
        long deletes;
        long transactions;
        long bytes;
        long startMillis;
        long endMillis;
        /** LSN of every change, in the order read. */
        long[] lsns;

        long changes() {
            return inserts + updates + deletes;
        }
    }

    /** Closes a replication connection whose run overran its timeout (a daemon: never keeps the JVM alive). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cdc-raw-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final PostgresServer postgres;
    private final String database;
    private final Map<String, String> s3;

    CdcRawBaseline(PostgresServer postgres, String database, Map<String, String> s3) {
        this.postgres = postgres;
        this.database = database;
        this.s3 = s3;
    }

    /** A logical slot (pgoutput) for a later {@link #run}; create it before the changes it is to read. */
    void createSlot(String slot) throws Exception {
        try (Connection c = postgres.connect(database); java.sql.Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
    }

    /** The publication the raw slots read (the capture makes its own, {@code <slot>_publication}, alike). */
    void createPublication(String publication, String table) {
        postgres.execute(database, "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
    }

    Result run(String slot, String publication, String location, CdcWorkload expected, Duration timeout) throws Exception {
        Properties props = new Properties();
        PGProperty.USER.set(props, postgres.user());
        PGProperty.PASSWORD.set(props, postgres.password());
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        // timestamptz values come as text in the walsender's time zone: UTC, whatever the server's default.
        PGProperty.OPTIONS.set(props, "-c TimeZone=UTC");
        Result result = new Result();
        long[] lsns = new long[(int) expected.changes()];
        AtomicBoolean timedOut = new AtomicBoolean();
        CdcPgOutput message = new CdcPgOutput();
        FileAppender<Record> writer = null;
        GenericRecord row = null;
        try (S3FileIO io = new S3FileIO()) {
            io.initialize(s3);
            result.startMillis = System.currentTimeMillis();
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), props)) {
                PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(slot)
                        .withSlotOption("proto_version", 1)
                        .withSlotOption("publication_names", publication)
                        .withStatusInterval(1, TimeUnit.SECONDS)
                        .start();
                // read() blocks until the next message (keepalives are answered inside it); the watchdog closes the
                // connection at the deadline, which ends a read that would otherwise wait forever.
                ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                    timedOut.set(true);
                    close(c);
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                int changes = 0;
                long lastLsn = -1;
                while (changes < lsns.length) {
                    ByteBuffer buffer;
                    try {
                        buffer = stream.read();
                    } catch (SQLException e) {
                        if (timedOut.get()) {
                            throw new IllegalStateException("C_raw read " + changes + " of " + lsns.length + " changes within "
                                    + timeout + " from slot " + slot, e);
                        }
                        throw e;
                    }
                    message.decode(buffer);
                    switch (message.kind) {
                        case BEGIN:
                            result.transactions++;
                            continue;
                        case INSERT:
                            result.inserts++;
                            break;
                        case UPDATE:
                            result.updates++;
                            break;
                        case DELETE:
                            result.deletes++;
                            break;
                        default:
                            continue;
                    }
                    long lsn = stream.getLastReceiveLSN().asLong();
                    if (lsn <= lastLsn) {
                        throw new IllegalStateException("C_raw: change LSN " + lsn + " after " + lastLsn + " in slot " + slot);
                    }
                    lastLsn = lsn;
                    lsns[changes++] = lsn;
                    if (writer == null) {
                        Schema schema = schema(message.relation);
                        writer = Parquet.write(io.newOutputFile(location + "/changes.parquet"))
                                .schema(schema)
                                .createWriterFunc(GenericParquetWriter::create)
                                .set(TableProperties.PARQUET_COMPRESSION, "zstd")
                                .overwrite()
                                .build();
                        row = GenericRecord.create(schema);
                    }
                    row.set(0, lsn);
                    row.set(1, message.kind == CdcPgOutput.Kind.INSERT ? "c" : message.kind == CdcPgOutput.Kind.UPDATE ? "u" : "d");
                    row.set(2, LocalDateTime.ofInstant(Instant.EPOCH.plus(message.commitMicros, java.time.temporal.ChronoUnit.MICROS),
                            ZoneOffset.UTC));
                    for (int i = 0; i < message.values.length; i++) {
                        row.set(3 + i, message.values[i]);
                    }
                    writer.add(row);
                }
                watchdog.cancel(false);
                stream.close();
            }
            if (writer != null) {
                writer.close();
                result.bytes = writer.length();
            }
            result.endMillis = System.currentTimeMillis();
        } finally {
            if (writer != null) {
                writer.close(); // a no-op when closed above; releases the upload after a failure
            }
        }
        result.lsns = lsns;
        if (result.inserts != expected.inserts || result.updates != expected.updates || result.deletes != expected.deletes) {
            throw new IllegalStateException(String.format("C_raw read %d inserts, %d updates, %d deletes from slot %s;"
                    + " the workload made %d, %d, %d", result.inserts, result.updates, result.deletes, slot,
                    expected.inserts, expected.updates, expected.deletes));
        }
        return result;
    }

    /** LSN, op, commit time, then the relation's columns (all optional: a delete carries the key only). */
    private static Schema schema(CdcPgOutput.Relation relation) {
        List<Types.NestedField> fields = new ArrayList<>(Arrays.asList(
                Types.NestedField.required(1, "lsn", Types.LongType.get()),
                Types.NestedField.required(2, "op", Types.StringType.get()),
                Types.NestedField.required(3, "commit_ts", Types.TimestampType.withoutZone())));
        for (int i = 0; i < relation.columns.size(); i++) {
            fields.add(Types.NestedField.optional(4 + i, relation.columns.get(i), CdcPgOutput.icebergType(relation.typeOids.get(i))));
        }
        return new Schema(fields);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // The watchdog closes to end a read stuck past the timeout; the run then fails with the timeout,
            // so this error is logged beside it rather than thrown over it.
            LOG.warn("Closing the replication connection at the timeout failed", e);
        }
    }

    static void dropSlot(PostgresServer postgres, String database, String slot) throws Exception {
        try (Connection c = postgres.connect(database); java.sql.Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        }
    }
}
