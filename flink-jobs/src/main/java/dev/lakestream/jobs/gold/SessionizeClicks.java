package dev.lakestream.jobs.gold;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;

/**
 * Clickstream sessions of one user (the key): events less than {@code gap} apart are one session
 * {@code [first event, last event + gap)}. A session fires once, final, when the watermark reaches
 * its last millisecond, as a {@code gold.user_sessions} row.
 *
 * <p>An event is late, and goes to the late-events side output instead, when its own window
 * {@code [ts, ts + gap)} has closed, or when it would join a session of this user that already
 * fired ({@code ts} before the end of the latest fired session). The second rule keeps the
 * sessions of one user from overlapping: a window operator that has purged a fired session would
 * start a new one beside it.
 *
 * <p>State per user is one {@code long[]} (one RocksDB value, cached on the heap between
 * checkpoints: {@link CachedPackedState}) and one pending event-time timer, at or before the end
 * of the earliest open session. A timer is not moved when its session grows; when it fires early
 * it is set again, so a session that keeps growing costs a timer per gap of event time, not per
 * event. Layout, versioned by its first
 * element: {@code [version, firedUntil, timer, (start, last, events, views, addsToCart, purchases)*]},
 * open sessions sorted by start and disjoint. After the last session fired the state stays until
 * the watermark passes {@code firedUntil + gap}, when no event can join a fired session any more.
 *
 * <p>Metrics: {@code goldLateEvents}, {@code goldSessionsClosed}.
 */
public final class SessionizeClicks extends KeyedProcessFunction<Long, ClickEvent, RowData>
        implements CachedPackedState.Cached<Long> {

    private static final long serialVersionUID = 1L;

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "open-sessions";

    static final long LAYOUT_VERSION = 1;
    private static final int FIRED_UNTIL = 1;
    private static final int TIMER = 2;
    private static final int HEADER = 3;
    private static final int START = 0;
    private static final int LAST = 1;
    private static final int EVENTS = 2;
    private static final int VIEWS = 3;
    private static final int ADDS = 4;
    private static final int PURCHASES = 5;
    private static final int WIDTH = 6;

    private final String dataset;
    private final long gap;
    private final int maxCachedUsers;

    private transient CachedPackedState<Long> state;
    private transient Counter late;
    private transient Counter closed;

    /** The operator that runs it, caching up to {@code maxCachedUsers} users' state per subtask. */
    public static OneInputStreamOperator<ClickEvent, RowData> operator(String dataset, long gapMillis, int maxCachedUsers) {
        return new CachedPackedState.Operator<>(new SessionizeClicks(dataset, gapMillis, maxCachedUsers));
    }

    private SessionizeClicks(String dataset, long gapMillis, int maxCachedUsers) {
        if (gapMillis <= 0) {
            throw new IllegalArgumentException("The session gap must be positive, not " + gapMillis + " ms");
        }
        this.dataset = dataset;
        this.gap = gapMillis;
        this.maxCachedUsers = maxCachedUsers;
    }

    @Override
    public void open(Configuration parameters) {
        state = new CachedPackedState<>(getRuntimeContext(), STATE_NAME, LAYOUT_VERSION, "Session", maxCachedUsers);
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
        closed = getRuntimeContext().getMetricGroup().counter("goldSessionsClosed");
    }

    @Override
    public void processElement(ClickEvent e, Context ctx, Collector<RowData> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long ts = e.eventTsMillis;
        long[] s = state.get(ctx.getCurrentKey());
        if (ts + gap - 1 <= watermark || (s != null && ts < s[FIRED_UNTIL])) {
            late.inc();
            long met = s == null ? watermark : PackedState.metWatermark(watermark, s[FIRED_UNTIL]);
            ctx.output(LateEventRouter.LATE, LateEventRouter.lateRow(dataset, e, met));
            return;
        }
        s = add(s == null ? new long[] {LAYOUT_VERSION, Long.MIN_VALUE, Long.MAX_VALUE} : s, ts, e.eventType);
        // Sessions are disjoint and sorted by start, so the first one ends first.
        PackedState.timerAt(s, TIMER, s[HEADER + LAST] + gap - 1, ctx.timerService());
        state.put(ctx.getCurrentKey(), s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        long[] s = state.get(ctx.getCurrentKey());
        // An earlier timer left behind when a session started before the one it was set for.
        if (s == null || timestamp != s[TIMER]) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        int firing = 0;
        while (HEADER + firing * WIDTH < s.length && s[HEADER + firing * WIDTH + LAST] + gap - 1 <= watermark) {
            int at = HEADER + firing * WIDTH;
            out.collect(row(ctx.getCurrentKey(), s, at));
            s[FIRED_UNTIL] = Math.max(s[FIRED_UNTIL], s[at + LAST] + gap);
            firing++;
        }
        closed.inc(firing);
        s = PackedState.dropFirst(s, HEADER, WIDTH, firing);
        long next = s.length > HEADER ? s[HEADER + LAST] + gap - 1 : s[FIRED_UNTIL] + gap - 1;
        if (next <= watermark) {
            state.clear(ctx.getCurrentKey());
            return;
        }
        ctx.timerService().registerEventTimeTimer(next);
        s[TIMER] = next;
        state.put(ctx.getCurrentKey(), s);
    }

    @Override
    public CachedPackedState<Long> cachedState() {
        return state;
    }

    /** {@code s} with the event at {@code ts} added: in a new session, or merged with every session its window overlaps. */
    long[] add(long[] s, long ts, String eventType) {
        int sessions = (s.length - HEADER) / WIDTH;
        // Open sessions [start, last + gap) are disjoint and sorted: those overlapping [ts, ts + gap) are a run [from, to).
        int from = 0;
        while (from < sessions && s[HEADER + from * WIDTH + LAST] + gap <= ts) {
            from++;
        }
        int to = from;
        while (to < sessions && s[HEADER + to * WIDTH + START] < ts + gap) {
            to++;
        }
        long[] merged = new long[s.length - Math.max(0, to - from - 1) * WIDTH + (to == from ? WIDTH : 0)];
        int at = HEADER + from * WIDTH;
        System.arraycopy(s, 0, merged, 0, at);
        merged[at + START] = ts;
        merged[at + LAST] = ts;
        for (int i = from; i < to; i++) {
            int other = HEADER + i * WIDTH;
            merged[at + START] = Math.min(merged[at + START], s[other + START]);
            merged[at + LAST] = Math.max(merged[at + LAST], s[other + LAST]);
            for (int count = EVENTS; count < WIDTH; count++) {
                merged[at + count] += s[other + count];
            }
        }
        merged[at + EVENTS]++;
        if ("VIEW".equals(eventType)) {
            merged[at + VIEWS]++;
        } else if ("ADD_TO_CART".equals(eventType)) {
            merged[at + ADDS]++;
        } else if ("PURCHASE".equals(eventType)) {
            merged[at + PURCHASES]++;
        }
        System.arraycopy(s, HEADER + to * WIDTH, merged, at + WIDTH, s.length - HEADER - to * WIDTH);
        return merged;
    }

    private RowData row(long user, long[] s, int at) {
        return GenericRowData.of(user, TimestampData.fromEpochMillis(s[at + START]),
                TimestampData.fromEpochMillis(s[at + LAST] + gap), s[at + EVENTS], s[at + VIEWS], s[at + ADDS],
                s[at + PURCHASES], TimestampData.fromEpochMillis(System.currentTimeMillis()));
    }
}
