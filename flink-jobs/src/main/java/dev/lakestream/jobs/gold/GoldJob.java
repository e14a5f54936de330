package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gold from the silver streams of one job: facility throughput from fulfillment events, user
 * sessions from the clickstream, daily revenue from captured orders and customers, and one
 * late-events table for all.
 */
public final class GoldJob {

    private GoldJob() {}

    /** Whether gold has anything to compute from {@code datasets} (silver dataset names). */
    public static boolean applies(java.util.Collection<String> datasets) {
        return datasets.contains(SilverDataset.FULFILLMENT_EVENTS.name()) || datasets.contains(SilverDataset.CLICKSTREAM_EVENTS.name());
    }

    /**
     * @param silver the silver rows of each event dataset, by dataset name
     * @param cdc the silver row changes of each CDC capture, by captured table
     */
    public static void addTo(StreamExecutionEnvironment env, Map<String, DataStream<RowData>> silver,
            Map<CdcCapture, Map<String, DataStream<SilverChange>>> cdc, ReadableConfig config, TableSink sink) {
        Optional<DailyRevenueJob.Input> revenue = DailyRevenueJob.input(config, List.copyOf(cdc.keySet()));
        if (!applies(silver.keySet()) && revenue.isEmpty()) {
            return;
        }
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        // Window bounds in UTC, like every timestamp in the lakehouse.
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        List<DataStream<RowData>> late = new ArrayList<>();
        DataStream<RowData> fulfillment = silver.get(SilverDataset.FULFILLMENT_EVENTS.name());
        if (fulfillment != null) {
            late.add(FacilityThroughputJob.addTo(tables, fulfillment, SilverDataset.FULFILLMENT_EVENTS.name(), config, sink));
        }
        DataStream<RowData> clicks = silver.get(SilverDataset.CLICKSTREAM_EVENTS.name());
        if (clicks != null) {
            late.add(UserSessionsJob.addTo(tables, clicks, SilverDataset.CLICKSTREAM_EVENTS.name(), config, sink));
        }
        revenue.ifPresent(in -> {
            Map<String, DataStream<SilverChange>> changes = cdc.get(in.capture());
            late.add(DailyRevenueJob.addTo(tables, in, changes.get(in.ordersTable()), changes.get(in.customersTable()), config, sink));
        });
        DataStream<RowData> all = late.get(0);
        for (DataStream<RowData> more : late.subList(1, late.size())) {
            all = all.union(more);
        }
        sink.write(GoldTables.lateEvents(config.get(GoldOptions.TABLE_PREFIX)), all);
    }
}
