package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.types.Row;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Gold {@code facility_throughput_hourly}: units per facility in 1-hour windows every 15 minutes
 * (hopping), with Flink SQL's HOP window table-valued function over silver fulfillment events.
 *
 * <p>Each window fires twice. First at the watermark, which the sources generate per partition or
 * shard from the events' time ({@code watermarks.events.*}, {@code EventStreamWatermarks}): a provisional row ({@code is_final=false}). Then again on a
 * watermark held back by {@code gold.allowed-lateness}: the final row, which counts every event
 * that arrived within the allowed lateness and replaces the provisional one (upsert on facility
 * and window start). Window TVFs fire once per window, so the two firings are two windowed
 * queries over the same events with different watermarks. Events that arrive after their windows'
 * final firing go to {@code gold.late_events} ({@link LateEventRouter}), never nowhere.
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
    public static DataStream<RowData> addTo(StreamTableEnvironment tables, DataStream<FulfillmentEvent> events,
            String dataset, ReadableConfig config, TableSink sink) {
        Duration lateness = config.get(GoldOptions.ALLOWED_LATENESS);
        String prefix = config.get(GoldOptions.TABLE_PREFIX);

        // Watermarks come from the sources (per partition or shard) through silver.
        DataStream<FulfillmentEvent> provisionalInput = events;
        SingleOutputStreamOperator<FulfillmentEvent> finalInput = HoldBackWatermark.on(events, lateness, "gold-watermarks-final-" + dataset)
                .process(LateEventRouter.<FulfillmentEvent>slices(dataset, SLIDE.toMillis()))
                .returns(FulfillmentEvent.class)
                .uid("gold-late-router-" + dataset).name("Late events of " + dataset);

        TableSpec gold = GoldTables.facilityThroughputHourly(prefix);
        InternalTypeInfo<RowData> goldType = InternalTypeInfo.of(FlinkSchemaUtil.convert(gold.schema()));
        // Provisional rows carry the held-back watermark too: whatever follows the union (and the commit
        // watermark stamped there) then sees it even while the final branch is idle; otherwise a final
        // branch gone idle a moment before the provisional one let a commit claim windows final early.
        DataStream<RowData> rows = HoldBackWatermark.on(windows(tables, provisionalInput, "provisional_" + dataset, false, goldType),
                        lateness, "gold-watermarks-provisional-" + dataset)
                .union(windows(tables, finalInput, "final_" + dataset, true, goldType))
                .keyBy(r -> r.getString(0) + "|" + r.getTimestamp(1, 6).getMillisecond())
                .process(new KeepFinal(7, lateness.plus(WINDOW).plus(Duration.ofDays(1))))
                .returns(goldType)
                .uid("gold-keep-final-" + gold.identifier().name()).name("Keep final rows");
        sink.write(gold, rows);
        return finalInput.getSideOutput(LateEventRouter.LATE);
    }

    /** The HOP window query over {@code events}, as gold rows with {@code isFinal}. */
    static DataStream<RowData> windows(StreamTableEnvironment tables, DataStream<FulfillmentEvent> events, String view,
            boolean isFinal, InternalTypeInfo<RowData> goldType) {
        Table input = tables.fromDataStream(events, Schema.newBuilder()
                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(eventTsMillis, 3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
        String name = view.replaceAll("[^A-Za-z0-9_]", "_");
        tables.createTemporaryView(name, input);
        Table result = tables.sqlQuery(
                "SELECT facilityId, window_start, window_end, SUM(CAST(units AS BIGINT)), COUNT(*),"
                        + " SUM(CASE WHEN eventType = 'SHIPPED' THEN CAST(units AS BIGINT) ELSE 0 END),"
                        + " SUM(CASE WHEN eventType = 'DAMAGED' THEN CAST(units AS BIGINT) ELSE 0 END)"
                        + " FROM TABLE(HOP(TABLE " + name + ", DESCRIPTOR(rowtime), INTERVAL '"
                        + SLIDE.toMinutes() + "' MINUTE, INTERVAL '" + WINDOW.toMinutes() + "' MINUTE))"
                        + " GROUP BY facilityId, window_start, window_end");
        return TableApiUids.assign(tables.toDataStream(result), name, events)
                .map(row -> goldRow(row, isFinal))
                .returns(goldType)
                .name((isFinal ? "Final" : "Provisional") + " windows");
    }

    static RowData goldRow(Row row, boolean isFinal) {
        return GenericRowData.of(
                StringData.fromString((String) row.getField(0)),
                TimestampData.fromLocalDateTime((LocalDateTime) row.getField(1)),
                TimestampData.fromLocalDateTime((LocalDateTime) row.getField(2)),
                row.getField(3),
                row.getField(4),
                row.getField(5),
                row.getField(6),
                isFinal,
                TimestampData.fromLocalDateTime(LocalDateTime.now(ZoneOffset.UTC)));
    }
}
