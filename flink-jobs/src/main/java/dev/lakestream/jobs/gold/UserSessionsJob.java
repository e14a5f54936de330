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
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Gold {@code user_sessions}: clickstream sessions per user, ended by {@link #GAP} without events,
 * with Flink SQL's SESSION window table-valued function over silver clickstream events.
 *
 * <p>Sessions fire once, final, on the watermark held back by {@code gold.allowed-lateness}: a
 * session can still grow or merge with another when a late event arrives, so a provisional row
 * could not be replaced by key. The table is append-only. Events that arrive after their session
 * could have closed go to {@code gold.late_events}.
 */
public final class UserSessionsJob {

    public static final Duration GAP = Duration.ofMinutes(30);

    private UserSessionsJob() {}

    /** @return the events too late for any session, as late-events rows */
    public static DataStream<RowData> addTo(StreamTableEnvironment tables, DataStream<RowData> silverClicks, String dataset,
            ReadableConfig config, TableSink sink) {
        SingleOutputStreamOperator<ClickEvent> input = silverClicks.map(ClickEvent::of).returns(ClickEvent.class)
                .uid("gold-events-" + dataset).name("Gold events of " + dataset)
                // Watermarks come from the sources through silver; sessions fire once, final.
                .transform("Hold back watermark", TypeInformation.of(ClickEvent.class),
                        new HoldBackWatermark<ClickEvent>(config.get(GoldOptions.ALLOWED_LATENESS)))
                .uid("gold-watermarks-final-" + dataset)
                .process(LateEventRouter.<ClickEvent>sessions(dataset, GAP.toMillis()))
                .returns(ClickEvent.class)
                .uid("gold-late-router-" + dataset).name("Late events of " + dataset);

        Table events = tables.fromDataStream(input, Schema.newBuilder()
                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(eventTsMillis, 3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
        String view = ("sessions_" + dataset).replaceAll("[^A-Za-z0-9_]", "_");
        tables.createTemporaryView(view, events);
        Table sessions = tables.sqlQuery(
                "SELECT userId, window_start, window_end, COUNT(*),"
                        + " SUM(CASE WHEN eventType = 'VIEW' THEN 1 ELSE 0 END),"
                        + " SUM(CASE WHEN eventType = 'ADD_TO_CART' THEN 1 ELSE 0 END),"
                        + " SUM(CASE WHEN eventType = 'PURCHASE' THEN 1 ELSE 0 END)"
                        + " FROM TABLE(SESSION(TABLE " + view + " PARTITION BY userId, DESCRIPTOR(rowtime), INTERVAL '"
                        + GAP.toMinutes() + "' MINUTE))"
                        + " GROUP BY userId, window_start, window_end");
        TableSpec gold = GoldTables.userSessions(config.get(GoldOptions.TABLE_PREFIX));
        DataStream<RowData> rows = tables.toDataStream(sessions)
                .map(row -> (RowData) GenericRowData.of(
                        row.getField(0),
                        TimestampData.fromLocalDateTime((LocalDateTime) row.getField(1)),
                        TimestampData.fromLocalDateTime((LocalDateTime) row.getField(2)),
                        row.getField(3),
                        ((Number) row.getField(4)).longValue(),
                        ((Number) row.getField(5)).longValue(),
                        ((Number) row.getField(6)).longValue(),
                        TimestampData.fromLocalDateTime(LocalDateTime.now(ZoneOffset.UTC))))
                .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(gold.schema())))
                .name("Sessions");
        sink.write(gold, rows);
        return input.getSideOutput(LateEventRouter.LATE);
    }
}
