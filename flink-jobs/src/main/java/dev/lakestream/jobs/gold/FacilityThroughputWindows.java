package dev.lakestream.jobs.gold;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Hopping windows of one facility (the key): units, events, shipped and damaged units per window
 * of {@code size} every {@code slide}, as {@code gold.facility_throughput_hourly} rows.
 *
 * <p>A window fires twice: provisional ({@code is_final=false}) when the watermark reaches its last
 * millisecond, and final once the watermark less {@code lateness} does. The final row counts every
 * event that arrived within the allowed lateness and replaces the provisional one (upsert on
 * facility and window start). Both firings come from this one operator, so a window's provisional
 * row always precedes its final row, and a window that is due for both at once gets only the final.
 *
 * <p>An event is late, and goes to the late-events side output instead, once the earliest window
 * holding it (the one ending with its slice) has fired final, judged by the watermark and, after a
 * restore when the watermark starts over, by the end of the windows already final. That is the rule
 * of Flink's sliced window aggregation, which this operator replaces: deciding lateness in the
 * keyed operator itself, on its own watermark, means an event is never let through by a router and
 * then dropped by a window operator whose watermark another input channel had moved on.
 *
 * <p>State per facility is one {@code long[]} (cached on the heap between checkpoints: {@link
 * CachedPackedState}) and one pending event-time timer. Layout, versioned
 * by its first element: {@code [version, provisionalUntil, finalUntil, timer, (sliceStart, units,
 * events, shipped, damaged)*]}, slices of {@code slide} sorted by start. Windows ending at or before
 * {@code provisionalUntil} ({@code finalUntil}) have fired provisional (final). A slice is dropped
 * once every window holding it is final; the header stays, so a restored job still knows which
 * windows are final.
 *
 * <p>Metrics: {@code goldLateEvents}, {@code goldWindowsFinal}.
 */
