package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.LateEventRouter;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Arrays;

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
 * ({@code long[]} of the measures), one per window (its totals), the inputs waiting for the
 * watermark, and the timers. When the last bucket leaves the longest window, every entry of the
 * entity is gone: an entity without activity for longer than the longest window costs nothing.
 * State TTL (processing time, twice the longest window) is a backstop for entries no timer will
 * reach, e.g. after a definition shortened a window.
 *
 * <p>Metrics: {@code featureRows}, {@code featureKeysDropped}, {@code featureInputsOutsideWindows}
 * (counted in a bucket already past every window), {@code goldLateEvents}.
 */
public final class RollingFeatures extends KeyedProcessFunction<String, FeatureInput, RowData> {

    private static final long serialVersionUID = 1L;

    private final FeatureSet<?> set;
    private final String dataset;
    private final long bucket;
    private final long[] windows;
    private final long longest;
    private final int measures;

    /** Bucket start to the measures' sums of its inputs. */
    private transient MapState<Long, long[]> buckets;
    /** Window length to the measures' totals over the buckets it holds. */
    private transient MapState<Long, long[]> totals;
    /** Event time to its inputs, packed: bucket time, then one delta per measure, per input. */
    private transient MapState<Long, long[]> pending;
    private transient Counter rows;
    private transient Counter dropped;
    private transient Counter outside;
    private transient Counter late;

    /** @param dataset the late-events dataset name of this set's input */
    public RollingFeatures(FeatureSet<?> set, String dataset) {
        this.set = set;
        this.dataset = dataset;
        this.bucket = set.bucketMillis();
        this.windows = set.windowMillis();
        this.longest = windows[windows.length - 1];
        this.measures = set.measureCount();
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
        MapStateDescriptor<Long, long[]> t = new MapStateDescriptor<>("window-totals", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        t.enableTimeToLive(backstop);
        buckets = getRuntimeContext().getMapState(b);
        totals = getRuntimeContext().getMapState(t);
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        rows = getRuntimeContext().getMetricGroup().counter("featureRows");
        dropped = getRuntimeContext().getMetricGroup().counter("featureKeysDropped");
        outside = getRuntimeContext().getMetricGroup().counter("featureInputsOutsideWindows");
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
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
        long[] waiting = pending.get(in.eventTsMillis);
        int at = waiting == null ? 0 : waiting.length;
        long[] packed = waiting == null ? new long[1 + measures] : Arrays.copyOf(waiting, at + 1 + measures);
        packed[at] = Math.min(in.bucketTsMillis, in.eventTsMillis);
        System.arraycopy(in.deltas, 0, packed, at + 1, measures);
        pending.put(in.eventTsMillis, packed);
        ctx.timerService().registerEventTimeTimer(in.eventTsMillis);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        long[][] sums = loadTotals(time, ctx);
        int removed = expire(time, sums);
        boolean changed = removed != 0;
        // Buckets can only have run out if one was just removed, or if inputs all counted nowhere.
        boolean mayBeEmpty = removed < 0;
        long[] inputs = pending.get(time);
        if (inputs != null) {
            mayBeEmpty |= !apply(inputs, time, sums, ctx);
            pending.remove(time);
            changed = true;
        }
        if (changed) {
            for (int w = 0; w < windows.length; w++) {
                totals.put(windows[w], sums[w]);
            }
            out.collect(set.row(ctx.getCurrentKey(), time, sums, System.currentTimeMillis()));
            rows.inc();
        }
        if (mayBeEmpty && buckets.isEmpty() && pending.isEmpty() && !totals.isEmpty()) {
            for (long[] s : sums) {
                for (long v : s) {
                    if (v != 0) {
                        throw new IllegalStateException(set.name() + " of " + ctx.getCurrentKey() + " at " + time
                                + ": no bucket left but window totals " + Arrays.deepToString(sums));
                    }
                }
            }
            totals.clear();
            dropped.inc();
        }
    }

    /** The totals of every window as of just before {@code time}; a window new to state is summed from the buckets. */
    private long[][] loadTotals(long time, OnTimerContext ctx) throws Exception {
        long[][] sums = new long[windows.length][];
        Boolean hasBuckets = null;
        for (int w = 0; w < windows.length; w++) {
            long[] s = totals.get(windows[w]);
            if (s == null && hasBuckets == null) {
                // Absent for a new entity (no buckets) or a new window (buckets): ask state once.
                hasBuckets = !buckets.isEmpty();
            }
            if (s == null && hasBuckets) {
                // A window added by a new definition: sum the buckets it holds from state.
                s = new long[measures];
                for (var e : buckets.entries()) {
                    long end = e.getKey() + windows[w];
                    if (end >= time) {
                        add(s, fit(e.getValue()), 0);
                        if (end > time) {
                            ctx.timerService().registerEventTimeTimer(end);
                        }
                    }
                }
            }
            sums[w] = s == null ? new long[measures] : fit(s);
        }
        return sums;
    }

    /**
     * Subtracts the buckets that leave a window at {@code time}; drops those that leave the longest.
     *
     * @return 0 if no bucket left a window, -1 if one was dropped, 1 otherwise
     */
    private int expire(long time, long[][] sums) throws Exception {
        if (Math.floorMod(time, bucket) != 0) {
            return 0;
        }
        int result = 0;
        for (int w = 0; w < windows.length; w++) {
            long start = time - windows[w];
            long[] b = buckets.get(start);
            if (b != null) {
                subtract(sums[w], fit(b));
                result = result == 0 ? 1 : result;
                if (windows[w] == longest) {
                    buckets.remove(start);
                    result = -1;
                }
            }
        }
        return result;
    }

    /** @return whether any input counted in a bucket */
    private boolean apply(long[] inputs, long time, long[][] sums, OnTimerContext ctx) throws Exception {
        boolean counted = false;
        for (int at = 0; at < inputs.length; at += 1 + measures) {
            long start = Math.floorDiv(Math.min(inputs[at], time), bucket) * bucket;
            if (start + longest <= time) {
                outside.inc();
                continue;
            }
            counted = true;
            long[] b = buckets.get(start);
            b = b == null ? new long[measures] : fit(b);
            add(b, inputs, at + 1);
            buckets.put(start, b);
            for (int w = 0; w < windows.length; w++) {
                if (start + windows[w] > time) {
                    add(sums[w], inputs, at + 1);
                    ctx.timerService().registerEventTimeTimer(start + windows[w]);
                }
            }
        }
        return counted;
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

    private void add(long[] into, long[] from, int offset) {
        for (int m = 0; m < measures; m++) {
            into[m] = Math.addExact(into[m], from[offset + m]);
        }
    }

    private static void subtract(long[] from, long[] values) {
        for (int m = 0; m < values.length; m++) {
            from[m] = Math.subtractExact(from[m], values[m]);
        }
    }
}
