package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;

import java.time.ZoneOffset;
import java.util.Map;

/**
 * Gold from the silver streams of one job: facility throughput from fulfillment events, user
 * sessions from the clickstream, and one late-events table for both.
 */
public final class GoldJob {

    private GoldJob() {}

    /** Whether gold has anything to compute from {@code datasets} (silver dataset names). */
    public static boolean applies(java.util.Collection<String> datasets) {
        return datasets.contains(SilverDataset.FULFILLMENT_EVENTS.name()) || datasets.contains(SilverDataset.CLICKSTREAM_EVENTS.name());
    }

    /** @param silver the silver rows of each dataset, by dataset name */
    public static void addTo(StreamExecutionEnvironment env, Map<String, DataStream<RowData>> silver, ReadableConfig config,
            TableSink sink) {
        if (!applies(silver.keySet())) {
            return;
        }
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        // Window bounds in UTC, like every timestamp in the lakehouse.
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        DataStream<RowData> late = null;
        DataStream<RowData> fulfillment = silver.get(SilverDataset.FULFILLMENT_EVENTS.name());
        if (fulfillment != null) {
            late = FacilityThroughputJob.addTo(tables, fulfillment, SilverDataset.FULFILLMENT_EVENTS.name(), config, sink);
        }
        DataStream<RowData> clicks = silver.get(SilverDataset.CLICKSTREAM_EVENTS.name());
        if (clicks != null) {
            DataStream<RowData> lateClicks = UserSessionsJob.addTo(tables, clicks, SilverDataset.CLICKSTREAM_EVENTS.name(), config, sink);
            late = late == null ? lateClicks : late.union(lateClicks);
        }
        sink.write(GoldTables.lateEvents(config.get(GoldOptions.TABLE_PREFIX)), late);
    }
}
