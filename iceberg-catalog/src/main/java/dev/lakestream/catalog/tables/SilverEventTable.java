package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.List;

/**
 * A silver table of one event stream: the stream's declared, typed and normalized fields, then the
 * fields every silver event table carries: undeclared input fields ({@link #EXTRA_FIELDS}), the
 * source coordinates of the record that produced the row, and its ingest time.
 *
 * <p>Append-only, one row per business event (deduplicated upstream), partitioned by the day of
 * the event time. Column order is the row layout the silver writer produces.
 */
public final class SilverEventTable {

    /** Input fields the stream's schema does not declare, as a JSON object; null when there are none. */
    public static final String EXTRA_FIELDS = "extra_fields";
    public static final String SOURCE_NAME = "source_name";
    public static final String SOURCE_PARTITION = "source_partition";
    public static final String SOURCE_POSITION = "source_position";
    public static final String INGEST_TS = "ingest_ts";

    /** How many columns follow the declared event columns. */
    public static final int TRAILING_COLUMNS = 5;

    private SilverEventTable() {}

    /**
     * The table's schema: {@code eventColumns} (ids are reassigned), then the common columns.
     * {@code eventTimeColumn} must be one of them, a required timestamp.
     */
    public static Schema schema(List<Types.NestedField> eventColumns) {
        List<Types.NestedField> columns = new ArrayList<>();
        int id = 1;
        for (Types.NestedField c : eventColumns) {
            columns.add(Types.NestedField.of(id++, c.isOptional(), c.name(), c.type(), c.doc()));
        }
        columns.add(Types.NestedField.optional(
                id++, EXTRA_FIELDS, Types.StringType.get(),
                "Input fields the stream's schema does not declare (schema drift), as a JSON object"));
        columns.add(Types.NestedField.required(id++, SOURCE_NAME, Types.StringType.get(), "Kafka topic or Kinesis stream"));
        columns.add(Types.NestedField.required(
                id++, SOURCE_PARTITION, Types.StringType.get(), "Kafka partition or Kinesis shard id"));
        columns.add(Types.NestedField.required(
                id++, SOURCE_POSITION, Types.StringType.get(), "Kafka offset or Kinesis sequence number"));
        columns.add(Types.NestedField.required(
                id, INGEST_TS, Types.TimestampType.withoutZone(), "When the pipeline read the record, UTC"));
        return new Schema(columns);
    }

    public static TableSpec spec(String name, List<Types.NestedField> eventColumns, String eventTimeColumn) {
        Schema schema = schema(eventColumns);
        Types.NestedField time = schema.findField(eventTimeColumn);
        if (time == null || time.isOptional() || !(time.type() instanceof Types.TimestampType)) {
            throw new IllegalArgumentException(
                    "Silver table " + name + " needs its event time column '" + eventTimeColumn
                            + "' to be a required timestamp among " + eventColumns);
        }
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.SILVER, name)
                .schema(schema)
                .partitioning(s -> PartitionSpec.builderFor(s).day(eventTimeColumn).build()), EXTRA_FIELDS)
                .build();
    }
}
