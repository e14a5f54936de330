package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.LateEventRouter;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Rolling features of one {@link FeatureSet}, keyed by entity, on event time. Each input waits in
 * state until the watermark passes its event time; then, in event-time order, it is added to its
 * bucket and to the totals of every window that holds that bucket, and a row with all features as
 * of that time is emitted. A bucket leaves a window at an event-time timer (bucket start + window),
 * which subtracts it from that window's totals and emits a row too, so the output changes exactly
 * when a feature's value does. Inputs at the same time give one row.
 *
 * <p>Point in time: the row for time t counts exactly the inputs with event time {@code <= t}
 * (state applies them in event-time order), whatever order they arrived in, as long as they
 * arrived before the watermark passed them. Inputs that arrive after go to {@code late_events}.
 * That makes the rows the same on every replay of the same input.
 *
 * <p>State per entity (RocksDB): one entry per bucket with activity inside the longest window
 * ({@code long[]} of the measures); one summary entry (the definition's fingerprint, the number of
 * buckets, and every window's totals), which is a cache of the buckets: a new definition (another
 * window, an appended measure) rebuilds it from them on the entity's next timer; the inputs waiting
 * for the watermark; and the timers. When the last bucket leaves the longest window, the buckets and
 * the summary are gone: an entity without activity for longer than the longest window costs
 * nothing. State TTL (processing time, twice the longest window) is a backstop for entries no timer
 * will reach, e.g. buckets past a window that a new definition shortened.
 *
 * <p>Write-back: one watermark fires the timers of many times of an entity (a hot facility has
 * inputs at most milliseconds), and each used to read and write the summary and the input's bucket.
 * The summary and the buckets an entity's timers touch are kept in memory while a watermark's
 * timers fire and written once when they are done ({@link Operator}, which runs this function,
 * writes them after the watermark, before a snapshot, and whenever {@code maxOpen} entities are
 * open). Only timers change them, and timers fire only for a watermark, so nothing else reads them
 * meanwhile.
 *
 * <p>Firing interval: inputs wait grouped by entity and interval of event time ({@code
 * fireInterval}, aligned to the epoch, a divisor of the bucket), with one timer at the interval's
 * end. When it fires, the interval's inputs are applied time by time, in order, with a row for each
 * time, exactly as if each time had fired on its own: the rows are the same, written up to one
 * interval later. A timer per event time cost a RocksDB timer write, read and delete, and a
 * waiting entry, for nearly every input of a busy entity (event times are in milliseconds). A
 * bucket leaving a window inside an interval fires at its own time and first applies the
 * interval's inputs before it.
 *
 * <p>Inputs waiting for the watermark are held in memory too, and reach {@code pending} state only
 * when a snapshot is taken while they wait (they stay in memory, and their timer removes them from
 * state) or when {@code maxWaiting} inputs are held (they are written and dropped from memory).
 * An input that fires before the next snapshot, as in a backfill, costs no state access at all.
 * State can hold inputs that memory does not only for intervals up to {@code stateUpTo} (the
 * latest written and dropped, or found in state on restore), so only those look in state.
 *
 * <p>State written before the firing interval ({@code pending-by-time}: the inputs of one event
 * time each, with a timer at that time) is still read after a restore: such a timer takes its
 * time's inputs from it, until the watermark has passed the latest of them.
 *
 * <p>Metrics: {@code featureRows}, {@code featureKeysDropped}, {@code featureInputsOutsideWindows}
 * (counted in a bucket already past every window), {@code featureSummariesRebuilt}, {@code
 * goldLateEvents}.
 */
public final class RollingFeatures extends KeyedProcessFunction<String, FeatureInput, RowData> {

    private static final long serialVersionUID = 1L;

    /**
     * Entities kept in memory during one watermark's timers at most, each with its summary and the
     * buckets its timers touched; {@link #MAX_OPEN} times 16 buckets at most in all.
     */
    static final int MAX_OPEN = 4096;

