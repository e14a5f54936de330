package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Duration;

/**
 * Gold {@code facility_throughput_hourly}: units per facility in 1-hour windows every 15 minutes
 * (hopping) over silver fulfillment events, from {@link FacilityThroughputWindows}, keyed by
 * facility on the watermarks the sources generate per partition or shard from the events' time
 * ({@code watermarks.events.*}).
 *
 * <p>Each window fires twice: a provisional row ({@code is_final=false}) at the watermark, then the
 * final row on the watermark held back by {@code gold.allowed-lateness}, which counts every event
 * that arrived within the allowed lateness and replaces the provisional one (upsert on facility
 * and window start). Events that arrive after their windows' final firing go to {@code
 * gold.late_events}, never nowhere.
 */
public final class FacilityThroughputJob {

    public static final Duration WINDOW = Duration.ofHours(1);
    public static final Duration SLIDE = Duration.ofMinutes(15);

    private FacilityThroughputJob() {}

    /** Silver fulfillment rows as gold reads them; one operator, shared by the windows and the features. */
    public static DataStream<FulfillmentEvent> events(DataStream<RowData> silverFulfillment, String dataset) {
        return silverFulfillment.map(FulfillmentEvent::of).returns(FulfillmentEvent.class)
                .uid("gold-events-" + dataset).name("Gold events of " + dataset);
    }

    /** @return the events too late for any window, as late-events rows */
    public static DataStream<RowData> addTo(DataStream<FulfillmentEvent> events, String dataset, ReadableConfig config,
            TableSink sink) {
        Duration lateness = config.get(GoldOptions.ALLOWED_LATENESS);
        TableSpec gold = GoldTables.facilityThroughputHourly(config.get(GoldOptions.TABLE_PREFIX));
        SingleOutputStreamOperator<RowData> windows = events.keyBy(e -> e.facilityId)
                .transform("Facility throughput windows", InternalTypeInfo.of(FlinkSchemaUtil.convert(gold.schema())),
                        FacilityThroughputWindows.operator(dataset, WINDOW, SLIDE, lateness,
                                config.get(GoldOptions.STATE_CACHE_KEYS)))
                .uid("gold-facility-windows-" + dataset);
        // Final rows lag the watermark by the allowed lateness, and so must the commit watermark stamped
        // after this: it tells readers up to when the windows are final.
        sink.write(gold, HoldBackWatermark.on(windows, lateness, "gold-watermarks-" + gold.identifier().name()));
        return windows.getSideOutput(LateEventRouter.LATE);
    }
}
