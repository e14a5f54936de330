package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.Locale;

/**
 * Bronze changelog of one captured database table: every change event, append-only, with its
 * source position: {@code bronze.cdc_<table>}. Row images are kept as Debezium wrote them (JSON),
 * so a column type change upstream never fails bronze.
 */
public final class CdcChangelogTable {

    public static final String SOURCE_TABLE = "source_table";
    public static final String OP = "op";
    public static final String KEY = "key";
    public static final String BEFORE = "before";
    public static final String AFTER = "after";
    public static final String SOURCE_POSITION = "source_position";
    public static final String SOURCE_TS = "source_ts";
    public static final String SNAPSHOT = "snapshot";
    public static final String ENVELOPE = "envelope";
    public static final String INGEST_TS = BronzeTables.INGEST_TS;

    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, SOURCE_TABLE, Types.StringType.get(), "schema.table (or database.table)"),
                    Types.NestedField.required(2, OP, Types.StringType.get(), "r (snapshot read), c, u or d"),
                    Types.NestedField.required(3, KEY, Types.StringType.get(), "Primary key as a JSON object"),
                    Types.NestedField.optional(4, BEFORE, Types.StringType.get(), "Row before the change, JSON"),
                    Types.NestedField.optional(5, AFTER, Types.StringType.get(), "Row after the change, JSON"),
                    Types.NestedField.required(
                            6, SOURCE_POSITION, Types.StringType.get(),
                            "Position in the source log (LSN or binlog file.position.row), zero-padded so that string"
                                    + " order is log order; pg:-snapshot for snapshot reads"),
                    Types.NestedField.optional(
                            7, SOURCE_TS, Types.TimestampType.withoutZone(), "When the source committed the change, UTC"),
                    Types.NestedField.required(8, SNAPSHOT, Types.BooleanType.get(), "Read by the snapshot, not streamed"),
                    Types.NestedField.optional(9, ENVELOPE, Types.StringType.get(), "The Debezium envelope as read"),
                    Types.NestedField.required(
                            10, INGEST_TS, Types.TimestampType.withoutZone(), "When the pipeline read the change, UTC"));

    private CdcChangelogTable() {}

    public static Schema schema() {
        return SCHEMA;
    }

    /** {@code cdc_<prefix><table>}: the table name without its schema, lower-cased, other characters as '_'. */
    public static String tableName(String table, String prefix) {
        String name = table.substring(table.indexOf('.') + 1);
        return "cdc_" + prefix + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** @param table {@code schema.table}; @param prefix lakehouse name prefix of the source database, may be empty */
    public static TableSpec spec(String table, String prefix) {
        return BronzeTables.spec(tableName(table, prefix), SCHEMA, BEFORE, AFTER, ENVELOPE);
    }
}
