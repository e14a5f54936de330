package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.Locale;

/**
 * Bronze table of one Kafka topic: an append-only, byte-exact copy of every record with its
 * source coordinates. Nothing is parsed here, so null values and non-JSON bytes land too.
 *
 * <p>Partitioned by ingest day (not by Kafka timestamp, which producers control and which may be
 * far in the past or future). Column order is the row layout the bronze writer produces.
 */
public final class BronzeKafkaTable {

    public static final String TOPIC = "topic";
    public static final String PARTITION = "kafka_partition";
    public static final String OFFSET = "kafka_offset";
    public static final String KAFKA_TS = "kafka_ts";
    public static final String KAFKA_TS_TYPE = "kafka_ts_type";
    public static final String RECORD_KEY = "record_key";
    public static final String RECORD_VALUE = "record_value";
    public static final String HEADERS = "headers";
    public static final String INGEST_TS = BronzeTables.INGEST_TS;

    /** Fields of one element of {@link #HEADERS}. Kafka headers may repeat a key, so a list, not a map. */
    public static final String HEADER_KEY = "key";
    public static final String HEADER_VALUE = "value";

    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, TOPIC, Types.StringType.get(), "Kafka topic"),
                    Types.NestedField.required(2, PARTITION, Types.IntegerType.get(), "Kafka partition"),
                    Types.NestedField.required(3, OFFSET, Types.LongType.get(), "Offset within the partition"),
                    Types.NestedField.optional(
                            4, KAFKA_TS, Types.TimestampType.withoutZone(), "Kafka record timestamp, UTC"),
                    Types.NestedField.optional(
                            5, KAFKA_TS_TYPE, Types.StringType.get(), "CreateTime, LogAppendTime or NoTimestampType"),
                    Types.NestedField.optional(6, RECORD_KEY, Types.BinaryType.get(), "Raw key bytes; null when absent"),
                    Types.NestedField.optional(
                            7, RECORD_VALUE, Types.BinaryType.get(), "Raw value bytes, unparsed; null for a null value"),
                    Types.NestedField.optional(
                            8,
                            HEADERS,
                            Types.ListType.ofRequired(
                                    10,
                                    Types.StructType.of(
                                            Types.NestedField.required(11, HEADER_KEY, Types.StringType.get()),
                                            Types.NestedField.optional(12, HEADER_VALUE, Types.BinaryType.get()))),
                            "Record headers in order; keys may repeat"),
                    Types.NestedField.required(
                            9, INGEST_TS, Types.TimestampType.withoutZone(), "When the pipeline read the record, UTC"));

    private BronzeKafkaTable() {}

    public static Schema schema() {
        return SCHEMA;
    }

    /** Table name for a topic: {@code kafka_} + the topic with every character outside [a-z0-9_] as '_'. */
    public static String tableName(String topic) {
        return "kafka_" + topic.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    public static TableSpec spec(String topic) {
        return BronzeTables.spec(tableName(topic), SCHEMA, RECORD_VALUE);
    }
}
