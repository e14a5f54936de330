package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replay safety for append-only gold tables, whose rows are derived (sessions, feature log) and so
 * carry no source coordinates. A row is identified by its entity and its start column (a session's
 * user and start; a feature log's entity and time). It is emitted when the event-time watermark
 * passes its time column (the session's end; for a point in time, the start column itself), and
 * each commit records the watermark the table is complete up to ({@link
 * CommitWatermarks#WATERMARK_MS}, the minimum over the writers). So at start, with {@code W} the highest watermark a commit of the branch's history
 * recorded:
 *
 * <ul>
 *   <li>a row whose time is at or before {@code W} minus a horizon (the longest delay between a
 *       row's time and the watermark that writes it: allowed lateness, session gap) is in the table
 *       already: dropped;
 *   <li>a later row may be there too (a writer whose watermark was ahead of the slowest one, a row
 *       written on a held-back watermark): dropped if the table holds a row of the same entity
 *       and start;
 *   <li>anything else is new.
 * </ul>
 *
 * <p>The stored row of the same start may end before the horizon: a replay does not decide
 * lateness exactly as the first run did (the watermark restarts after a restore, and partitions
 * interleave differently), so an event dropped as late the first time can join its session in the
 * replay, which then ends later. The guard therefore indexes the rows that end after the horizon
 * at start, and the rows that end after a replayed row's start when one starts before the horizon
 * (in whole hours, read from the table's head at start): a row never ends before it starts.
 *
 * <p>A restore from an older savepoint, or a replay, thus appends each derived row once. The
 * columns are declared by the table spec ({@link GoldTables#REPLAY_KEY}, {@link
 * GoldTables#REPLAY_START}, {@link GoldTables#REPLAY_TIME}).
 *
 * <p>The guard only acts when the run replays: it keeps the job id and checkpoint id of each
 * checkpoint in its state, and a run restored from the checkpoint (or savepoint) that the table's
 * newest commit came from writes everything. That matters when the restored job's definitions
 * changed (an upgrade that adds a feature window writes rows for past times the earlier version
 * never wrote, and they must not be taken for replays).
 */
public final class EventTimeReplayGuard extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventTimeReplayGuard.class);
    private static final long HOUR_MICROS = 3_600_000_000L;

    private final TableLoader loader;
    private final String branch;
    private final List<String> keyColumns;
    private final String startColumn;
    private final String timeColumn;
    private final int[] keyIndexes;
    private final int startIndex;
    private final int timeIndex;
    private final List<Types.NestedField> columns;
    private final long horizonMicros;

    private static final ListStateDescriptor<String> LAST_CHECKPOINT =
            new ListStateDescriptor<>("last-checkpoint", StringSerializer.INSTANCE);

    private transient ListState<String> lastCheckpoint;
    private transient String restoredFrom;
    private transient String jobId;
    private transient long watermarkMicros;
    private transient boolean hasWatermark;
    private transient Counter skipped;
    /** Open while the guard acts: stored rows are indexed from the head snapshot on demand. */
    private transient TableLoader tableLoader;
    private transient Table table;
    private transient long headSnapshotId;
    /** Entity and start (micros) of the table's rows that end at or after {@link #indexedFrom}. */
    private transient Set<List<Object>> stored;
    /** Every row of the table whose time is at or after this is in {@link #stored}. */
    private transient long indexedFrom;

    /**
     * @param keyColumns the entity columns
     * @param startColumn the timestamp column that identifies a row with the entity, at or before its
     *     time ({@code timeColumn} itself for a point in time)
     * @param timeColumn the timestamp column the watermark has passed when the row is written
     * @param horizon how far before the committed watermark rows are still looked up rather than
     *     dropped by time: at least the longest delay between a row's time and the watermark that
     *     writes it (allowed lateness, session gap)
     */
    public EventTimeReplayGuard(TableLoader loader, String branch, List<Types.NestedField> columns, List<String> keyColumns,
            String startColumn, String timeColumn, java.time.Duration horizon) {
        this.loader = loader;
        this.horizonMicros = Math.multiplyExact(horizon.toMillis(), 1000L);
        this.branch = branch;
        this.columns = List.copyOf(columns);
        this.keyColumns = List.copyOf(keyColumns);
        this.startColumn = startColumn;
        this.timeColumn = timeColumn;
        this.keyIndexes = new int[keyColumns.size()];
        for (int i = 0; i < keyColumns.size(); i++) {
            keyIndexes[i] = index(columns, keyColumns.get(i));
        }
        this.startIndex = index(columns, startColumn);
        this.timeIndex = index(columns, timeColumn);
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    private static int index(List<Types.NestedField> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("replay column " + name + " is not a column of the table: " + columns);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Union: after a rescale every subtask sees the checkpoint the state came from.
        lastCheckpoint = context.getOperatorStateStore().getUnionListState(LAST_CHECKPOINT);
        restoredFrom = null;
        if (context.isRestored()) {
            for (String entry : lastCheckpoint.get()) {
                restoredFrom = entry;
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        lastCheckpoint.update(List.of(jobId + ":" + context.getCheckpointId()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        jobId = getContainingTask().getEnvironment().getJobID().toString();
        skipped = getMetricGroup().counter("replaySkippedRecords");
        stored = new HashSet<>();
        hasWatermark = false;
        TableLoader own = loader.clone();
        // Kept open (and closed by close()) only while the guard may index more rows.
        boolean keepOpen = false;
        try {
            own.open();
            Table loaded = own.loadTable();
            Snapshot head = loaded.snapshot(branch);
            if (resumesNewestCommit(loaded, head)) {
                LOG.info("{} (branch {}): restored from {}, the checkpoint of its newest commit: nothing is replayed",
                        loaded.name(), branch, restoredFrom);
                return;
            }
            // The highest watermark any commit recorded: rows are never removed from an append-only
            // table, so it stays complete up to it even when a restored older run commits lower ones.
            Long watermarkMs = null;
            for (Snapshot s : history(loaded, head)) {
                String value = s.summary() == null ? null : s.summary().get(CommitWatermarks.WATERMARK_MS);
                if (value != null) {
                    watermarkMs = watermarkMs == null ? Long.parseLong(value) : Math.max(watermarkMs, Long.parseLong(value));
                }
            }
            if (watermarkMs == null) {
                LOG.info("{} (branch {}) has no committed watermark: every row is written", loaded.name(), branch);
                return;
            }
            hasWatermark = true;
            // Dropped by time only well before the watermark; the later rows are looked up by entity and start.
            watermarkMicros = watermarkMs == Long.MAX_VALUE ? Long.MAX_VALUE : Math.multiplyExact(watermarkMs, 1000L) - horizonMicros;
            if (watermarkMicros != Long.MAX_VALUE) {
                table = loaded;
                headSnapshotId = head.snapshotId();
                indexedFrom = watermarkMicros + 1;
                int indexed = index(Expressions.greaterThanOrEqual(timeColumn, indexedFrom));
                LOG.info("{} (branch {}) is complete up to watermark {} ms; it holds {} rows in the {} ms before it and after:"
                        + " replayed rows are skipped", table.name(), branch, watermarkMs, indexed, horizonMicros / 1000);
                tableLoader = own;
                keepOpen = true;
            }
        } catch (IOException e) {
            throw new IOException("Cannot read what " + loader + " already holds", e);
        } finally {
            if (!keepOpen) {
                own.close();
            }
        }
    }

    /** Adds the entity and start of the head's rows matching {@code filter} to {@link #stored}; returns how many rows. */
    private int index(org.apache.iceberg.expressions.Expression filter) throws IOException {
        List<String> selected = new ArrayList<>(keyColumns);
        selected.add(startColumn);
        int rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(headSnapshotId).where(filter)
                .select(selected).build()) {
            for (Record r : records) {
                List<Object> key = new ArrayList<>(keyColumns.size() + 1);
                for (String c : keyColumns) {
                    key.add(normalize(r.getField(c)));
                }
                key.add(normalize(r.getField(startColumn)));
                stored.add(key);
                rows++;
            }
        }
        return rows;
    }

    /** Indexes the rows ending at or after {@code start} too, from the start of its hour. */
    private void indexFrom(long start) throws IOException {
        long from = Math.floorDiv(start, HOUR_MICROS) * HOUR_MICROS;
        int indexed = index(Expressions.and(Expressions.greaterThanOrEqual(timeColumn, from),
                Expressions.lessThan(timeColumn, indexedFrom)));
        LOG.info("{} (branch {}): a replayed row starts at {}; indexed the {} rows ending from {} on", table.name(), branch,
                java.time.Instant.EPOCH.plus(start, ChronoUnit.MICROS), indexed, java.time.Instant.EPOCH.plus(from, ChronoUnit.MICROS));
        indexedFrom = from;
    }

    /** Whether the restored checkpoint is the one the table's newest Flink commit came from (or a later one of that job). */
    private boolean resumesNewestCommit(Table table, Snapshot head) {
        if (restoredFrom == null) {
            return false;
        }
        int colon = restoredFrom.lastIndexOf(':');
        String restoredJob = restoredFrom.substring(0, colon);
        long restoredCheckpoint = Long.parseLong(restoredFrom.substring(colon + 1));
        for (Snapshot s : history(table, head)) {
            String committedJob = s.summary() == null ? null : s.summary().get(CommitWatermarks.JOB_ID_PROPERTY);
            String committedCheckpoint = s.summary() == null ? null : s.summary().get(CommitWatermarks.CHECKPOINT_ID_PROPERTY);
            if (committedJob != null && committedCheckpoint != null) {
                return committedJob.equals(restoredJob) && Long.parseLong(committedCheckpoint) <= restoredCheckpoint;
            }
        }
        // No Flink commit yet: nothing to replay over.
        return true;
    }

    /** {@code head} and its ancestors, newest first; nothing for a branch without snapshots. */
    private static Iterable<Snapshot> history(Table table, Snapshot head) {
        return head == null ? List.of() : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot);
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws IOException {
        if (hasWatermark) {
            RowData row = element.getValue();
            long time = micros(row.getTimestamp(timeIndex, 6));
            if (time <= watermarkMicros) {
                skipped.inc();
                return;
            }
            long start = micros(row.getTimestamp(startIndex, 6));
            if (start < indexedFrom) {
                indexFrom(start);
            }
            List<Object> key = key(row);
            key.add(start);
            if (stored.contains(key)) {
                skipped.inc();
                return;
            }
        }
        output.collect(element);
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (tableLoader != null) {
                tableLoader.close();
                tableLoader = null;
            }
        }
    }

    private List<Object> key(RowData row) {
        List<Object> key = new ArrayList<>(keyIndexes.length + 1);
        for (int i : keyIndexes) {
            Types.NestedField field = columns.get(i);
            Object value;
            switch (field.type().typeId()) {
                case LONG:
                    value = row.getLong(i);
                    break;
                case INTEGER:
                    value = (long) row.getInt(i);
                    break;
                case STRING:
                    value = row.getString(i).toString();
                    break;
                case TIMESTAMP:
                    value = micros(row.getTimestamp(i, 6));
                    break;
                default:
                    throw new IllegalStateException("replay key column " + field.name() + " has unsupported type " + field.type());
            }
            key.add(value);
        }
        return key;
    }

    /** Generic records hold timestamps as LocalDateTime, ints as Integer: the same forms as {@link #key} and {@link #micros}. */
    private static Object normalize(Object value) {
        if (value instanceof LocalDateTime) {
            return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), (LocalDateTime) value);
        }
        if (value instanceof Integer) {
            return ((Integer) value).longValue();
        }
        if (value instanceof CharSequence) {
            return value.toString();
        }
        return value;
    }

    private static long micros(TimestampData ts) {
        return ts.getMillisecond() * 1000L + ts.getNanoOfMillisecond() / 1000;
    }
}
