package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.commits.SourceRanges;

import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes a table's writes replay-safe. Runs right in front of its Iceberg writers, chained.
 *
 * <ul>
 *   <li>At start (a first start, a restore from any checkpoint or savepoint, a replay from older
 *       offsets) it reads the source ranges the table already holds ({@link SourceRanges}, from
 *       the newest commit) and drops every record inside them: a restored older savepoint, a
 *       stateless restart or a replay of committed offsets adds no row twice. The upstream
 *       operators still see every record, so their state (deduplication, windows) is rebuilt as it
 *       was.
 *   <li>At each checkpoint it writes, per source partition, the lowest and highest position it has
 *       seen since it started to a stamp file; the committer of that checkpoint ({@link
 *       CommitStampingTableLoader}) adds them to the ranges in the commit's summary.
 * </ul>
 *
 * <p>Why lowest-to-highest is a range the table holds: within one run each partition is read in
 * order from where the run started, and at an aligned checkpoint every record read before the
 * barrier has reached the writers of every table. So every record of the partition between the
 * first and the last seen (over all subtasks) has reached the table it belongs in by the time that
 * checkpoint commits; records routed to another table (quarantine instead of silver) or dropped as
 * duplicates are accounted for there.
 *
 * <p>A stamp that cannot be written fails the checkpoint: committing without it would leave rows
 * outside the recorded ranges, and a later replay would add them again.
 */
