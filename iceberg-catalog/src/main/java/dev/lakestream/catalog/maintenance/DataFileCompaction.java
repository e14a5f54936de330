package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.BaseDeleteLoader;
import org.apache.iceberg.data.DeleteLoader;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.ClusteredDataWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriteResult;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.PartitionUtil;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.iceberg.util.StructLikeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Bin-pack compaction per partition that also applies row-level deletes: in each partition it
 * rewrites the data files that are too small, too large or have deletes into files of the target
 * size, and drops the partition's delete files once no remaining data file needs them. A compacted
 * upsert partition thus has no equality-delete file left (Redshift cannot apply them).
 *
 * <p>Safe beside a streaming writer that commits upserts, because the rewritten files keep the
 * <em>data sequence number of the snapshot the rewrite read</em> ({@code use-starting-sequence-number}):
 * an equality delete the writer commits meanwhile has a higher sequence number, so it still applies
 * to the rewritten rows; with a fresh sequence number the old version of an updated or deleted row
 * would come back. For the same reason Iceberg does not validate such a rewrite against concurrent
 * equality deletes (it would otherwise fail whenever the writer touched a rewritten partition). It
 * still fails on a concurrent position delete or removal of a rewritten file; the run then plans
 * again from the new snapshot, up to {@link #ATTEMPTS} times. A delete file is removed only when
 * every data file it applied to at the start was rewritten, so no row is resurrected.
 *
 * <p>Only Parquet data files are read (all our tables write Parquet).
 */
final class DataFileCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(DataFileCompaction.class);

    /** Plans, rewrites and commits at most this often per run when commits conflict. */
    static final int ATTEMPTS = 3;

    /** Snapshot summary key marking our maintenance commits. */
    static final String MAINTENANCE_PROPERTY = "lakestream.maintenance";

    /** Called between rewriting and committing; tests commit concurrent changes there. */
    interface BeforeCommit {
        void run(Table table);
    }

    private DataFileCompaction() {}

    /** What one run did. */
    static final class Result {
        final int partitionsRewritten;
        final int dataFilesRewritten;
        final int dataFilesWritten;
        final int deleteFilesRemoved;
        final long rows;
        final int conflicts;

        Result(int partitionsRewritten, int dataFilesRewritten, int dataFilesWritten, int deleteFilesRemoved, long rows,
                int conflicts) {
            this.partitionsRewritten = partitionsRewritten;
            this.dataFilesRewritten = dataFilesRewritten;
            this.dataFilesWritten = dataFilesWritten;
            this.deleteFilesRemoved = deleteFilesRemoved;
            this.rows = rows;
            this.conflicts = conflicts;
        }

        @Override
        public String toString() {
            return partitionsRewritten + " partitions: " + dataFilesRewritten + " data files and " + deleteFilesRemoved
                    + " delete files replaced by " + dataFilesWritten + " data files (" + rows + " rows"
                    + (conflicts > 0 ? ", " + conflicts + " commit conflicts retried" : "") + ")";
        }
    }

    static Result run(Table table, long targetFileSizeOverride, int minInputFiles) {
        return run(table, targetFileSizeOverride, minInputFiles, t -> {});
    }

    static Result run(Table table, long targetFileSizeOverride, int minInputFiles, BeforeCommit beforeCommit) {
        for (int attempt = 1; ; attempt++) {
            table.refresh();
            Plan plan = plan(table, targetFileSize(table, targetFileSizeOverride), minInputFiles);
            if (plan == null || plan.isEmpty()) {
                return new Result(0, 0, 0, 0, 0, attempt - 1);
            }
            Rewritten rewritten = rewrite(table, plan);
            beforeCommit.run(table);
            try {
                commit(table, plan, rewritten);
                return new Result(plan.partitions, plan.dataFiles.size(), rewritten.files.size(), plan.deleteFiles.size(),
                        rewritten.rows, attempt - 1);
            } catch (CommitStateUnknownException e) {
                // The files may be in the table now: never delete them.
                throw e;
            } catch (ValidationException | CommitFailedException e) {
                deleteQuietly(table, rewritten.files);
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("Compaction of " + table.name() + " conflicted with concurrent commits "
                            + ATTEMPTS + " times; the next run tries again", e);
                }
                LOG.info("Compaction of {} conflicted with a concurrent commit ({}); planning again", table.name(),
                        e.getMessage());
            } catch (RuntimeException e) {
                deleteQuietly(table, rewritten.files);
                throw e;
            }
        }
    }

    private static long targetFileSize(Table table, long override) {
        return override > 0 ? override : PropertyUtil.propertyAsLong(table.properties(),
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    }

    /** The data files of one partition and the delete files that are live in it. */
    private static final class PartitionFiles {
        final List<FileScanTask> tasks = new ArrayList<>();
        final List<DeleteFile> deletes = new ArrayList<>();
    }

    /** What a run rewrites, read at snapshot {@link #start}. */
    static final class Plan {
        final Snapshot start;
        /** Tasks to rewrite, clustered by spec and partition. */
        final List<FileScanTask> tasks = new ArrayList<>();
        final List<DataFile> dataFiles = new ArrayList<>();
        final List<DeleteFile> deleteFiles = new ArrayList<>();
        final long targetFileSize;
        int partitions;

        Plan(Snapshot start, long targetFileSize) {
            this.start = start;
            this.targetFileSize = targetFileSize;
        }

        boolean isEmpty() {
            return dataFiles.isEmpty() && deleteFiles.isEmpty();
        }
    }

    /**
     * Chooses, per partition, the data files to rewrite: those with deletes and those outside [75 %,
     * 180 %] of the target size (Iceberg's bin-pack defaults), when any of them has deletes or there
     * are at least {@code minInputFiles} of them. Files of the right size without deletes stay.
     * Returns null for a table without snapshot.
     */
    static Plan plan(Table table, long targetFileSize, int minInputFiles) {
        Snapshot start = table.currentSnapshot();
        if (start == null) {
            return null;
        }
        long minFileSize = targetFileSize * 3 / 4;
        long maxFileSize = targetFileSize * 9 / 5;
        Map<Integer, StructLikeMap<PartitionFiles>> bySpec = new HashMap<>();
        // Which data files each delete file applies to (by the scan's delete index, which also
        // prunes by column bounds), to drop only deletes that no remaining file needs.
        Map<String, List<String>> appliesTo = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).ignoreResiduals()
                .planFiles()) {
            for (FileScanTask task : tasks) {
                partition(bySpec, table, task.file()).tasks.add(task);
                for (DeleteFile delete : task.deletes()) {
                    appliesTo.computeIfAbsent(delete.location(), k -> new ArrayList<>()).add(task.file().location());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot plan " + table.name(), e);
        }
        // Every live delete file, including those that apply to no data file any more.
        for (ManifestFile manifest : start.deleteManifests(table.io())) {
            try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                for (DeleteFile delete : reader) {
                    partition(bySpec, table, delete).deletes.add(delete);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read delete manifest " + manifest.path() + " of " + table.name(), e);
            }
        }

        Plan plan = new Plan(start, targetFileSize);
        Set<String> rewritten = new HashSet<>();
        for (StructLikeMap<PartitionFiles> partitions : bySpec.values()) {
            for (PartitionFiles files : partitions.values()) {
                List<FileScanTask> candidates = new ArrayList<>();
                boolean hasDeletes = false;
                for (FileScanTask task : files.tasks) {
                    long size = task.file().fileSizeInBytes();
                    if (!task.deletes().isEmpty()) {
                        hasDeletes = true;
                        candidates.add(task);
                    } else if (size < minFileSize || size > maxFileSize) {
                        candidates.add(task);
                    }
                }
                if (hasDeletes || candidates.size() >= minInputFiles) {
                    plan.partitions++;
                    for (FileScanTask task : candidates) {
                        plan.tasks.add(task);
                        plan.dataFiles.add(task.file());
                        rewritten.add(task.file().location());
                    }
                }
            }
        }
        // A delete file goes once every data file it applied to is rewritten; one that applies to
        // none (all its rows were already gone) goes too.
        for (StructLikeMap<PartitionFiles> partitions : bySpec.values()) {
            for (PartitionFiles files : partitions.values()) {
                for (DeleteFile delete : files.deletes) {
                    if (rewritten.containsAll(appliesTo.getOrDefault(delete.location(), List.of()))) {
                        plan.deleteFiles.add(delete);
                    }
                }
            }
        }
        return plan;
    }

    private static PartitionFiles partition(Map<Integer, StructLikeMap<PartitionFiles>> bySpec, Table table,
            ContentFile<?> file) {
        PartitionSpec spec = table.specs().get(file.specId());
        return bySpec.computeIfAbsent(file.specId(), id -> StructLikeMap.create(spec.partitionType()))
                .computeIfAbsent(file.partition(), p -> new PartitionFiles());
    }

    /** Files written by a rewrite, not yet committed. */
    static final class Rewritten {
        final List<DataFile> files;
        final long rows;

        Rewritten(List<DataFile> files, long rows) {
            this.files = files;
            this.rows = rows;
        }
    }

    /** Writes the live rows of the plan's data files (deletes applied) to new files of the target size. */
    static Rewritten rewrite(Table table, Plan plan) {
        if (plan.tasks.isEmpty()) {
            return new Rewritten(List.of(), 0);
        }
        Schema schema = table.schema();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 0, plan.start.snapshotId())
                .format(FileFormat.PARQUET)
                .operationId("maintenance-" + UUID.randomUUID())
                .build();
        ClusteredDataWriter<Record> writer = new ClusteredDataWriter<>(
                new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET)
                        // Compacted files are what readers scan for long: Iceberg's default dictionary
                        // limit, not the small one the tables set for their streaming writers.
                        .writerProperties(Map.of(TableProperties.PARQUET_DICT_SIZE_BYTES,
                                String.valueOf(TableProperties.PARQUET_DICT_SIZE_BYTES_DEFAULT)))
                        .build(),
                files, table.io(), plan.targetFileSize);
        DeleteCache cache = new DeleteCache();
        long rows = 0;
        boolean closed = false;
        try {
            for (FileScanTask task : plan.tasks) {
                PartitionSpec spec = table.specs().get(task.file().specId());
                try (CloseableIterable<Record> records = liveRows(table, schema, task, cache)) {
                    for (Record record : records) {
                        writer.write(record, spec, task.file().partition());
                        rows++;
                    }
                }
            }
            writer.close();
            closed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rewrite the data files of " + table.name(), e);
        } finally {
            if (!closed) {
                try {
                    writer.close();
                    deleteQuietly(table, writer.result().dataFiles());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot close the compaction writer of {}: orphan-file removal takes its files later",
                            table.name(), e);
                }
            }
        }
        DataWriteResult result = writer.result();
        return new Rewritten(new ArrayList<>(result.dataFiles()), rows);
    }

    /** The rows of one data file that its delete files leave, as records of the table schema. */
    private static CloseableIterable<Record> liveRows(Table table, Schema schema, FileScanTask task, DeleteCache cache) {
        if (task.file().format() != FileFormat.PARQUET) {
            throw new IllegalStateException("Cannot compact " + table.name() + ": data file " + task.file().location()
                    + " is " + task.file().format() + ", only Parquet is read");
        }
        GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, schema, schema) {
            @Override
            protected DeleteLoader newDeleteLoader() {
                return new CachingDeleteLoader(this::loadInputFile, cache);
            }
        };
        Schema read = deletes.requiredSchema();
        Map<Integer, ?> constants = PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
        CloseableIterable<Record> rows = FormatModelRegistry.<Record, Object>readBuilder(FileFormat.PARQUET, Record.class,
                        table.io().newInputFile(task.file()))
                .project(read)
                .idToConstant(constants)
                .build();
        CloseableIterable<Record> live = deletes.filter(rows);
        if (read.columns().size() == schema.columns().size()) {
            return live;
        }
        // The delete filter reads _pos (and key columns) after the table's columns: drop them.
        int columns = schema.columns().size();
        return CloseableIterable.transform(live, r -> {
            GenericRecord copy = GenericRecord.create(schema);
            for (int i = 0; i < columns; i++) {
                copy.set(i, r.get(i));
            }
            return copy;
        });
    }

    /** Loaded delete files of one rewrite, up to {@link #MAX_BYTES} (estimated). */
    private static final class DeleteCache {
        static final long MAX_BYTES = 128L << 20;
        final Map<String, Object> values = new HashMap<>();
        long bytes;
    }

    /**
     * Reads each delete file once per rewrite: every data file of a partition sees the same
     * equality deletes, and reading them again per data file made compaction quadratic.
     */
    private static final class CachingDeleteLoader extends BaseDeleteLoader {
        private final DeleteCache cache;

        CachingDeleteLoader(Function<DeleteFile, InputFile> loadInputFile, DeleteCache cache) {
            super(loadInputFile);
            this.cache = cache;
        }

        @Override
        protected boolean canCache(long size) {
            synchronized (cache) {
                return cache.bytes + size <= DeleteCache.MAX_BYTES;
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        protected <V> V getOrLoad(String key, Supplier<V> valueSupplier, long valueSize) {
            synchronized (cache) {
                Object cached = cache.values.get(key);
                if (cached != null) {
                    return (V) cached;
                }
            }
            // Loaded outside the lock: the loader reads several delete files in parallel.
            V value = valueSupplier.get();
            synchronized (cache) {
                Object raced = cache.values.putIfAbsent(key, value);
                if (raced != null) {
                    return (V) raced;
                }
                cache.bytes += valueSize;
                return value;
            }
        }
    }

    private static void commit(Table table, Plan plan, Rewritten rewritten) {
        RewriteFiles rewrite = table.newRewrite()
                .validateFromSnapshot(plan.start.snapshotId())
                // Keep the start's sequence number: equality deletes committed since still apply.
                .dataSequenceNumber(plan.start.sequenceNumber())
                .set(MAINTENANCE_PROPERTY, "compaction");
        plan.dataFiles.forEach(rewrite::deleteFile);
        plan.deleteFiles.forEach(rewrite::deleteFile);
        rewritten.files.forEach(rewrite::addFile);
        rewrite.commit();
        LOG.info("Compacted {} from snapshot {}: {} data files and {} delete files in {} partitions replaced by {} data files"
                        + " ({} rows)", table.name(), plan.start.snapshotId(), plan.dataFiles.size(), plan.deleteFiles.size(),
                plan.partitions, rewritten.files.size(), rewritten.rows);
    }

    private static void deleteQuietly(Table table, List<DataFile> files) {
        for (DataFile file : files) {
            try {
                table.io().deleteFile(file.location());
            } catch (RuntimeException e) {
                LOG.warn("Cannot delete {} written by an aborted compaction of {}: orphan-file removal takes it later",
                        file.location(), table.name(), e);
            }
        }
    }

    /** For log lines: how many data and delete files the current snapshot holds. */
    static Map<String, Long> fileCounts(Table table) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Snapshot current = table.currentSnapshot();
        Map<String, String> summary = current == null ? Map.of() : current.summary();
        counts.put("data", Long.parseLong(summary.getOrDefault("total-data-files", "0")));
        counts.put("delete", Long.parseLong(summary.getOrDefault("total-delete-files", "0")));
        return counts;
    }
}