public final class FacilityThroughputWindows extends KeyedProcessFunction<String, FulfillmentEvent, RowData>
        implements CachedPackedState.Cached<String> {

    private static final long serialVersionUID = 1L;

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "facility-slices";

    static final long LAYOUT_VERSION = 1;
    private static final int PROVISIONAL_UNTIL = 1;
    private static final int FINAL_UNTIL = 2;
    private static final int TIMER = 3;
    private static final int HEADER = 4;
    private static final int START = 0;
    private static final int UNITS = 1;
    private static final int EVENTS = 2;
    private static final int SHIPPED = 3;
    private static final int DAMAGED = 4;
    private static final int WIDTH = 5;
    private static final long NONE = Long.MIN_VALUE;

    private final String dataset;
    private final long size;
    private final long slide;
    private final long lateness;
    private final int maxCachedFacilities;

    private transient CachedPackedState<String> state;
    private transient Counter late;
    private transient Counter finals;

    /** The operator that runs it, caching up to {@code maxCachedFacilities} facilities' state per subtask. */
    public static OneInputStreamOperator<FulfillmentEvent, RowData> operator(String dataset, Duration size, Duration slide,
            Duration lateness, int maxCachedFacilities) {
        return new CachedPackedState.Operator<>(new FacilityThroughputWindows(dataset, size, slide, lateness, maxCachedFacilities));
    }

    private FacilityThroughputWindows(String dataset, Duration size, Duration slide, Duration lateness, int maxCachedFacilities) {
        if (slide.isZero() || slide.isNegative() || size.toMillis() % slide.toMillis() != 0) {
            throw new IllegalArgumentException("A hopping window needs a positive slide that divides its size; got size "
                    + size + " and slide " + slide);
        }
        if (lateness.isNegative()) {
            throw new IllegalArgumentException("The allowed lateness must not be negative, not " + lateness);
        }
        this.dataset = dataset;
        this.size = size.toMillis();
        this.slide = slide.toMillis();
        this.lateness = lateness.toMillis();
        this.maxCachedFacilities = maxCachedFacilities;
    }

    @Override
    public void open(Configuration parameters) {
        state = new CachedPackedState<>(getRuntimeContext(), STATE_NAME, LAYOUT_VERSION, "Facility window", maxCachedFacilities);
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
        finals = getRuntimeContext().getMetricGroup().counter("goldWindowsFinal");
    }

    @Override
    public void processElement(FulfillmentEvent e, Context ctx, Collector<RowData> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long finalWatermark = HoldBackWatermark.heldBack(watermark, lateness);
        long sliceStart = Math.floorDiv(e.eventTsMillis, slide) * slide;
        long[] s = state.get(ctx.getCurrentKey());
        if (sliceStart + slide - 1 <= finalWatermark || (s != null && sliceStart + slide <= s[FINAL_UNTIL])) {
            late.inc();
            long met = s == null ? finalWatermark : PackedState.metWatermark(finalWatermark, s[FINAL_UNTIL]);
            ctx.output(LateEventRouter.LATE, LateEventRouter.lateRow(dataset, e, met));
            return;
        }
        s = add(s == null ? new long[] {LAYOUT_VERSION, NONE, NONE, Long.MAX_VALUE} : s, sliceStart, e);
        PackedState.timerAt(s, TIMER, nextTimer(s), ctx.timerService());
        state.put(ctx.getCurrentKey(), s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        long[] s = state.get(ctx.getCurrentKey());
        // An earlier timer left behind when an event needed an earlier one.
        if (s == null || timestamp != s[TIMER]) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        long finalUntil = Math.max(s[FINAL_UNTIL], endsUntil(HoldBackWatermark.heldBack(watermark, lateness)));
        long provisionalUntil = Math.max(s[PROVISIONAL_UNTIL], endsUntil(watermark));
        String facility = ctx.getCurrentKey();
        // Windows in order of their end; one due for both firings gets only the final row.
        for (long end = firstEnd(s, s[FINAL_UNTIL]); end != NONE && end <= finalUntil; end = firstEnd(s, end)) {
            out.collect(row(facility, s, end, true));
            finals.inc();
        }
        for (long end = firstEnd(s, Math.max(s[PROVISIONAL_UNTIL], finalUntil)); end != NONE && end <= provisionalUntil;
                end = firstEnd(s, end)) {
            out.collect(row(facility, s, end, false));
        }
        s[FINAL_UNTIL] = finalUntil;
        s[PROVISIONAL_UNTIL] = provisionalUntil;
        int done = 0;
        while (HEADER + done * WIDTH < s.length && s[HEADER + done * WIDTH + START] + size <= finalUntil) {
            done++;
        }
        s = PackedState.dropFirst(s, HEADER, WIDTH, done);
        s[TIMER] = nextTimer(s);
        if (s[TIMER] != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(s[TIMER]);
        }
        state.put(facility, s);
    }

    @Override
    public CachedPackedState<String> cachedState() {
        return state;
    }

    /** The latest window end whose last millisecond is at or before {@code watermark}; NONE if none. */
    private long endsUntil(long watermark) {
        if (watermark == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (watermark < Long.MIN_VALUE + 2 * slide) {
            return NONE;
        }
        return Math.floorDiv(watermark + 1, slide) * slide;
    }

    /** The end of the earliest window after {@code until} that holds an event; NONE if none (also after MAX). */
    private long firstEnd(long[] s, long until) {
        for (int at = HEADER; at < s.length; at += WIDTH) {
            long start = s[at + START];
            if (start + size > until) {
                // The earliest window holding this slice ends with it; those ending at or before until are done.
                return until == NONE ? start + slide : Math.max(start + slide, until + slide);
            }
        }
        return NONE;
    }

    /** When this facility needs to fire next: its next provisional or final window. */
    private long nextTimer(long[] s) {
        long provisional = firstEnd(s, Math.max(s[PROVISIONAL_UNTIL], s[FINAL_UNTIL]));
        long fin = firstEnd(s, s[FINAL_UNTIL]);
        long due = Long.MAX_VALUE;
        if (provisional != NONE) {
            due = provisional - 1;
        }
        if (fin != NONE) {
            due = Math.min(due, fin - 1 + lateness);
        }
        return due;
    }

    /** {@code s} with the event added to its slice, sorted in by start. */
    private static long[] add(long[] s, long sliceStart, FulfillmentEvent e) {
        int at = HEADER;
        while (at < s.length && s[at + START] < sliceStart) {
            at += WIDTH;
        }
        if (at == s.length || s[at + START] != sliceStart) {
            long[] grown = new long[s.length + WIDTH];
            System.arraycopy(s, 0, grown, 0, at);
            System.arraycopy(s, at, grown, at + WIDTH, s.length - at);
            grown[at + START] = sliceStart;
            s = grown;
        }
        s[at + UNITS] += e.units;
        s[at + EVENTS]++;
        if ("SHIPPED".equals(e.eventType)) {
            s[at + SHIPPED] += e.units;
        } else if ("DAMAGED".equals(e.eventType)) {
            s[at + DAMAGED] += e.units;
        }
        return s;
    }

    /** The gold row of the window ending at {@code end}: the sums of its slices. */
    private RowData row(String facility, long[] s, long end, boolean isFinal) {
        long units = 0;
        long events = 0;
        long shipped = 0;
        long damaged = 0;
        for (int at = HEADER; at < s.length && s[at + START] < end; at += WIDTH) {
            if (s[at + START] >= end - size) {
                units += s[at + UNITS];
                events += s[at + EVENTS];
                shipped += s[at + SHIPPED];
                damaged += s[at + DAMAGED];
            }
        }
        return GenericRowData.of(StringData.fromString(facility), TimestampData.fromEpochMillis(end - size),
                TimestampData.fromEpochMillis(end), units, events, shipped, damaged, isFinal,
                TimestampData.fromEpochMillis(System.currentTimeMillis()));
    }
}