public final class ReplayGuard extends AbstractStreamOperator<RowData>
        implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplayGuard.class);

    /** Stamp folder under the table's metadata. */
    static final String STAMPS_FOLDER = "lakestream-source-ranges";

    private final TableLoader loader;
    private final String branch;
    private final ReplayKey key;
    private final FileIO io;
    private final String directory;

    private transient SourceRanges committed;
    private transient Map<String, BigInteger[]> seen;
    /** Kafka partitions (int partition, long offset), tracked without per-record allocation. */
    private transient Map<String, LongPartition> seenLong;
    /** The partition of the previous record: consecutive records mostly share it. */
    private transient LongPartition last;
    private transient Counter skipped;
    private transient Counter passed;
    private transient String jobId;
    private transient String tableName;

    /**
     * @param loader the table's loader (cloned and closed again at start)
     * @param branch the branch the sink commits to
     * @param io the table's FileIO, for stamps
     * @param directory {@link #directory(Table)}
     */
    public ReplayGuard(TableLoader loader, String branch, ReplayKey key, FileIO io, String directory) {
        this.loader = loader;
        this.branch = branch;
        this.key = key;
        this.io = io;
        this.directory = directory;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    /** Where a table's range stamps go. */
    public static String directory(Table table) {
        return CommitWatermarks.directory(table, STAMPS_FOLDER);
    }

    @Override
    public void open() throws Exception {
        super.open();
        jobId = getContainingTask().getEnvironment().getJobID().toString();
        seen = new HashMap<>();
        seenLong = new HashMap<>();
        last = null;
        skipped = getMetricGroup().counter("replaySkippedRecords");
        passed = getMetricGroup().counter("replayGuardPassedRecords");
        try (TableLoader own = loader.clone()) {
            own.open();
            Table table = own.loadTable();
            tableName = table.name();
            committed = SourceRanges.committed(table, branch);
            if (!SnapshotRef.MAIN_BRANCH.equals(branch)) {
                // A backfill branch must not add what main has gained since the branch was made.
                committed.addAll(SourceRanges.committed(table, SnapshotRef.MAIN_BRANCH));
            }
        } catch (IOException e) {
            throw new IOException("Cannot read the committed source ranges of " + loader, e);
        }
        if (committed.isEmpty()) {
            LOG.info("{} (branch {}) holds no recorded source ranges: every record is written", tableName, branch);
        } else {
            LOG.info("{} (branch {}) already holds source ranges {}: records inside them are skipped", tableName, branch, committed);
        }
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        RowData row = element.getValue();
        if (key.intPartitionsAndLongPositions()) {
            processLongPosition(element, row);
            return;
        }
        if (key.textPartitionsAndPositions() && key.hasCoordinates(row)) {
            long position = key.shortDecimalPosition(row);
            if (position >= 0) {
                processTextPartition(element, row, position);
                return;
            }
        }
        String partition = key.partitionKey(row);
        BigInteger position = partition == null ? null : key.position(row);
        if (position == null) {
            passed.inc();
            output.collect(element);
            return;
        }
        BigInteger[] range = seen.get(partition);
        if (range == null) {
            seen.put(partition, new BigInteger[] {position, position});
        } else {
            if (position.compareTo(range[0]) < 0) {
                range[0] = position;
            }
            if (position.compareTo(range[1]) > 0) {
                range[1] = position;
            }
        }
        if (committed.covers(partition, position)) {
            skipped.inc();
            return;
        }
        passed.inc();
        output.collect(element);
    }

    /**
     * The same as the general path for Kafka coordinates, without a key string and a BigInteger
     * per record (the profile of the bronze pipeline showed them): the partition's tracker is found
     * by the row's source bytes and partition number, and offsets compare as longs.
     */
    private void processLongPosition(StreamRecord<RowData> element, RowData row) {
        if (!key.hasCoordinates(row)) {
            passed.inc();
            output.collect(element);
            return;
        }
        StringData source = key.source(row);
        int partition = key.intPartition(row);
        LongPartition p = last;
        if (p == null || p.partitionText != null || p.partition != partition || !p.source.equals(source)) {
            p = tracker(source, partition, null);
            last = p;
        }
        track(element, p, key.longPosition(row));
    }

    /**
     * The same for text coordinates (silver) whose position is a short decimal number: the
     * partition's tracker is found by the row's source and partition bytes.
     */
    private void processTextPartition(StreamRecord<RowData> element, RowData row, long position) {
        StringData source = key.source(row);
        StringData partition = key.textPartition(row);
        LongPartition p = last;
        if (p == null || !partition.equals(p.partitionText) || !p.source.equals(source)) {
            p = tracker(source, -1, partition);
            last = p;
        }
        track(element, p, position);
    }

    private void track(StreamRecord<RowData> element, LongPartition p, long position) {
        p.lo = Math.min(p.lo, position);
        p.hi = Math.max(p.hi, position);
        if (p.covers(position, committed)) {
            skipped.inc();
            return;
        }
        passed.inc();
        output.collect(element);
    }

    /** The tracker of a Kafka partition ({@code partitionText} null) or of a text partition, made on first sight. */
    private LongPartition tracker(StringData source, int partition, StringData partitionText) {
        String partitionKey = SourceRanges.partitionKey(source.toString(),
                partitionText == null ? Integer.toString(partition) : partitionText.toString());
        LongPartition p = seenLong.get(partitionKey);
        if (p == null) {
            // Copies: the row's strings may point into a buffer the next record reuses.
            p = new LongPartition(StringData.fromString(source.toString()), partition,
                    partitionText == null ? null : StringData.fromString(partitionText.toString()), partitionKey,
                    committed.ranges(partitionKey));
            seenLong.put(partitionKey, p);
        }
        return p;
    }

    /**
     * One partition whose positions are longs (a Kafka partition, or a text partition while its
     * positions are short decimals): the lowest and highest seen, and the committed ranges as longs.
     */
    private static final class LongPartition {
        final StringData source;
        /** The Kafka partition number; -1 for a text partition. */
        final int partition;
        /** The text partition; null for a Kafka partition. */
        final StringData partitionText;
        final String key;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        /** {lo, hi} pairs; null when a committed bound does not fit a long (then SourceRanges decides). */
        final long[] committed;

        LongPartition(StringData source, int partition, StringData partitionText, String key,
                java.util.List<BigInteger[]> ranges) {
            this.source = source;
            this.partition = partition;
            this.partitionText = partitionText;
            this.key = key;
            long[] c = new long[ranges.size() * 2];
            boolean fits = true;
            for (int i = 0; i < ranges.size(); i++) {
                BigInteger[] r = ranges.get(i);
                fits &= r[0].bitLength() < 64 && r[1].bitLength() < 64;
                if (fits) {
                    c[2 * i] = r[0].longValue();
                    c[2 * i + 1] = r[1].longValue();
                }
            }
            this.committed = fits ? c : null;
        }

        boolean covers(long position, SourceRanges all) {
            if (committed == null) {
                return all.covers(key, BigInteger.valueOf(position));
            }
            for (int i = 0; i < committed.length; i += 2) {
                if (committed[i] <= position && position <= committed[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        boolean seenAny() {
            return lo <= hi;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        writeStamp(context.getCheckpointId());
    }

    /**
     * At the end of a bounded run (a backfill) Iceberg's committer commits what is left under
     * checkpoint id {@code Long.MAX_VALUE}, after every operator in front of it has ended.
     */
    @Override
    public void endInput() throws Exception {
        writeStamp(Long.MAX_VALUE);
    }

    private void writeStamp(long checkpointId) throws IOException {
        // A partition's lowest and highest position, whichever way they were tracked (a text partition
        // can have long and longer positions both).
        Map<String, BigInteger[]> bounds = new HashMap<>();
        seen.forEach((p, r) -> bounds.put(p, r.clone()));
        for (LongPartition p : seenLong.values()) {
            if (p.seenAny()) {
                bounds.merge(p.key, new BigInteger[] {BigInteger.valueOf(p.lo), BigInteger.valueOf(p.hi)},
                        (a, b) -> new BigInteger[] {a[0].min(b[0]), a[1].max(b[1])});
            }
        }
        SourceRanges run = SourceRanges.empty();
        bounds.forEach((p, r) -> run.add(p, r[0], r[1]));
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        String path = CommitWatermarks.stampPath(directory, jobId, checkpointId, subtask, parallelism);
        try {
            CommitWatermarks.write(io, path, run.toJson());
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot write the source-range stamp " + path + " of " + tableName
                    + ": checkpoint " + checkpointId + " is declined so that no commit goes unrecorded", e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            io.close();
        } finally {
            super.close();
        }
    }
}
