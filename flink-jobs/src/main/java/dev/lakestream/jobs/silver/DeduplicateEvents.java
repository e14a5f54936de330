package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryStringData;

import java.time.Duration;

/**
 * Keeps the first silver row of each business key (event id) and drops later copies: client
 * retries and at-least-once producers never double count. Keyed by event id.
 *
 * <p>The state is one {@code long} per key (when the key was first seen, epoch millis), kept for
 * {@code silver.dedup-ttl} of processing time after it was written, then removed by RocksDB
 * compaction. It is part of every checkpoint and savepoint, so a copy arriving after a restart
 * is still dropped; a copy arriving after the TTL is kept.
 *
 * <p>Ids first seen since the state was last written are held on the heap ({@link PendingIds}) and
 * written to the state before every snapshot, in the state backend's key order, or as soon as
 * {@code maxPending} are held. Why: nearly every id is new, so every record costs a RocksDB lookup
 * that finds nothing, and a write. Written as they come, the current interval's ids fill RocksDB's
 * memtable: the lookup and the write each walked its skip list to a random place, cache miss after
 * cache miss (a fifth of the full pipeline's CPU). Held back, the memtable stays empty between
 * checkpoints (each incremental checkpoint flushes it), a miss costs the SST files' bloom filters
 * only, and the sorted writes each land next to the one before. Snapshots hold every id the
 * operator has seen, as before, and the state's name and type are unchanged, so savepoints restore
 * across the change. An id's TTL starts when it is written: at most one checkpoint interval late.
 *
 * <p>Metrics: {@code silverRecordsOut}, {@code silverDuplicatesDropped}, {@code silverPendingIds}
 * (ids held now).
 */
public final class DeduplicateEvents extends AbstractStreamOperator<RowData>
        implements OneInputStreamOperator<RowData, RowData> {

    private static final long serialVersionUID = 1L;

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "first-seen-millis";

    public static final String METRIC_OUT = "silverRecordsOut";
    public static final String METRIC_DUPLICATES = "silverDuplicatesDropped";
    public static final String METRIC_PENDING = "silverPendingIds";

    private final Duration ttl;
    private final int maxPending;

    private transient ValueState<Long> firstSeen;
    private transient PendingIds pending;
    private transient int maxParallelism;
    private transient Counter out;
    private transient Counter duplicates;

    /**
     * @param ttl how long an id is remembered once written to the state
     * @param maxPending ids held on the heap before they are written; 1 writes each at once
     */
    public DeduplicateEvents(Duration ttl, int maxPending) {
        if (maxPending < 1 || maxPending > PendingIds.MAX_IDS) {
            throw new IllegalArgumentException(
                    "Deduplication holds between 1 and " + PendingIds.MAX_IDS + " pending ids, not " + maxPending);
        }
        this.ttl = ttl;
        this.maxPending = maxPending;
    }

    static ValueStateDescriptor<Long> stateDescriptor(Duration ttl) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>(STATE_NAME, Types.LONG);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void open() throws Exception {
        super.open();
        firstSeen = getRuntimeContext().getState(stateDescriptor(ttl));
        pending = maxPending > 1 ? new PendingIds(maxPending) : null;
        maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        out = getMetricGroup().counter(METRIC_OUT);
        duplicates = getMetricGroup().counter(METRIC_DUPLICATES);
        getMetricGroup().gauge(METRIC_PENDING, () -> pending == null ? 0 : pending.size());
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (pending == null) {
            if (firstSeen.value() != null) {
                duplicates.inc();
                return;
            }
            firstSeen.update(now);
        } else {
            // The row's id is the current key (SilverJob.EventIdSelector): its bytes, its String's hash.
            BinaryStringData id = (BinaryStringData) element.getValue().getString(0);
            id.ensureMaterialized();
            Object key = getCurrentKey();
            boolean added = pending.add(id.getSegments(), id.getOffset(), id.getSizeInBytes(), key.hashCode(),
                    KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism), now);
            if (!added) {
                duplicates.inc();
                return;
            }
            if (firstSeen.value() != null) {
                pending.removeLast();
                duplicates.inc();
                return;
            }
        }
        out.inc();
        output.collect(element);
        if (pending != null && pending.full()) {
            // The next record sets its own key: changing it here is safe.
            writePending();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        // Runs in the task thread before the keyed state backend's snapshot: the snapshot holds every id.
        writePending();
        super.snapshotState(context);
    }

    /** Writes every pending id to the state, in key order, and forgets them. */
    private void writePending() throws Exception {
        if (pending == null || pending.size() == 0) {
            return;
        }
        pending.drain((bytes, offset, length, firstSeenMillis) -> {
            // Decoded as the key selector decodes the row's id, so the key is the same string.
            setCurrentKey(BinaryStringData.fromBytes(bytes, offset, length).toString());
            firstSeen.update(firstSeenMillis);
        });
    }

    /** Ids held on the heap, not yet in the state: for tests. */
    int pendingIds() {
        return pending == null ? 0 : pending.size();
    }
}