    /**
     * Inputs held in memory at most, before they are written to state and dropped: the default of
     * {@code gold.features.waiting-inputs}.
     */
    public static final int DEFAULT_MAX_WAITING = 65_536;

    /** The default of {@code gold.features.firing-interval}. */
    public static final Duration DEFAULT_FIRE_INTERVAL = Duration.ofMinutes(1);

    /** Packed waiting input: event time, bucket time, then the measures' deltas. */
    private static final int TIME = 0;
    private static final int BUCKET_TIME = 1;
    private static final int DELTAS = 2;

    /** Summary layout: fingerprint, bucket count, then the totals window by window. */
    private static final int FINGERPRINT = 0;
    private static final int BUCKETS = 1;
    private static final int TOTALS = 2;

    private final FeatureSet<?> set;
    private final String dataset;
    private final long bucket;
    private final long[] windows;
    private final long longest;
    private final int measures;
    private final long fingerprint;
    private final int maxOpen;
    private final int maxWaiting;
    private final long fireInterval;
    /** Longs per packed waiting input. */
    private final int stride;

    /** Bucket start to the measures' sums of its inputs. */
    private transient MapState<Long, long[]> buckets;
    /** Fingerprint, bucket count, totals per window and measure ({@link #TOTALS} + w * measures + m). */
    private transient ValueState<long[]> summary;
    /** Interval end to its inputs, packed ({@link #TIME}, {@link #BUCKET_TIME}, {@link #DELTAS}), per input. */
    private transient MapState<Long, long[]> pending;
    /** State before the firing interval: event time to its inputs (bucket time, then the deltas, per input). */
    private transient MapState<Long, long[]> pendingByTime;
    private transient Counter rows;
    private transient Counter dropped;
    private transient Counter outside;
    private transient Counter rebuilt;
    private transient Counter late;
    /** The entities whose timers fired since the last write-back, in the order they were opened. */
    private transient Map<String, Open> open;
    /** Buckets held by the open entities. */
    private transient int openBuckets;
    /** Inputs waiting for the watermark, by entity and interval end: all of them, or with {@link #pending} up to {@link #stateUpTo}. */
    private transient Map<String, Map<Long, Waiting>> waiting;
    /** Inputs in {@link #waiting}. */
    private transient int waitingInputs;
    /** Pending state may hold inputs that {@link #waiting} does not for intervals ending up to this one. */
    private transient long stateUpTo;
    /** {@link #pendingByTime} may hold inputs for event times up to this one (restored state only). */
    private transient long byTimeUpTo;

    /**
     * The operator computing {@code set}'s features, keyed by entity.
     *
     * @param dataset the late-events dataset name of this set's input
     * @param maxWaiting inputs that wait for the watermark in memory at most
     * @param fireInterval event time whose inputs fire together; it must divide the set's bucket
     */
    public static KeyedProcessOperator<String, FeatureInput, RowData> operator(FeatureSet<?> set, String dataset,
            int maxWaiting, Duration fireInterval) {
        return new Operator(new RollingFeatures(set, dataset, MAX_OPEN, maxWaiting, fireInterval.toMillis()));
    }

    RollingFeatures(FeatureSet<?> set, String dataset, int maxOpen, int maxWaiting, long fireInterval) {
        if (maxOpen < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("maxOpen and maxWaiting must be at least 1, got " + maxOpen + " and " + maxWaiting);
        }
        if (fireInterval < 1 || set.bucketMillis() % fireInterval != 0) {
            throw new IllegalArgumentException(set.name() + ": the firing interval must be a positive divisor of the bucket ("
                    + set.bucketMillis() + " ms), got " + fireInterval + " ms");
        }
        this.maxOpen = maxOpen;
        this.maxWaiting = maxWaiting;
        this.fireInterval = fireInterval;
        this.set = set;
        this.dataset = dataset;
        this.bucket = set.bucketMillis();
        this.windows = set.windowMillis();
        this.longest = windows[windows.length - 1];
        this.measures = set.measureCount();
        this.stride = DELTAS + measures;
        long f = 17 * 31 + bucket;
        for (long w : windows) {
            f = f * 31 + w;
        }
        this.fingerprint = f * 31 + measures;
    }

