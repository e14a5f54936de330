package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Silver current state of a captured table: one row per primary key, as the source has it now,
 * plus when and where the row's last change came from. Written with equality deletes keyed by the
 * primary key (the table's identifier fields).
 */
public final class CurrentStateTable {

    /** Debezium op of the row's last change: r, c or u. */
    public static final String CDC_OP = "cdc_op";
    /** Source position of the row's last change (see {@link CdcChangelogTable#SOURCE_POSITION}). */
    public static final String CDC_POSITION = "cdc_position";
    /** When the source committed the row's last change, UTC. */
    public static final String CDC_SOURCE_TS = "cdc_source_ts";

    public static final int TRAILING_COLUMNS = 3;

    private CurrentStateTable() {}

    /** The source's columns (ids reassigned, key columns required), then the cdc_ columns; key = identifier fields. */
    public static Schema schema(List<Types.NestedField> columns, List<String> key) {
        List<Types.NestedField> all = new ArrayList<>();
        Set<Integer> identifiers = new HashSet<>();
        int id = 1;
        for (Types.NestedField c : columns) {
            boolean isKey = key.contains(c.name());
            all.add(Types.NestedField.of(id, !isKey && c.isOptional(), c.name(), c.type(), c.doc()));
            if (isKey) {
                identifiers.add(id);
            }
            id++;
        }
        if (identifiers.size() != key.size()) {
            throw new IllegalArgumentException("Key " + key + " is not among the columns " + columns);
        }
        all.add(Types.NestedField.required(id++, CDC_OP, Types.StringType.get(), "Op of the row's last change: r, c or u"));
        all.add(Types.NestedField.required(id++, CDC_POSITION, Types.StringType.get(), "Source position of the row's last change"));
        all.add(Types.NestedField.optional(id, CDC_SOURCE_TS, Types.TimestampType.withoutZone(),
                "When the source committed the row's last change, UTC"));
        return new Schema(all, identifiers);
    }

    /**
     * @param partitioning partition spec over the schema; a column that can change is fine (the
     *     writer deletes a row in the partition it was in), but prefer few partitions
     */
    public static TableSpec spec(String name, List<Types.NestedField> columns, List<String> key,
            Function<Schema, PartitionSpec> partitioning) {
        Schema schema = schema(columns, key);
        for (Types.NestedField c : columns) {
            if (c.name().startsWith("cdc_")) {
                throw new IllegalArgumentException(
                        "Source column " + c.name() + " of " + name + " clashes with the cdc_ columns silver adds");
            }
        }
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.SILVER, name)
                        .schema(schema)
                        .partitioning(partitioning))
                // Rows change in place: equality deletes by key (Athena reads them; compaction removes them).
                .property("write.upsert.enabled", "false")
                .build();
    }
}
