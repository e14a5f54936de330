package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * Records a silver dataset rejected, one row each: the raw payload exactly as read, where it came
 * from, which rule failed and when. Lives in the bronze namespace because, like bronze, it holds
 * input as it arrived; {@code <dataset>_quarantine}, e.g. {@code bronze.clickstream_events_quarantine}.
 *
 * <p>Append-only, partitioned by the day it was quarantined. Column order is the row layout the
 * silver validator produces.
 */
public final class QuarantineTable {

    public static final String SOURCE_NAME = "source_name";
    public static final String SOURCE_PARTITION = "source_partition";
    public static final String SOURCE_POSITION = "source_position";
    public static final String RAW_PAYLOAD = "raw_payload";
    public static final String PAYLOAD_BYTES = "payload_bytes";
    public static final String REASON = "reason";
    public static final String FIELD = "field";
    public static final String RULE = "rule";
    public static final String EVENT_ID = "event_id";
    public static final String INGEST_TS = "ingest_ts";
    public static final String QUARANTINED_AT = "quarantined_at";

    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, SOURCE_NAME, Types.StringType.get(), "Kafka topic or Kinesis stream"),
                    Types.NestedField.required(
                            2, SOURCE_PARTITION, Types.StringType.get(), "Kafka partition or Kinesis shard id"),
                    Types.NestedField.required(
                            3, SOURCE_POSITION, Types.StringType.get(), "Kafka offset or Kinesis sequence number"),
                    Types.NestedField.optional(
                            4, RAW_PAYLOAD, Types.BinaryType.get(), "The payload exactly as read; null for a null payload"),
                    Types.NestedField.optional(5, PAYLOAD_BYTES, Types.IntegerType.get(), "Payload size; null for a null payload"),
                    Types.NestedField.required(
                            6, REASON, Types.StringType.get(),
                            "Rejection class: NULL_PAYLOAD, OVERSIZED_PAYLOAD, MALFORMED_JSON, NOT_A_JSON_OBJECT,"
                                    + " MISSING_REQUIRED_FIELD, WRONG_TYPE, OUT_OF_RANGE, NOT_ALLOWED_VALUE"),
                    Types.NestedField.optional(7, FIELD, Types.StringType.get(), "The field that failed, if one did"),
                    Types.NestedField.required(8, RULE, Types.StringType.get(), "The rule that failed, in words"),
                    Types.NestedField.optional(9, EVENT_ID, Types.StringType.get(), "The record's event id, if it has one"),
                    Types.NestedField.required(
                            10, INGEST_TS, Types.TimestampType.withoutZone(), "When the pipeline read the record, UTC"),
                    Types.NestedField.required(
                            11, QUARANTINED_AT, Types.TimestampType.withoutZone(), "When the record was rejected, UTC"));

    private QuarantineTable() {}

    public static Schema schema() {
        return SCHEMA;
    }

    public static String tableName(String dataset) {
        return dataset + "_quarantine";
    }

    public static TableSpec spec(String dataset) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.BRONZE, tableName(dataset))
                .schema(SCHEMA)
                .partitioning(s -> PartitionSpec.builderFor(s).day(QUARANTINED_AT).build()), RAW_PAYLOAD)
                .build();
    }
}
