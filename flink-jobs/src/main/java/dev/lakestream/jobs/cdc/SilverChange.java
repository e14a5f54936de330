package dev.lakestream.jobs.cdc;

import org.apache.flink.types.RowKind;

/**
 * A change silver must make to one row, as {@link ApplyChanges} decided it: the row kind (+I, -U,
 * +U, -D), the row image as Debezium wrote it, and the cdc_ values. Typed into the table's current
 * columns only at the writer ({@link SilverRecords}), so rows of a table whose columns grew while
 * the job runs travel between operators like any other. A Flink POJO.
 */
public final class SilverChange {

    public byte kind;
    public String image;
    public String op;
    public String position;
    public long sourceTsMillis;

    public SilverChange() {}

    SilverChange(RowKind kind, String image, String op, String position, long sourceTsMillis) {
        this.kind = kind.toByteValue();
        this.image = image;
        this.op = op;
        this.position = position;
        this.sourceTsMillis = sourceTsMillis;
    }

    public RowKind rowKind() {
        return RowKind.fromByteValue(kind);
    }

    @Override
    public String toString() {
        return rowKind().shortString() + " " + image;
    }
}
