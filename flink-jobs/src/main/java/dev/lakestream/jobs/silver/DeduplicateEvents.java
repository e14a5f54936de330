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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the first silver row of each business key (event id) and drops later copies: client
 * retries and at-least-once producers never double count. Keyed by event id.
 *
 * <p>The state is one {@code long} per key (when the key was first seen, epoch millis), kept for
 * {@code silver.dedup-ttl} of processing time after it was written, then removed by RocksDB
 * compaction. It is part of every checkpoint and savepoint, so a copy arriving after a restart
 * is still dropped; a copy arriving after the TTL is kept.
 *
 * <p>Ids first seen since the last checkpoint are held on the heap ({@code pending}) and written to
 * the state before every snapshot, in the state backend's key order, or as soon as {@code
 * maxPending} are held. Why: nearly every id is new, so each record costs a RocksDB lookup that
 * finds nothing. Written as they came, the ids of the current checkpoint interval fill RocksDB's
 * memtable, and that lookup walked its skip list (a third of deduplication's CPU); held back, the
 * memtable is empty between checkpoints (each incremental checkpoint flushes it) and a miss costs
 * the SST files' bloom filters only. Snapshots hold every id the operator has seen, as before, and
 * the state's name and type are unchanged, so savepoints restore across the change. An id's TTL
 * starts when it is written, at most one checkpoint interval after it was first seen.
 *
 * <p>Metrics: {@code silverRecordsOut}, {@code silverDuplicatesDropped}.
 */
public final class DeduplicateEvents extends AbstractStreamOperator<RowData>
        implements OneInputStreamOperator<RowData, RowData> {

    private static final long serialVersionUID = 1L;

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "first-seen-millis";

    public static final String METRIC_OUT = "silverRecordsOut";
    public static final String METRIC_DUPLICATES = "silverDuplicatesDropped";

    /**
     * RocksDB's order of our keys: key group, then the key as Flink's string serializer writes it
     * (length first, then the characters). Inserting in that order lets the memtable append where
     * its last insert ended instead of searching for each key. Exact for ASCII ids; only the speed
     * of the writes depends on it.
     */
    static final Comparator<Map.Entry<String, Pending>> STATE_ORDER =
            Comparator.<Map.Entry<String, Pending>>comparingInt(e -> e.getValue().keyGroup)
                    .thenComparingInt(e -> e.getKey().length())
                    .thenComparing(Map.Entry::getKey);

    private final Duration ttl;
    private final int maxPending;

    private transient ValueState<Long> firstSeen;
    private transient int maxParallelism;
    private transient Map<String, Pending> pending;
    private transient Counter out;
    private transient Counter duplicates;

    /** An id seen since the last write to the state. */
    static final class Pending {
        final long firstSeenMillis;
        final int keyGroup;

        Pending(long firstSeenMillis, int keyGroup) {
            this.firstSeenMillis = firstSeenMillis;
            this.keyGroup = keyGroup;
        }
    }

    /**
     * @param ttl how long an id is remembered once written to the state
     * @param maxPending ids held on the heap before they are written, at least 1
     */
    public DeduplicateEvents(Duration ttl, int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("Deduplication must hold at least one pending id, not " + maxPending);
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
        maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        pending = new HashMap<>();
        out = getMetricGroup().counter(METRIC_OUT);
        duplicates = getMetricGroup().counter(METRIC_DUPLICATES);
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        String id = (String) getCurrentKey();
        if (pending.containsKey(id) || firstSeen.value() != null) {
            duplicates.inc();
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (maxPending == 1) {
            firstSeen.update(now); // nothing held: the current key is this id's
        } else {
            pending.put(id, new Pending(now, KeyGroupRangeAssignment.assignToKeyGroup(id, maxParallelism)));
        }
        out.inc();
        output.collect(element);
        if (pending.size() >= maxPending) {
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

    /** Writes every pending id to the state, in {@link #STATE_ORDER}, and forgets them. */
    private void writePending() throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Pending>> ids = new ArrayList<>(pending.entrySet());
        ids.sort(STATE_ORDER);
        for (Map.Entry<String, Pending> id : ids) {
            setCurrentKey(id.getKey());
            firstSeen.update(id.getValue().firstSeenMillis);
        }
        pending.clear();
    }

    /** Ids held on the heap, not yet in the state: for tests. */
    int pendingIds() {
        return pending.size();
    }
}
