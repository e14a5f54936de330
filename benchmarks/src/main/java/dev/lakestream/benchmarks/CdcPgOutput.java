package dev.lakestream.benchmarks;

import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder of PostgreSQL's {@code pgoutput} logical replication messages (protocol version 1: every
 * value as text), for the raw baseline: Begin, Commit, Relation, Insert, Update and Delete are
 * decoded; Origin and Type are read past; Truncate and anything else fail, since the benchmark's
 * workload makes none. Values are parsed from their text form into Java values by the column's type
 * oid, as a consumer would to write typed columns.
 *
 * <p>Message layouts: PostgreSQL's "Logical Replication Message Formats" (protocol documentation).
 */
final class CdcPgOutput {

    /** A relation's columns as the Relation message declares them. */
    static final class Relation {
        final int id;
        final String name;
        final List<String> columns = new ArrayList<>();
        final List<Integer> typeOids = new ArrayList<>();

        Relation(int id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /** What one message was; the decoded row (for I, U, D) is in {@link #values}. */
    enum Kind { BEGIN, COMMIT, RELATION, INSERT, UPDATE, DELETE, OTHER }

    // PostgreSQL type oids (pg_type.dat).
    static final int BOOL = 16;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int BPCHAR = 1042;
    static final int VARCHAR = 1043;
    static final int DATE = 1082;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int NUMERIC = 1700;

    /** PostgreSQL's text form of timestamps ({@code 2026-02-01 00:00:00.123456+00}; the offset only for timestamptz). */
    private static final DateTimeFormatter TIMESTAMP_TEXT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:mm", "+00").optionalEnd()
            .toFormatter();

    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private final Map<Integer, Relation> relations = new HashMap<>();

    Kind kind;
    Relation relation;
    /** The new row (insert, update) or the old key or row (delete); null for a column PostgreSQL left out. */
    Object[] values;
    /** Begin: the transaction's commit time, epoch micros. */
    long commitMicros;
    /** Commit: the end LSN of the transaction. */
    long commitEndLsn;

    /** Decodes one message; the result is in this object's fields until the next call. */
    void decode(ByteBuffer b) {
        byte tag = b.get();
        relation = null;
        values = null;
        switch (tag) {
            case 'B':
                kind = Kind.BEGIN;
                b.getLong(); // final LSN
                commitMicros = b.getLong() + PG_EPOCH_MICROS;
                b.getInt(); // xid
                return;
            case 'C':
                kind = Kind.COMMIT;
                b.get(); // flags
                b.getLong(); // commit LSN
                commitEndLsn = b.getLong();
                return;
            case 'R':
                kind = Kind.RELATION;
                int id = b.getInt();
                String namespace = string(b);
                Relation r = new Relation(id, namespace + "." + string(b));
                b.get(); // replica identity
                int columns = b.getShort();
                for (int i = 0; i < columns; i++) {
                    b.get(); // flags (part of the key)
                    r.columns.add(string(b));
                    r.typeOids.add(b.getInt());
                    b.getInt(); // type modifier
                }
                relations.put(id, r);
                relation = r;
                return;
            case 'I':
                kind = Kind.INSERT;
                relation = relation(b.getInt());
                expect(b, 'N');
                values = tuple(b, relation);
                return;
            case 'U':
                kind = Kind.UPDATE;
                relation = relation(b.getInt());
                byte part = b.get();
                if (part == 'K' || part == 'O') {
                    tuple(b, relation); // the old key or row (replica identity full or a changed key)
                    part = b.get();
                }
                if (part != 'N') {
                    throw new IllegalStateException("pgoutput update without a new tuple: '" + (char) part + "'");
                }
                values = tuple(b, relation);
                return;
            case 'D':
                kind = Kind.DELETE;
                relation = relation(b.getInt());
                byte old = b.get();
                if (old != 'K' && old != 'O') {
                    throw new IllegalStateException("pgoutput delete without an old key or row: '" + (char) old + "'");
                }
                values = tuple(b, relation);
                return;
            case 'O': // origin
            case 'Y': // type
                kind = Kind.OTHER;
                return;
            default:
                throw new IllegalStateException("pgoutput message '" + (char) tag + "' is not expected in this workload");
        }
    }

    /** The Iceberg type a column of this oid is written as. */
    static Type icebergType(int oid) {
        switch (oid) {
            case BOOL: return Types.BooleanType.get();
            case INT2:
            case INT4: return Types.IntegerType.get();
            case INT8: return Types.LongType.get();
            case FLOAT4: return Types.FloatType.get();
            case FLOAT8: return Types.DoubleType.get();
            case DATE: return Types.DateType.get();
            case TIMESTAMP:
            case TIMESTAMPTZ: return Types.TimestampType.withoutZone();
            // The raw baseline's numeric columns are the workload's numeric(12,2).
            case NUMERIC: return Types.DecimalType.of(12, 2);
            default: return Types.StringType.get();
        }
    }

    private Relation relation(int id) {
        Relation r = relations.get(id);
        if (r == null) {
            throw new IllegalStateException("pgoutput change of relation " + id + " before its Relation message");
        }
        return r;
    }

    private static Object[] tuple(ByteBuffer b, Relation r) {
        int columns = b.getShort();
        Object[] out = new Object[columns];
        for (int i = 0; i < columns; i++) {
            byte kind = b.get();
            if (kind == 't') {
                int length = b.getInt();
                String text = new String(b.array(), b.arrayOffset() + b.position(), length, StandardCharsets.UTF_8);
                b.position(b.position() + length);
                out[i] = parse(r.typeOids.get(i), text);
            } else if (kind != 'n' && kind != 'u') { // null, or an unchanged TOASTed value (not sent)
                throw new IllegalStateException("pgoutput tuple value kind '" + (char) kind + "' (protocol 1 sends text only)");
            }
        }
        return out;
    }

    private static Object parse(int oid, String text) {
        switch (oid) {
            case BOOL: return "t".equals(text);
            case INT2:
            case INT4: return Integer.parseInt(text);
            case INT8: return Long.parseLong(text);
            case FLOAT4: return Float.parseFloat(text);
            case FLOAT8: return Double.parseDouble(text);
            case NUMERIC: return new BigDecimal(text);
            case DATE: return LocalDate.parse(text);
            case TIMESTAMP: return LocalDateTime.parse(text, TIMESTAMP_TEXT);
            case TIMESTAMPTZ: return OffsetDateTime.parse(text, TIMESTAMP_TEXT).withOffsetSameInstant(ZoneOffset.UTC)
                    .toLocalDateTime();
            default: return text;
        }
    }

    private static void expect(ByteBuffer b, char part) {
        byte got = b.get();
        if (got != part) {
            throw new IllegalStateException("pgoutput: expected '" + part + "', got '" + (char) got + "'");
        }
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // up to the terminating zero byte
        }
        return new String(b.array(), b.arrayOffset() + start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
