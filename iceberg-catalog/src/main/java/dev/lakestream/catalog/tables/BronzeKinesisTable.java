package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.Locale;

/**
 * Bronze table of one Kinesis data stream: an append-only, byte-exact copy of every record with its
 * source coordinates (shard id, sequence number). Nothing is parsed here, so empty payloads and
 * bytes that are not JSON land too. KPL-aggregated records land as the aggregate, as Kinesis
 * stored them.
 *
 * <p>Partitioned by ingest day (not by the approximate arrival time, which a replay from
 * TRIM_HORIZON puts up to a year in the past). Column order is the row layout the bronze reader
 * produces.
 */
public final class BronzeKinesisTable {

    public static final String STREAM = "stream";
    public static final String SHARD_ID = "shard_id";
    public static final String SEQUENCE_NUMBER = "sequence_number";
    public static final String APPROXIMATE_ARRIVAL_TS = "approximate_arrival_ts";
    public static final String PARTITION_KEY = "partition_key";
    public static final String RECORD_DATA = "record_data";
    public static final String INGEST_TS = BronzeTables.INGEST_TS;

    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, STREAM, Types.StringType.get(), "Kinesis stream name"),
                    Types.NestedField.required(2, SHARD_ID, Types.StringType.get(), "Shard the record was read from"),
                    // Up to 128 decimal digits: a string, compared per shard as a number, never as text.
                    Types.NestedField.required(
                            3, SEQUENCE_NUMBER, Types.StringType.get(), "Sequence number within the shard"),
                    Types.NestedField.optional(
                            4,
                            APPROXIMATE_ARRIVAL_TS,
                            Types.TimestampType.withoutZone(),
                            "When Kinesis accepted the record, UTC"),
                    Types.NestedField.optional(
                            5, PARTITION_KEY, Types.StringType.get(), "Partition key the producer chose"),
                    Types.NestedField.optional(
                            6, RECORD_DATA, Types.BinaryType.get(), "Raw data bytes, unparsed"),
                    Types.NestedField.required(
                            7, INGEST_TS, Types.TimestampType.withoutZone(), "When the pipeline read the record, UTC"));

    private BronzeKinesisTable() {}

    public static Schema schema() {
        return SCHEMA;
    }

    /** Table name for a stream: {@code kinesis_} + the stream name with every character outside [a-z0-9_] as '_'. */
    public static String tableName(String stream) {
        return "kinesis_" + stream.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    public static TableSpec spec(String stream) {
        return BronzeTables.spec(tableName(stream), SCHEMA, RECORD_DATA);
    }
}
