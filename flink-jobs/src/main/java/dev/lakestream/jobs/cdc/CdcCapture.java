package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;

import org.apache.flink.api.connector.source.Source;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One CDC source and what it captures: the Flink source emitting Debezium JSON envelopes, the
 * captured tables' schemas, and the optional silver partition column per table.
 */
public final class CdcCapture {

    private final String name;
    private final String uid;
    private final Source<String, ?, ?> source;
    private final Map<String, CdcTableSchema> tables;
    private final Map<String, String> partitionColumns;
    private final String tablePrefix;
    private final SchemaSource schemaSource;
    private final boolean readsKafka;

    public CdcCapture(String name, String uid, Source<String, ?, ?> source, Map<String, CdcTableSchema> tables,
            Map<String, String> partitionColumns, String tablePrefix) {
        this(name, uid, source, tables, partitionColumns, tablePrefix, SchemaSource.none());
    }

    /** @param schemaSource where the tables' columns can be read again when rows bring new ones */
    public CdcCapture(String name, String uid, Source<String, ?, ?> source, Map<String, CdcTableSchema> tables,
            Map<String, String> partitionColumns, String tablePrefix, SchemaSource schemaSource) {
        this(name, uid, source, tables, partitionColumns, tablePrefix, schemaSource, false);
    }

    private CdcCapture(String name, String uid, Source<String, ?, ?> source, Map<String, CdcTableSchema> tables,
            Map<String, String> partitionColumns, String tablePrefix, SchemaSource schemaSource, boolean readsKafka) {
        this.readsKafka = readsKafka;
        this.tablePrefix = Objects.requireNonNull(tablePrefix);
        this.schemaSource = Objects.requireNonNull(schemaSource);
        this.name = Objects.requireNonNull(name);
        this.uid = Objects.requireNonNull(uid);
        this.source = Objects.requireNonNull(source);
        this.tables = new LinkedHashMap<>(tables);
        this.partitionColumns = Map.copyOf(partitionColumns);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("CDC source " + name + " captures no table");
        }
    }

    /**
     * The same capture, declaring that its source reads Debezium topics with KafkaSource: several
     * partitions per reader (watermarks per split), and readers that can pause splits (so its
     * watermarks may join an alignment group). The Flink CDC sources read one replication log and
     * cannot pause (see {@code WatermarkAlignment}).
     */
    public CdcCapture readingKafka() {
        return new CdcCapture(name, uid, source, tables, partitionColumns, tablePrefix, schemaSource, true);
    }

    /** Whether the source is a KafkaSource of Debezium topics ({@link #readingKafka()}). */
    public boolean readsKafka() {
        return readsKafka;
    }

    /** e.g. {@code postgres-shop}; names its quarantine table and operator uids. */
    public String name() {
        return name;
    }

    public String uid() {
        return uid;
    }

    public Source<String, ?, ?> source() {
        return source;
    }

    /** Schemas by {@code schema.table}. */
    public Map<String, CdcTableSchema> tables() {
        return tables;
    }

    /** Silver partition column of a table; null for the default (bucket of the key). */
    public String partitionColumn(String table) {
        return partitionColumns.get(table);
    }

    public SchemaSource schemaSource() {
        return schemaSource;
    }

    public String tablePrefix() {
        return tablePrefix;
    }

    /** The bronze changelog table of {@code table}. */
    public dev.lakestream.catalog.spec.TableSpec changelogTable(String table) {
        return dev.lakestream.catalog.tables.CdcChangelogTable.spec(table, tablePrefix);
    }

    /** The silver current-state table of {@code table}. */
    public dev.lakestream.catalog.spec.TableSpec silverTable(String table) {
        return CdcTables.silverSpec(tables.get(table), tablePrefix, partitionColumn(table));
    }
}
