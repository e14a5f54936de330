package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Duration;

/**
 * Gold {@code user_sessions}: clickstream sessions per user, ended by {@link #GAP} without events,
 * over silver clickstream events ({@link SessionizeClicks}).
 *
 * <p>Sessions fire once, final, on the watermark held back by {@code gold.allowed-lateness}: a
 * session can still grow or merge with another when a late event arrives, so a provisional row
 * could not be replaced by key. The table is append-only. Events that arrive after their session
 * could have closed, or after a session they would join has fired, go to {@code gold.late_events}.
 */
public final class UserSessionsJob {

    public static final Duration GAP = Duration.ofMinutes(30);

    private UserSessionsJob() {}

    /** @return the events too late for any session, as late-events rows */
    public static DataStream<RowData> addTo(DataStream<RowData> silverClicks, String dataset, ReadableConfig config,
            TableSink sink) {
        TableSpec gold = GoldTables.userSessions(config.get(GoldOptions.TABLE_PREFIX));
        SingleOutputStreamOperator<ClickEvent> events = silverClicks.map(ClickEvent::of).returns(ClickEvent.class)
                .uid("gold-events-" + dataset).name("Gold events of " + dataset);
        // Watermarks come from the sources through silver; sessions fire once, final.
        SingleOutputStreamOperator<RowData> sessions = HoldBackWatermark.on(events, config.get(GoldOptions.ALLOWED_LATENESS),
                        "gold-watermarks-final-" + dataset)
                .keyBy(e -> e.userId, Types.LONG)
                .transform("Sessions of " + dataset, InternalTypeInfo.of(FlinkSchemaUtil.convert(gold.schema())),
                        SessionizeClicks.operator(dataset, GAP.toMillis(), config.get(GoldOptions.STATE_CACHE_KEYS)))
                .uid("gold-sessions-" + dataset);
        sink.write(gold, sessions);
        return sessions.getSideOutput(LateEventRouter.LATE);
    }
}
