package dev.lakestream.jobs.bronze;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.table.data.RowData;

import java.io.Serializable;
import java.util.Objects;

/**
 * One source feeding bronze: a Kafka topic or a Kinesis stream, the Flink source that reads it as
 * bronze rows, the bronze table those rows go to, and how silver reads a bronze row back as a
 * {@link RawRecord}.
 *
 * <p>{@link #uid()} holds the source's positions (offsets, shard sequence numbers) in savepoints:
 * changing it on a running deployment loses them on the next restore.
 */
public final class BronzeSource {

    /** What reads the source, and so what its watermarks can do. */
    public enum Kind {
        /** {@code KafkaSource}: its reader pauses partitions, so it can be aligned. */
        KAFKA(true),
        /**
         * {@code KinesisStreamsSource} 4.3: its reader cannot pause shards; aligned, it would fail
         * the job the first time a shard ran ahead (see {@code WatermarkAlignment}).
         */
        KINESIS(false);

        private final boolean pausesSplits;

        Kind(boolean pausesSplits) {
            this.pausesSplits = pausesSplits;
        }

        /** Whether the reader can pause single splits, which watermark alignment needs. */
        public boolean pausesSplits() {
            return pausesSplits;
        }
    }

    /** Reads a bronze row of this source's table as a {@link RawRecord}. */
    @FunctionalInterface
    public interface RawRecords extends MapFunction<RowData, RawRecord>, Serializable {}

    private final Kind kind;
    private final String name;
    private final String uid;
    private final TableSpec table;
    private final Source<RowData, ?, ?> source;
    private final RawRecords rawRecords;
    private final int payloadField;

    /** @param payloadField position of the payload (a BYTES column) in the source's rows */
    public BronzeSource(Kind kind, String name, String uid, TableSpec table, Source<RowData, ?, ?> source,
            RawRecords rawRecords, int payloadField) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.name = Objects.requireNonNull(name, "name");
        this.uid = Objects.requireNonNull(uid, "uid");
        this.table = Objects.requireNonNull(table, "table");
        this.source = Objects.requireNonNull(source, "source");
        this.rawRecords = Objects.requireNonNull(rawRecords, "rawRecords");
        this.payloadField = payloadField;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the source's reader can pause single partitions or shards (watermark alignment needs it). */
    public boolean pausesSplits() {
        return kind.pausesSplits();
    }

    /** Topic or stream name, as silver datasets refer to it. */
    public String name() {
        return name;
    }

    public String uid() {
        return uid;
    }

    public TableSpec table() {
        return table;
    }

    public Source<RowData, ?, ?> source() {
        return source;
    }

    public RawRecords rawRecords() {
        return rawRecords;
    }

    /**
     * Position of the payload in the source's rows: for what reads only the payload, once per
     * record (the watermarks' event time), where a whole {@link RawRecord} would decode the
     * coordinates too.
     */
    public int payloadField() {
        return payloadField;
    }

    /** The payload at {@code field} of a bronze row; null for a record without one. */
    public static byte[] payload(RowData row, int field) {
        return row.isNullAt(field) ? null : row.getBinary(field);
    }
}
