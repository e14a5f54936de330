package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;

/**
 * What every bronze table shares, whatever its source: partitioning by ingest day and the table
 * properties of an append-only landing table. Each source's table class declares its own columns.
 */
final class BronzeTables {

    /** Column every bronze schema has: when the pipeline read the record, UTC. */
    static final String INGEST_TS = "ingest_ts";

    private BronzeTables() {}

    /**
     * Parquet's dictionary encoding, off for bronze. Bronze's large columns (payload, offset or
     * sequence number, timestamps) are unique per record, so the writer hashed every value into a
     * dictionary it then discarded: a quarter of bronze's CPU per record. The few repeated columns
     * (topic, partition) compress as well under zstd without it: same file sizes, measured.
     */
    static final String PARQUET_DICTIONARY = "parquet.enable.dictionary";

    /**
     * A bronze table spec: {@code schema} partitioned by day({@value #INGEST_TS}), with the bronze
     * properties; {@code documentColumns} (the payload) are written without Parquet statistics.
     */
    static TableSpec spec(String name, Schema schema, String... documentColumns) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.BRONZE, name)
                .schema(schema)
                .partitioning(s -> PartitionSpec.builderFor(s).day(INGEST_TS).build()), documentColumns)
                .property(PARQUET_DICTIONARY, "false")
                .build();
    }
}
