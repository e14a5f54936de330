package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A v2 table keyed on {@code id}, identity-partitioned by {@code region}, in a Hadoop catalog on
 * local disk, written the way Flink's upsert writer writes it: per commit, data files and equality
 * deletes on the key in the row's partition.
 */
final class UpsertTable {

    static final Schema SCHEMA = new Schema(
            List.of(Types.NestedField.required(1, "id", Types.LongType.get()),
                    Types.NestedField.required(2, "region", Types.StringType.get()),
                    Types.NestedField.optional(3, "value", Types.StringType.get())),
            Set.of(1));

    final HadoopCatalog catalog;
    final Table table;
    private int fileCount;

    UpsertTable(Path warehouse, String name) {
        catalog = new HadoopCatalog(new org.apache.hadoop.conf.Configuration(), warehouse.toUri().toString());
        table = catalog.createTable(TableIdentifier.of("silver", name), SCHEMA,
                PartitionSpec.builderFor(SCHEMA).identity("region").build(),
                Map.of(TableProperties.FORMAT_VERSION, "2", TableProperties.PARQUET_COMPRESSION, "zstd"));
    }

    static Record row(long id, String region, String value) {
        Record r = GenericRecord.create(SCHEMA);
        r.setField("id", id);
        r.setField("region", region);
        r.setField("value", value);
        return r;
    }

    static StructLike partition(String region) {
        org.apache.iceberg.PartitionData p = new org.apache.iceberg.PartitionData(
                PartitionSpec.builderFor(SCHEMA).identity("region").build().partitionType());
        p.set(0, region);
        return p;
    }

    private OutputFileFactory files() {
        return OutputFileFactory.builderFor(table, 1, ++fileCount).build();
    }

    DataFile dataFile(String region, Record... rows) throws IOException {
        DataWriter<Record> writer = new GenericFileWriterFactory.Builder(table).build()
                .newDataWriter(files().newOutputFile(table.spec(), partition(region)), table.spec(), partition(region));
        try (DataWriter<Record> w = writer) {
            for (Record r : rows) {
                w.write(r);
            }
        }
        return writer.toDataFile();
    }

    DeleteFile equalityDeletes(String region, long... ids) throws IOException {
        Schema key = SCHEMA.select("id");
        EqualityDeleteWriter<Record> writer = new GenericFileWriterFactory.Builder(table)
                .equalityFieldIds(new int[] {1}).equalityDeleteRowSchema(key).build()
                .newEqualityDeleteWriter(files().newOutputFile(table.spec(), partition(region)), table.spec(), partition(region));
        try (EqualityDeleteWriter<Record> w = writer) {
            for (long id : ids) {
                Record r = GenericRecord.create(key);
                r.setField("id", id);
                w.write(r);
            }
        }
        return writer.toDeleteFile();
    }

    DeleteFile positionDelete(DataFile file, String region, long position) throws IOException {
        PositionDeleteWriter<Record> writer = new GenericFileWriterFactory.Builder(table).build()
                .newPositionDeleteWriter(files().newOutputFile(table.spec(), partition(region)), table.spec(), partition(region));
        try (PositionDeleteWriter<Record> w = writer) {
            PositionDelete<Record> delete = PositionDelete.create();
            w.write(delete.set(file.location(), position));
        }
        return writer.toDeleteFile();
    }

    /** One commit, as a Flink upsert checkpoint: the rows, and deletes of their keys' earlier versions. */
    void upsert(String region, Record... rows) throws IOException {
        long[] ids = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            ids[i] = (Long) rows[i].getField("id");
        }
        table.newRowDelta().addDeletes(equalityDeletes(region, ids)).addRows(dataFile(region, rows)).commit();
    }

    void delete(String region, long... ids) throws IOException {
        table.newRowDelta().addDeletes(equalityDeletes(region, ids)).commit();
    }

    /** The table's rows as "id region value", by id; fails on an id held twice. */
    Map<Long, String> rows() throws IOException {
        table.refresh();
        Map<Long, String> rows = new TreeMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                String previous = rows.put((Long) r.getField("id"), r.getField("region") + " " + r.getField("value"));
                if (previous != null) {
                    throw new AssertionError("id " + r.getField("id") + " twice: " + previous + " and " + r);
                }
            }
        }
        return rows;
    }

    /** Live data files per partition value. */
    Map<String, Integer> dataFilesByRegion() throws IOException {
        table.refresh();
        Map<String, Integer> counts = new TreeMap<>();
        try (CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().planFiles()) {
            for (org.apache.iceberg.FileScanTask task : tasks) {
                counts.merge(String.valueOf(task.file().partition().get(0, String.class)), 1, Integer::sum);
            }
        }
        return counts;
    }

    long liveDeleteFiles() {
        table.refresh();
        return Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-delete-files", "0"));
    }
}
