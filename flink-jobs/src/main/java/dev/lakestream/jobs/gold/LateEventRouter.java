package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * Sends events whose windows have all closed to the late-events table instead of letting the
 * window operator drop them. Runs right before the windows on the same watermarks, with the
 * operator's rule: an event is late when the last millisecond of the earliest-closing window it
 * can fall into is at or before the watermark. For hopping and tumbling windows that is the slice
 * (of the slide's length) holding its time ({@link #slices}). Every event thus lands in a window or
 * in the late table, never nowhere. (Sessions judge lateness in their own operator,
 * {@link SessionizeClicks}, which also knows which sessions of a user have fired.)
 *
 * <p>Metric: {@code goldLateEvents}.
 */
public final class LateEventRouter<T extends GoldEvent> extends ProcessFunction<T, T> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RowData> LATE = new OutputTag<>("late-events",
            InternalTypeInfo.of(FlinkSchemaUtil.convert(GoldTables.lateEvents("").schema())));

    private final String dataset;
    private final long sliceMillis;
    private transient Counter late;

    private LateEventRouter(String dataset, long sliceMillis) {
        this.dataset = dataset;
        this.sliceMillis = sliceMillis;
    }

    /** For hopping and tumbling windows sliced by {@code sliceMillis} (the slide). */
    public static <T extends GoldEvent> LateEventRouter<T> slices(String dataset, long sliceMillis) {
        return new LateEventRouter<>(dataset, sliceMillis);
    }

    @Override
    public void open(Configuration parameters) {
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
    }

    /** Whether an event at {@code ts} misses every window at watermark {@code watermark}. */
    boolean isLate(long ts, long watermark) {
        // The last millisecond of the slice holding ts.
        return Math.floorDiv(ts, sliceMillis) * sliceMillis + sliceMillis - 1 <= watermark;
    }

    @Override
    public void processElement(T e, Context ctx, Collector<T> out) {
        long watermark = ctx.timerService().currentWatermark();
        if (!isLate(e.eventTsMillis(), watermark)) {
            out.collect(e);
            return;
        }
        late.inc();
        ctx.output(LATE, lateRow(dataset, e, watermark));
    }

    /** The late-events row of {@code e}, which arrived at {@code watermark}. */
    public static RowData lateRow(String dataset, GoldEvent e, long watermark) {
        return GenericRowData.of(
                StringData.fromString(dataset),
                StringData.fromString(e.eventId()),
                TimestampData.fromEpochMillis(e.eventTsMillis()),
                TimestampData.fromEpochMillis(watermark),
                watermark - e.eventTsMillis(),
                StringData.fromString(e.sourceName()),
                StringData.fromString(e.sourcePartition()),
                StringData.fromString(e.sourcePosition()),
                TimestampData.fromEpochMillis(System.currentTimeMillis()));
    }
}
