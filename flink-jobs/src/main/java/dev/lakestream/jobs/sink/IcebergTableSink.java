package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.jobs.cdc.SilverRecords;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.sink.dynamic.DynamicIcebergSink;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.types.Types;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Appends rows to a declared Iceberg table through Iceberg's Flink sink.
 *
 * <p>Exactly-once: data files are written between checkpoints and committed as one Iceberg
 * snapshot after the checkpoint completes. The committer records the Flink job id, its operator id
 * and the checkpoint id in the snapshot summary and, on restore, commits a checkpoint's files only
 * if no snapshot holds that checkpoint yet; the source positions restored with it are the ones the
 * snapshot covers. This holds as long as the committer's uid stays the same: changing {@link
 * #uidPrefix(TableSpec)} on an existing job makes the restore lose the pending commit.
 *
 * <p>Replay safety: tables whose rows carry source coordinates ({@link ReplayKey}: bronze, silver,
 * quarantine, late events) get a {@link ReplayGuard} in front of the writers, uid {@code
 * <prefix>-replay-guard}, and record in each commit the source ranges they hold ({@link
 * dev.lakestream.catalog.commits.SourceRanges}). The committer's own checkpoint bookkeeping only
 * knows the job and checkpoint ids; the ranges make a restore from an older savepoint, a stateless
 * restart and a replay of committed offsets skip what the table already holds.
 *
 * Append-only gold tables (sessions, feature log) get an {@link EventTimeReplayGuard} instead
 * (same uid), which skips rows at or before the table's committed watermark and rows it already
 * holds after it.
 *
 * <p>Gold commits also record the event-time watermark their data is complete up to ({@link
 * CommitWatermarks}): a {@link WatermarkStamp} in front of the writers, uid {@code
 * <prefix>-watermark-stamp}. Both kinds of stamps reach the commit through a committer table
 * loaded by {@link CommitStampingTableLoader}. The writer and committer uids stay as they were.
 *
 * <p>Commits go to {@code branch} ({@code main} unless a backfill writes to a branch of its own).
 *
 * <p>The table must exist (the catalog module provisions it); the sink never creates tables.
 */
public final class IcebergTableSink implements TableSink, CurrentStateSink {

    /** Snapshot summary key naming the job that wrote a snapshot. */
    public static final String SNAPSHOT_JOB_PROPERTY = "lakestream.job";

    /**
     * Keys an upsert table's {@link LatestRowPerKey} holds between checkpoints before it hands its rows
     * on early: a bound on heap (a few hundred bytes a row) for a checkpoint interval that touches
     * more keys than that.
     */
    static final int UPSERT_BUFFER_KEYS = 100_000;

    private final CatalogLoader catalogLoader;
    private final String jobName;
    private final String branch;
    private final java.time.Duration replayHorizon;

    /** Commits to the tables' main branch. */
    public IcebergTableSink(CatalogLoader catalogLoader, String jobName) {
        this(catalogLoader, jobName, SnapshotRef.MAIN_BRANCH);
    }

    /** Commits to {@code branch}; append-only gold tables look replayed rows up by key over {@link #DEFAULT_REPLAY_HORIZON}. */
    public IcebergTableSink(CatalogLoader catalogLoader, String jobName, String branch) {
        this(catalogLoader, jobName, branch, DEFAULT_REPLAY_HORIZON);
    }

    /** How far before their committed watermark append-only gold tables look replayed rows up by key, unless configured. */
    public static final java.time.Duration DEFAULT_REPLAY_HORIZON = java.time.Duration.ofHours(3);

    /**
     * Commits to {@code branch} of each table (it must exist: {@link
     * dev.lakestream.jobs.IngestionPipeline#provisionTables} makes it).
     *
     * @param replayHorizon see {@link EventTimeReplayGuard}: at least the longest delay between a gold
     *     row's time and the watermark that writes it
     */
    public IcebergTableSink(CatalogLoader catalogLoader, String jobName, String branch, java.time.Duration replayHorizon) {
        this.catalogLoader = catalogLoader;
        this.jobName = jobName;
        this.branch = branch;
        this.replayHorizon = replayHorizon;
    }

    /** Stable uid prefix of a table's writer and committer operators, e.g. {@code bronze-iceberg-kafka_orders}. */
    public static String uidPrefix(TableSpec table) {
        return table.layer().namespace() + "-iceberg-" + table.identifier().name();
    }

