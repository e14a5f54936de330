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
 * operator's own rule: Flink's window aggregation assigns an event to the slice (of the slide's
 * length) holding its time and drops it when that slice's last millisecond is at or before the
 * watermark. Every event thus lands in a final window or in the late table, never nowhere.
 *
 * <p>Metric: {@code goldLateEvents}.
 */
public final class LateEventRouter extends ProcessFunction<FulfillmentEvent, FulfillmentEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RowData> LATE = new OutputTag<>("late-events",
            InternalTypeInfo.of(FlinkSchemaUtil.convert(GoldTables.lateEvents("").schema())));

    private final String dataset;
    private final long sliceMillis;
    private transient Counter late;

    public LateEventRouter(String dataset, long sliceMillis) {
        this.dataset = dataset;
        this.sliceMillis = sliceMillis;
    }

    @Override
    public void open(Configuration parameters) {
        late = getRuntimeContext().getMetricGroup().counter("goldLateEvents");
    }

    /** Whether an event at {@code ts} misses every window at watermark {@code watermark}. */
    static boolean isLate(long ts, long sliceMillis, long watermark) {
        long sliceEnd = Math.floorDiv(ts, sliceMillis) * sliceMillis + sliceMillis;
        return sliceEnd - 1 <= watermark;
    }

    @Override
    public void processElement(FulfillmentEvent e, Context ctx, Collector<FulfillmentEvent> out) {
        long watermark = ctx.timerService().currentWatermark();
        if (!isLate(e.eventTsMillis, sliceMillis, watermark)) {
            out.collect(e);
            return;
        }
        late.inc();
        ctx.output(LATE, GenericRowData.of(
                StringData.fromString(dataset),
                StringData.fromString(e.eventId),
                TimestampData.fromEpochMillis(e.eventTsMillis),
                TimestampData.fromEpochMillis(watermark),
                watermark - e.eventTsMillis,
                StringData.fromString(e.sourceName),
                StringData.fromString(e.sourcePartition),
                StringData.fromString(e.sourcePosition),
                TimestampData.fromEpochMillis(System.currentTimeMillis())));
    }
}
