package dev.lakestream.cdc;

import java.io.Serializable;
import java.util.Objects;

/**
 * One row change, whatever way it came in: op, the source table, the primary key, the row images
 * before and after (JSON objects as Debezium writes them, null when absent), the source position
 * (ordered: a later change has a greater position), the source commit time and whether a snapshot
 * read it. The raw envelope is kept for bronze.
 */
public final class ChangeEvent implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ChangeOp op;
    private final String table;
    private final String keyJson;
    private final String beforeJson;
    private final String afterJson;
    private final SourcePosition position;
    private final long sourceTsMillis;
    private final boolean snapshot;
    private final String envelope;

    public ChangeEvent(ChangeOp op, String table, String keyJson, String beforeJson, String afterJson,
            SourcePosition position, long sourceTsMillis, boolean snapshot, String envelope) {
        this.op = Objects.requireNonNull(op, "op");
        this.table = Objects.requireNonNull(table, "table");
        this.keyJson = Objects.requireNonNull(keyJson, "keyJson");
        this.beforeJson = beforeJson;
        this.afterJson = afterJson;
        this.position = Objects.requireNonNull(position, "position");
        this.sourceTsMillis = sourceTsMillis;
        this.snapshot = snapshot;
        this.envelope = envelope;
    }

    public ChangeOp op() {
        return op;
    }

    /** {@code schema.table} (PostgreSQL) or {@code database.table} (MySQL). */
    public String table() {
        return table;
    }

    /** The primary key as a JSON object with the key columns in key order, e.g. {@code {"order_id":7}}. */
    public String keyJson() {
        return keyJson;
    }

    public String beforeJson() {
        return beforeJson;
    }

    /** The row after the change; null for a delete. */
    public String afterJson() {
        return afterJson;
    }

    public SourcePosition position() {
        return position;
    }

    public long sourceTsMillis() {
        return sourceTsMillis;
    }

    public boolean snapshot() {
        return snapshot;
    }

    public String envelope() {
        return envelope;
    }

    @Override
    public String toString() {
        return op + " " + table + " " + keyJson + " @" + position;
    }
}
