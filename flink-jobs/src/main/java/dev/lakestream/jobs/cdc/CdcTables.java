package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.CurrentStateTable;
import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The silver current-state table of a captured table, from the source's declared schema. */
public final class CdcTables {

    /** Buckets of the key when no partition column is configured. */
    static final int KEY_BUCKETS = 8;

    private CdcTables() {}

    /** {@code silver.<prefix><table name>}, lower-cased. */
    public static String silverName(CdcTableSchema schema, String prefix) {
        return prefix + schema.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /**
     * @param partitionColumn identity-partition by this column (it may change: the writer deletes a
     *     row in the partition it was in); null: bucket(8, first key column)
     */
    public static TableSpec silverSpec(CdcTableSchema schema, String prefix, String partitionColumn) {
        List<Types.NestedField> columns = new ArrayList<>();
        int id = 1;
        for (Column c : schema.columns()) {
            columns.add(Types.NestedField.of(id++, c.nullable(), c.name(), icebergType(c), c.sourceType()));
        }
        if (partitionColumn != null && schema.columns().stream().noneMatch(c -> c.name().equals(partitionColumn))) {
            throw new IllegalArgumentException(
                    "Partition column " + partitionColumn + " is not a column of " + schema.table() + ": " + schema.columns());
        }
        String firstKey = schema.primaryKey().get(0);
        return CurrentStateTable.spec(silverName(schema, prefix), columns, schema.primaryKey(), s -> partitionColumn == null
                ? PartitionSpec.builderFor(s).bucket(firstKey, KEY_BUCKETS).build()
                : PartitionSpec.builderFor(s).identity(partitionColumn).build());
    }

    static Type icebergType(Column c) {
        switch (c.type()) {
            case LONG:
                return Types.LongType.get();
            case INT:
                return Types.IntegerType.get();
            case DECIMAL:
                return Types.DecimalType.of(c.precision(), c.scale());
            case TIMESTAMP_UTC:
            case TIMESTAMP_LOCAL:
                return Types.TimestampType.withoutZone();
            case DATE:
                return Types.DateType.get();
            case BOOLEAN:
                return Types.BooleanType.get();
            case DOUBLE:
                return Types.DoubleType.get();
            case FLOAT:
                return Types.FloatType.get();
            case STRING:
            default:
                return Types.StringType.get();
        }
    }
}