    @Override
    public DataStreamSink<?> write(TableSpec table, DataStream<RowData> rows) {
        TableLoader loader = TableLoader.fromCatalog(catalogLoader, table.identifier());
        Optional<ReplayKey> replayKey = ReplayKey.of(table);
        boolean gold = table.layer() == Layer.GOLD;
        int[] keyAt = keyPositions(table);
        boolean upsert = "true".equals(table.properties().get(TableProperties.UPSERT_ENABLED));
        String rowKey = table.properties().get(GoldTables.REPLAY_KEY);
        String rowStart = table.properties().get(GoldTables.REPLAY_START);
        String rowTime = table.properties().get(GoldTables.REPLAY_TIME);
        if ((rowKey == null || rowStart == null || rowTime == null) && (rowKey != null || rowStart != null || rowTime != null)) {
            // Half a declaration would silently leave the table without replay protection.
            throw new IllegalArgumentException(table.identifier() + " declares only some of its replay columns ("
                    + GoldTables.REPLAY_KEY + "=" + rowKey + ", " + GoldTables.REPLAY_START + "=" + rowStart + ", "
                    + GoldTables.REPLAY_TIME + "=" + rowTime + "): an append-only gold table needs all three, or none");
        }
        FlinkSink.Builder builder;
        if (gold || replayKey.isPresent()) {
            Table live = load(loader);
            FileIO io = SerializableTable.copyOf(live).io();
            CommitWatermarks.requireListing(io, table.identifier().toString());
            requireAlignedCheckpoints(rows, table);
            DataStream<RowData> input = rows;
            String watermarks = null;
            String ranges = null;
            if (replayKey.isPresent()) {
                ranges = ReplayGuard.directory(live);
                input = input
                        .transform("Replay guard " + table.identifier(), input.getType(),
                                new ReplayGuard(loader.clone(), branch, replayKey.get(), io, ranges))
                        .setParallelism(input.getParallelism())
                        .uid(uidPrefix(table) + "-replay-guard");
            }
            if (gold && rowKey != null) {
                input = input
                        .transform("Replay guard " + table.identifier(), input.getType(), new EventTimeReplayGuard(loader.clone(),
                                branch, table.schema().columns(), Arrays.asList(rowKey.split(",")), rowStart, rowTime,
                                replayHorizon))
                        .setParallelism(input.getParallelism())
                        .uid(uidPrefix(table) + "-replay-guard");
            }
            if (gold) {
                // Gold commits record the watermark they are complete up to (CommitWatermarks).
                watermarks = CommitWatermarks.directory(live);
                input = input
                        .transform("Watermark stamp " + table.identifier(), input.getType(), new WatermarkStamp<RowData>(io, watermarks))
                        .setParallelism(input.getParallelism())
                        .uid(uidPrefix(table) + "-watermark-stamp");
            }
            if (upsert && keyAt.length > 0) {
                input = input
                        .transform("Latest row per key " + table.identifier(), input.getType(),
                                new LatestRowPerKey(FlinkSchemaUtil.convert(table.schema()), keyAt, UPSERT_BUFFER_KEYS))
                        .setParallelism(input.getParallelism())
                        .uid(uidPrefix(table) + "-latest-row-per-key");
            }
            builder = FlinkSink.forRowData(input)
                    .table(live)
                    .tableLoader(new CommitStampingTableLoader(loader, watermarks, ranges));
        } else {
            builder = FlinkSink.forRowData(rows).tableLoader(loader);
        }
        List<String> key = new ArrayList<>();
        for (int i : keyAt) {
            key.add(table.schema().columns().get(i).name());
        }
        if (!key.isEmpty()) {
            // Upsert tables (gold windows): each row replaces the row of its key; rows are hashed on
            // the key so one writer owns each key. Other keyed tables are written by their callers
            // with explicit retractions.
            builder.equalityFieldColumns(key).upsert(upsert);
        }
        return builder
                // Rows are laid out as the spec declares; the sink maps them by column name onto the
                // live table, which may list columns in another order after evolution.
                .resolvedSchema(FlinkSchemaUtil.toResolvedSchema(table.schema()))
                .uidPrefix(uidPrefix(table))
                // Writers keep one open file per partition they see, so no shuffle is needed in front
                // of them (a hash on the day would put a whole day on one writer).
                .distributionMode(upsert ? DistributionMode.HASH : DistributionMode.NONE)
                .setSnapshotProperty(SNAPSHOT_JOB_PROPERTY, jobName)
                .toBranch(branch)
                .append()
                .name("Iceberg " + table.identifier());
    }

    /** The positions of the identifier (key) columns in the table's rows (laid out as the spec declares). */
    private static int[] keyPositions(TableSpec table) {
        List<Types.NestedField> columns = table.schema().columns();
        return java.util.stream.IntStream.range(0, columns.size())
                .filter(i -> table.schema().identifierFieldIds().contains(columns.get(i).fieldId())).toArray();
    }

    /** The table as it is now, through a loader of its own (the committer opens {@code loader} again). */
    private static Table load(TableLoader loader) {
        try (TableLoader probe = loader.clone()) {
            probe.open();
            return probe.loadTable();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the catalog after loading " + loader, e);
        }
    }

    /**
     * With unaligned checkpoints, rows in flight between a stamp and a writer it is not chained to
     * (keyed tables shuffle in front of their writers) belong to the next checkpoint's files while
     * the stamp already counted them: commits would claim a watermark or source ranges they do not
     * hold yet, and a replay after a restore would skip those rows.
     */
    private static void requireAlignedCheckpoints(DataStream<RowData> rows, TableSpec table) {
        if (rows.getExecutionEnvironment().getCheckpointConfig().isUnalignedCheckpointsEnabled()) {
            throw new IllegalStateException("Table " + table.identifier() + " records in each commit what it holds (a"
                    + " watermark or source ranges), which needs aligned checkpoints: disable execution.checkpointing.unaligned");
        }
    }

    /**
     * Current-state tables go through Iceberg's dynamic sink: rows keep the key's row kinds (-U/+U/-D
     * become equality deletes on the key, in the partition of the row they retract), and a row with
     * a column the table lacks adds the column (additively, through Iceberg's API) before it is
     * written. The dynamic sink's committer is exactly-once on checkpoints like FlinkSink's.
     */
    @Override
    public DataStreamSink<?> write(TableSpec table, DataStream<SilverChange> changes, SilverRecords records) {
        return DynamicIcebergSink.forInput(changes)
                .generator(records)
                .catalogLoader(catalogLoader)
                .writeParallelism(Math.max(1, changes.getParallelism()))
                .uidPrefix(uidPrefix(table))
                .setSnapshotProperty(SNAPSHOT_JOB_PROPERTY, jobName)
                .immediateTableUpdate(true)
                .append()
                .name("Iceberg " + table.identifier());
    }
}
