package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriteResult;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.PropertyUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Rewrites a table's rows without delete files: every live row is written to new data files, and
 * the old data files and every delete file (equality and position) are dropped in one commit.
 * Afterwards readers that cannot apply equality deletes (Redshift) read the table correctly.
 *
 * <p>Safe beside a streaming writer: the new files keep the data sequence number of the snapshot
 * they were read from, so deletes the writer commits meanwhile still apply to them, and the commit
 * fails (to be retried on the next run) if the writer removed any of the rewritten files.
 *
 * <p>This version rewrites the whole table, so it suits current-state tables of moderate size;
 * rewriting only the partitions that have deletes is the next step.
 */
public final class DeleteFileCompaction {

    /** What a run did. */
    public static final class Result {
        public final long rows;
        public final int dataFilesRewritten;
        public final int deleteFilesRemoved;
        public final int dataFilesWritten;

        Result(long rows, int dataFilesRewritten, int deleteFilesRemoved, int dataFilesWritten) {
            this.rows = rows;
            this.dataFilesRewritten = dataFilesRewritten;
            this.deleteFilesRemoved = deleteFilesRemoved;
            this.dataFilesWritten = dataFilesWritten;
        }

        @Override
        public String toString() {
            return rows + " rows: " + dataFilesRewritten + " data files and " + deleteFilesRemoved
                    + " delete files replaced by " + dataFilesWritten + " data files";
        }
    }

    private DeleteFileCompaction() {}

    /** Compacts {@code table} if its current snapshot has delete files; returns what it did. */
    public static Result run(Table table) {
        table.refresh();
        Snapshot start = table.currentSnapshot();
        if (start == null) {
            return new Result(0, 0, 0, 0);
        }
        Set<DataFile> oldData = new HashSet<>();
        Set<DeleteFile> oldDeletes = new HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                oldData.add(task.file());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot plan " + table.name(), e);
        }
        // Delete files that apply to no data file (e.g. an upsert of a new key) are attached to no
        // task, but Redshift still sees them: every live one goes, as every data file is rewritten.
        for (ManifestFile manifest : start.deleteManifests(table.io())) {
            try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                reader.forEach(oldDeletes::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read delete manifest " + manifest.path() + " of " + table.name(), e);
            }
        }
        if (oldDeletes.isEmpty()) {
            return new Result(0, 0, 0, 0);
        }
        long targetFileSize = PropertyUtil.propertyAsLong(
                table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        OutputFileFactory files = OutputFileFactory.builderFor(table, 0, start.snapshotId())
                .format(FileFormat.PARQUET).operationId("compaction-" + start.snapshotId()).build();
        FanoutDataWriter<Record> writer = new FanoutDataWriter<>(
                new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build(),
                files, table.io(), targetFileSize);
        PartitionKey partition = new PartitionKey(table.spec(), table.schema());
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        long rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(start.snapshotId()).build()) {
            for (Record record : records) {
                partition.partition(wrapper.wrap(record));
                writer.write(record, table.spec(), partition);
                rows++;
            }
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rewrite " + table.name(), e);
        }
        DataWriteResult written = writer.result();
        table.newRewrite()
                .validateFromSnapshot(start.snapshotId())
                .dataSequenceNumber(start.sequenceNumber())
                .rewriteFiles(oldData, oldDeletes, new HashSet<>(written.dataFiles()), Set.of())
                .set("lakestream.maintenance", "delete-file-compaction")
                .commit();
        return new Result(rows, oldData.size(), oldDeletes.size(), written.dataFiles().size());
    }
}
