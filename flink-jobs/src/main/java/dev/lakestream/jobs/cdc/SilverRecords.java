package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.cdc.CdcTableSchema;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Types one table's {@link SilverChange}s into rows of its current-state table for Iceberg's
 * dynamic sink, with the table's current columns: when a row image brings a column added upstream,
 * the columns grow ({@link TableColumns}) and the sink adds the column to the table before writing
 * the row, without a restart. Rows are distributed by key, so one writer owns each key.
 */
public final class SilverRecords implements DynamicRecordGenerator<SilverChange> {

    private static final long serialVersionUID = 1L;

    private final TableColumns columns;
    private final String tablePrefix;
    private final String partitionColumn;
    private final int writeParallelism;

    private transient TableSpec spec;

    SilverRecords(CdcTableSchema schema, SchemaSource source, String tablePrefix, String partitionColumn,
            int writeParallelism) {
        this.columns = new TableColumns(schema, source);
        this.tablePrefix = tablePrefix;
        this.partitionColumn = partitionColumn;
        this.writeParallelism = writeParallelism;
    }

    @Override
    public void generate(SilverChange change, Collector<DynamicRecord> out) throws Exception {
        JsonNode image = ChangeRowConverter.parse(change.image);
        if (columns.accommodate(image) || spec == null) {
            spec = CdcTables.silverSpec(columns.schema(), tablePrefix, partitionColumn);
        }
        // ApplyChanges converted this image already (rejects went to quarantine), so it converts.
        GenericRowData row = columns.converter().toRow(image, change.op, change.position,
                TimestampData.fromEpochMillis(change.sourceTsMillis));
        row.setRowKind(change.rowKind());
        DynamicRecord record = new DynamicRecord(spec.identifier(), "main", spec.schema(), row, spec.partitionSpec(),
                DistributionMode.HASH, writeParallelism);
        record.setEqualityFields(equalityFields());
        record.setUpsertMode(false);
        out.collect(record);
    }

    /**
     * The key, plus the partition column when there is one. Deletes then name the row's partition
     * value too, which the retraction of a moved row carries (its old value), and the sink's hash
     * distribution on these fields keeps every version of a row in one partition on one writer.
     */
    Set<String> equalityFields() {
        Set<String> fields = new LinkedHashSet<>(columns.schema().primaryKey());
        if (partitionColumn != null) {
            fields.add(partitionColumn);
        }
        return fields;
    }
}