    @Override
    public void open(Configuration parameters) {
        StateTtlConfig backstop = StateTtlConfig.newBuilder(Duration.ofMillis(2 * longest))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
        MapStateDescriptor<Long, long[]> b = new MapStateDescriptor<>("buckets", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        b.enableTimeToLive(backstop);
        ValueStateDescriptor<long[]> s = new ValueStateDescriptor<>("summary", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        s.enableTimeToLive(backstop);
        buckets = getRuntimeContext().getMapState(b);
        summary = getRuntimeContext().getState(s);
        pending = getRuntimeContext().getMapState(pendingDescriptor());
        pendingByTime = getRuntimeContext().getMapState(pendingByTimeDescriptor());
        rows = getRuntimeContext().getMetricGroup().counter("featureRows");
        dropped = getRuntimeContext().getMetricGroup().counter("featureKeysDropped");
        outside = getRuntimeContext().getMetricGroup().counter("featureInputsOutsideWindows");
        rebuilt = getRuntimeContext().getMetricGroup().counter("featureSummariesRebuilt");
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
        open = new LinkedHashMap<>();
        waiting = new HashMap<>();
        stateUpTo = Long.MIN_VALUE;
        byTimeUpTo = Long.MIN_VALUE;
    }

    static MapStateDescriptor<Long, long[]> pendingDescriptor() {
        return new MapStateDescriptor<>("pending-by-interval", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** Waiting inputs as state held them before the firing interval; read, never written. */
    static MapStateDescriptor<Long, long[]> pendingByTimeDescriptor() {
        return new MapStateDescriptor<>("pending", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The end of {@code time}'s interval, where its timer fires: the interval is (end - fireInterval, end]. */
    private long intervalEnd(long time) {
        return -Math.floorDiv(-time, fireInterval) * fireInterval;
    }

    @Override
    public void processElement(FeatureInput in, Context ctx, Collector<RowData> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (in.eventTsMillis <= watermark) {
            // Its row and later ones are out already: applying it now would make them differ on replay.
            late.inc();
            ctx.output(LateEventRouter.LATE, LateEventRouter.lateRow(dataset, in, watermark));
            return;
        }
        if (in.deltas == null || in.deltas.length != measures) {
            throw new IllegalArgumentException(set.name() + ": input " + in.eventId + " has "
                    + (in.deltas == null ? "no" : String.valueOf(in.deltas.length)) + " measures, the set declares " + measures);
        }
        long end = intervalEnd(in.eventTsMillis);
        Map<Long, Waiting> mine = waiting.computeIfAbsent(ctx.getCurrentKey(), k -> new HashMap<>());
        Waiting w = mine.get(end);
        if (w == null) {
            w = end <= stateUpTo ? fromState(end) : null;
            if (w == null) {
                w = new Waiting(stride);
            }
            mine.put(end, w);
            ctx.timerService().registerEventTimeTimer(end);
        }
        // Bucket times were capped at their event time when they arrived.
        w.add(in.eventTsMillis, Math.min(in.bucketTsMillis, in.eventTsMillis), in.deltas);
        waitingInputs++;
    }

    /** The current entity's inputs of the interval ending at {@code end} that state holds, now held in memory too; null if none. */
    private Waiting fromState(long end) throws Exception {
        long[] stored = pending.get(end);
        if (stored == null) {
            return null;
        }
        Waiting w = new Waiting(stride);
        w.set(stored);
        w.stored = true;
        waitingInputs += w.count();
        return w;
    }

    /**
     * The current entity's waiting inputs with event times up to {@code time}, in time order: from
     * the interval ending at or after it (in memory or state) and from the state kept by time. They
     * are removed from both; the interval's later inputs keep waiting.
     */
    private Waiting takeDue(String key, long time) throws Exception {
        long end = intervalEnd(time);
        Map<Long, Waiting> mine = waiting.get(key);
        Waiting w = mine == null ? null : mine.get(end);
        if (w == null && end <= stateUpTo) {
            w = fromState(end);
            if (w != null) {
                mine = waiting.computeIfAbsent(key, k -> new HashMap<>());
                mine.put(end, w);
            }
        }
        Waiting due = null;
        if (w != null) {
            w.sort();
            int dueLongs = w.size;
            if (time < end) {
                dueLongs = 0;
                while (dueLongs < w.size && w.packed[dueLongs + TIME] <= time) {
                    dueLongs += stride;
                }
            }
            if (dueLongs > 0) {
                waitingInputs -= dueLongs / stride;
                if (dueLongs == w.size) {
                    due = w;
                    mine.remove(end);
                    if (mine.isEmpty()) {
                        waiting.remove(key);
                    }
                    if (w.stored) {
                        pending.remove(end);
                    }
                } else {
                    due = new Waiting(stride);
                    due.set(Arrays.copyOf(w.packed, dueLongs));
                    // The later inputs wait on; state's copy (if any) is rewritten at the next store.
                    w.set(Arrays.copyOfRange(w.packed, dueLongs, w.size));
                    w.dirty = true;
                }
            }
        }
        if (time <= byTimeUpTo) {
            long[] old = pendingByTime.get(time);
            if (old != null) {
                pendingByTime.remove(time);
                if (due == null) {
                    due = new Waiting(stride);
                }
                for (int at = 0; at < old.length; at += 1 + measures) {
                    due.add(time, old[at], Arrays.copyOfRange(old, at + 1, at + 1 + measures));
                }
            }
        }
        return due;
    }

    /**
     * Writes the inputs held in memory that state does not have yet; with {@code drop}, also lets
     * go of them all (state holds them now).
     */
    void storeWaiting(Consumer<String> setKey, boolean drop) throws Exception {
        if (waiting == null) {
            return;
        }
        for (Map.Entry<String, Map<Long, Waiting>> entity : waiting.entrySet()) {
            boolean keySet = false;
            for (Map.Entry<Long, Waiting> t : entity.getValue().entrySet()) {
                Waiting w = t.getValue();
                if (w.dirty) {
                    if (!keySet) {
                        setKey.accept(entity.getKey());
                        keySet = true;
                    }
                    pending.put(t.getKey(), w.exact());
                    w.dirty = false;
                    w.stored = true;
                }
                if (drop) {
                    stateUpTo = Math.max(stateUpTo, t.getKey());
                }
            }
        }
        if (drop) {
            waiting.clear();
            waitingInputs = 0;
        }
    }

    boolean tooManyWaiting() {
        return waiting != null && waitingInputs >= maxWaiting;
    }

    /** After the timers of {@code watermark} fired: state holds no input memory lacks once every interval up to stateUpTo fired. */
    void firedUpTo(long watermark) {
        if (watermark >= stateUpTo) {
            stateUpTo = Long.MIN_VALUE;
        }
        if (watermark >= byTimeUpTo) {
            byTimeUpTo = Long.MIN_VALUE;
        }
    }

    /** Restored state may hold inputs of any interval up to the latest one in it, and by time up to the latest time. */
    void restoredUpTo(long latestPending, long latestByTime) {
        stateUpTo = Math.max(stateUpTo, latestPending);
        byTimeUpTo = Math.max(byTimeUpTo, latestByTime);
    }

    /** Inputs of one entity in one interval, held in memory until their timer fires. */
    private static final class Waiting {
        private final int stride;
        /** {@link #size} longs of packed inputs, then spare room; state's copy when stored and not dirty. */
        long[] packed;
        int size;
        /** State holds an entry for this interval, which the timer must remove. */
        boolean stored;
        /** {@link #packed} holds inputs that state does not. */
        boolean dirty;

        Waiting(int stride) {
            this.stride = stride;
        }

        void set(long[] inputs) {
            packed = inputs;
            size = inputs.length;
        }

        void add(long time, long bucketTime, long[] deltas) {
            if (packed == null) {
                packed = new long[stride];
            } else if (size + stride > packed.length) {
                // Doubling: a busy entity adds thousands of inputs to one interval.
                packed = Arrays.copyOf(packed, Math.max(size + stride, 2 * packed.length));
            }
            packed[size + TIME] = time;
            packed[size + BUCKET_TIME] = bucketTime;
            System.arraycopy(deltas, 0, packed, size + DELTAS, deltas.length);
            size += stride;
            dirty = true;
        }

        /** The packed inputs, without spare room. */
        long[] exact() {
            if (packed.length != size) {
                packed = Arrays.copyOf(packed, size);
            }
            return packed;
        }

        int count() {
            return size / stride;
        }

        long time(int input) {
            return packed[input * stride + TIME];
        }

        /** Sorts the inputs by event time (stable: inputs at one time keep their order). */
        void sort() {
            int n = count();
            boolean sorted = true;
            for (int i = 1; i < n && sorted; i++) {
                sorted = time(i - 1) <= time(i);
            }
            if (sorted) {
                return;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(time(a), time(b)));
            long[] out = new long[size];
            for (int i = 0; i < n; i++) {
                System.arraycopy(packed, order[i] * stride, out, i * stride, stride);
            }
            packed = out;
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        Open e = open.get(ctx.getCurrentKey());
        if (e == null) {
            e = load(time, ctx);
            open.put(ctx.getCurrentKey(), e);
        }
        Waiting due = takeDue(ctx.getCurrentKey(), time);
        int n = due == null ? 0 : due.count();
        int i = 0;
        // The interval's earlier times first, each as its own timer would have fired it (no bucket leaves
        // a window at them: windows end at bucket boundaries, which the interval divides), then this time.
        while (i < n && due.time(i) < time) {
            int j = i;
            while (j < n && due.time(j) == due.time(i)) {
                j++;
            }
            fire(due.time(i), due, i, j, time, e, ctx, out);
            i = j;
        }
        fire(time, due, i, n, time, e, ctx, out);
    }

    /**
     * One event time {@code t}: the buckets that leave a window at it (only at the timer's own time),
     * then its inputs {@code from} (inclusive) to {@code to} (exclusive) of {@code due}; a row if
     * anything changed.
     */
    private void fire(long t, Waiting due, int from, int to, long timerTime, Open e, OnTimerContext ctx,
            Collector<RowData> out) throws Exception {
        if (e.sum == null) {
            // A new entity, or one whose buckets all left: nothing counts yet.
            e.sum = new long[TOTALS + windows.length * measures];
            e.sum[FINGERPRINT] = fingerprint;
        }
        long[] sum = e.sum;
        boolean changed = t == timerTime && expire(t, e);
        if (from < to) {
            apply(due, from, to, t, timerTime, e, ctx);
            changed = true;
        }
        if (changed) {
            e.dirty = true;
            out.collect(set.row(ctx.getCurrentKey(), t, totals(sum), System.currentTimeMillis()));
            rows.inc();
        }
        if (sum[BUCKETS] == 0) {
            // No bucket is left: the summary goes too (inputs waiting for later times stay).
            for (int i = TOTALS; i < sum.length; i++) {
                if (sum[i] != 0) {
                    throw new IllegalStateException(set.name() + " of " + ctx.getCurrentKey() + " at " + t
                            + ": no bucket left but window totals " + Arrays.toString(sum));
                }
            }
            e.sum = null;
            e.dirty = true;
        }
    }

    /** The entity's summary as stored (rebuilt if the definition changed), before its first timer of a watermark. */
    private Open load(long time, OnTimerContext ctx) throws Exception {
        Open e = new Open();
        long[] stored = summary.value();
        e.stored = stored != null;
        if (stored != null && stored[FINGERPRINT] != fingerprint) {
            e.sum = rebuild(time, ctx);
            e.dirty = true;
        } else {
            e.sum = stored;
        }
        return e;
    }

    /**
     * Writes what the timers changed since the last call: the summary (or its removal once no bucket
     * is left) and the buckets of every open entity.
     *
     * @param setKey makes an entity the current key, for its state
     */
    void writeBack(Consumer<String> setKey) throws Exception {
        if (open == null || open.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Open> entry : open.entrySet()) {
            Open e = entry.getValue();
            setKey.accept(entry.getKey());
            for (Long start : e.changed) {
                long[] b = e.buckets.get(start);
                if (b == null) {
                    buckets.remove(start);
                } else {
                    buckets.put(start, b);
                }
            }
            if (e.dirty) {
                if (e.sum != null) {
                    summary.update(e.sum);
                } else if (e.stored) {
                    dropped.inc();
                    summary.clear();
                }
            }
        }
        open.clear();
        openBuckets = 0;
    }

    boolean full() {
        return open != null && (open.size() >= maxOpen || openBuckets >= 16 * maxOpen);
    }

    /** An entity's summary and the buckets its timers read or changed, until the next write-back. */
    private static final class Open {
        /** Null: the entity has no bucket. */
        long[] sum;
        /** Whether state held a summary when the entity was opened. */
        boolean stored;
        boolean dirty;
        /** Buckets read or changed, by start; a null value: none. */
        final Map<Long, long[]> buckets = new HashMap<>();
        /** Starts of the buckets to write back (to remove, when their value is null). */
        final Set<Long> changed = new HashSet<>();

        void set(long start, long[] values) {
            buckets.put(start, values);
            changed.add(start);
        }
    }

    private long[] bucket(Open e, long start) throws Exception {
        if (e.buckets.containsKey(start)) {
            return e.buckets.get(start);
        }
        long[] b = buckets.get(start);
        e.buckets.put(start, b);
        openBuckets++;
        return b;
    }

    /**
     * The summary as of just before {@code time}, summed from the buckets in state: after a new
     * definition (the fingerprint differs). Buckets past the (new) longest window are dropped.
     */
    private long[] rebuild(long time, OnTimerContext ctx) throws Exception {
        rebuilt.inc();
        long[] sum = new long[TOTALS + windows.length * measures];
        sum[FINGERPRINT] = fingerprint;
        List<Long> stale = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : buckets.entries()) {
            long start = e.getKey();
            if (start + longest < time) {
                stale.add(start);
                continue;
            }
            sum[BUCKETS]++;
            long[] values = fit(e.getValue());
            for (int w = 0; w < windows.length; w++) {
                long end = start + windows[w];
                if (end >= time) {
                    add(sum, TOTALS + w * measures, values, 0);
                    if (end > time) {
                        ctx.timerService().registerEventTimeTimer(end);
                    }
                }
            }
        }
        for (Long start : stale) {
            buckets.remove(start);
        }
        return sum;
    }

    /** Subtracts the buckets that leave a window at {@code time}; drops those that leave the longest. */
    private boolean expire(long time, Open e) throws Exception {
        long[] sum = e.sum;
        if (Math.floorMod(time, bucket) != 0 || sum[BUCKETS] == 0) {
            return false;
        }
        boolean changed = false;
        for (int w = 0; w < windows.length; w++) {
            long start = time - windows[w];
            long[] b = bucket(e, start);
            if (b != null) {
                long[] values = fit(b);
                for (int m = 0; m < measures; m++) {
                    sum[TOTALS + w * measures + m] = Math.subtractExact(sum[TOTALS + w * measures + m], values[m]);
                }
                changed = true;
                if (windows[w] == longest) {
                    e.set(start, null);
                    sum[BUCKETS]--;
                }
            }
        }
        return changed;
    }

    /** Applies inputs {@code from} to {@code to} of {@code due}, all at {@code time}, in the timer of {@code timerTime}. */
    private void apply(Waiting due, int from, int to, long time, long timerTime, Open e, OnTimerContext ctx) throws Exception {
        long[] sum = e.sum;
        long[] inputs = due.packed;
        for (int at = from * stride; at < to * stride; at += stride) {
            long start = Math.floorDiv(inputs[at + BUCKET_TIME], bucket) * bucket;
            if (start + longest <= time) {
                outside.inc();
                continue;
            }
            long[] b = bucket(e, start);
            boolean created = b == null;
            if (created) {
                b = new long[measures];
                sum[BUCKETS]++;
            } else {
                b = fit(b);
            }
            add(b, 0, inputs, at + DELTAS);
            e.set(start, b);
            for (int w = 0; w < windows.length; w++) {
                if (start + windows[w] > time) {
                    add(sum, TOTALS + w * measures, inputs, at + DELTAS);
                    // A bucket's leave times depend on its start only: registered once, when it is created
                    // (or by rebuild after a new definition), not again for every input. One at this very
                    // timer's time is the expiry this timer runs after its earlier times.
                    if (created && start + windows[w] > timerTime) {
                        ctx.timerService().registerEventTimeTimer(start + windows[w]);
                    }
                }
            }
        }
    }

    /** The totals of each window, as {@link FeatureSet#row} takes them. */
    private long[][] totals(long[] sum) {
        long[][] t = new long[windows.length][];
        for (int w = 0; w < windows.length; w++) {
            t[w] = Arrays.copyOfRange(sum, TOTALS + w * measures, TOTALS + (w + 1) * measures);
        }
        return t;
    }

    /** State written before a measure was appended to the set holds fewer values: the new ones start at 0. */
    private long[] fit(long[] values) {
        if (values.length == measures) {
            return values;
        }
        if (values.length > measures) {
            throw new IllegalStateException(set.name() + ": state holds " + values.length + " measures, the set declares "
                    + measures + ". Measures may be appended, never removed or reordered; replay into fresh state instead.");
        }
        return Arrays.copyOf(values, measures);
    }

    private void add(long[] into, int intoOffset, long[] from, int fromOffset) {
        for (int m = 0; m < measures; m++) {
            into[intoOffset + m] = Math.addExact(into[intoOffset + m], from[fromOffset + m]);
        }
    }

    /**
     * Runs {@link RollingFeatures} and writes its open entities back: after each watermark's
     * timers, before a snapshot (timers may be interrupted for one), and when {@code maxOpen} are
     * open; and its waiting inputs: before a snapshot, and when {@code maxWaiting} are held.
     */
    static final class Operator extends KeyedProcessOperator<String, FeatureInput, RowData> {
        private static final long serialVersionUID = 1L;

        private transient boolean restored;

        Operator(RollingFeatures function) {
            super(function);
        }

        private RollingFeatures features() {
            return (RollingFeatures) userFunction;
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            restored = context.isRestored();
        }

        @Override
        public void open() throws Exception {
            super.open();
            if (restored) {
                // Inputs restored into pending state are not in memory: find the latest, up to which inputs look in state.
                features().restoredUpTo(latestKey(pendingDescriptor()), latestKey(pendingByTimeDescriptor()));
            }
        }

        /** The latest map key of {@code descriptor}'s state over all entities. */
        private long latestKey(MapStateDescriptor<Long, long[]> descriptor) throws Exception {
            long[] latest = {Long.MIN_VALUE};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor,
                    (key, state) -> {
                        for (Long time : state.keys()) {
                            latest[0] = Math.max(latest[0], time);
                        }
                    });
            return latest[0];
        }

        @Override
        public void processElement(StreamRecord<FeatureInput> element) throws Exception {
            super.processElement(element);
            if (features().tooManyWaiting()) {
                // The next element sets its own key: changing it here is safe.
                features().storeWaiting(this::setCurrentKey, true);
            }
        }

        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            super.onEventTime(timer);
            if (features().full()) {
                // The timer service sets the key of every timer it fires: changing it here is safe.
                features().writeBack(this::setCurrentKey);
            }
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            super.processWatermark(mark);
            features().writeBack(this::setCurrentKey);
            features().firedUpTo(mark.getTimestamp());
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            features().writeBack(this::setCurrentKey);
            features().storeWaiting(this::setCurrentKey, false);
            super.snapshotState(context);
        }
    }
}
