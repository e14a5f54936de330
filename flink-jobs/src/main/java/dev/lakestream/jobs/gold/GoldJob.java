package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.gold.features.FeatureSet;
import dev.lakestream.jobs.gold.features.FeaturesJob;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gold from the silver streams of one job: facility throughput and facility features from
 * fulfillment events, user sessions from the clickstream, daily revenue and customer features
 * from captured orders (and customers), and one late-events table for all.
 */
public final class GoldJob {

    private GoldJob() {}

    /**
     * The gold tables a job with these silver {@code datasets} (names) and CDC {@code captures}
     * writes; empty when gold is off or has nothing to compute.
     */
    public static List<TableSpec> tables(ReadableConfig config, Collection<String> datasets, List<CdcCapture> captures) {
        List<TableSpec> tables = new ArrayList<>();
        if (!config.get(GoldOptions.ENABLED)) {
            return tables;
        }
        String prefix = config.get(GoldOptions.TABLE_PREFIX);
        if (DailyRevenueJob.input(config, captures).isPresent()) {
            tables.add(GoldTables.dailyRevenue(prefix));
        }
        if (datasets.contains(SilverDataset.FULFILLMENT_EVENTS.name())) {
            tables.add(GoldTables.facilityThroughputHourly(prefix));
        }
        java.util.Set<FeatureSet.Source> sources = featureSources(config, datasets, captures);
        for (FeatureSet<?> set : FeatureDefinitions.all(config)) {
            if (sources.contains(set.source())) {
                tables.addAll(FeaturesJob.tables(set, config));
            }
        }
        if (datasets.contains(SilverDataset.CLICKSTREAM_EVENTS.name())) {
            tables.add(GoldTables.userSessions(prefix));
        }
        if (!tables.isEmpty()) {
            tables.add(GoldTables.lateEvents(prefix));
        }
        return tables;
    }

    /** The feature sources this job has: none when features are off. */
    private static java.util.Set<FeatureSet.Source> featureSources(ReadableConfig config, Collection<String> datasets,
            List<CdcCapture> captures) {
        java.util.Set<FeatureSet.Source> sources = java.util.EnumSet.noneOf(FeatureSet.Source.class);
        if (config.get(GoldOptions.FEATURES_ENABLED)) {
            if (FeaturesJob.ordersInput(config, captures).isPresent()) {
                sources.add(FeatureSet.Source.ORDER_CHANGES);
            }
            if (datasets.contains(SilverDataset.FULFILLMENT_EVENTS.name())) {
                sources.add(FeatureSet.Source.FULFILLMENT_EVENTS);
            }
        }
        return sources;
    }

    /**
     * @param silver the silver rows of each event dataset, by dataset name
     * @param cdc the silver row changes of each CDC capture, by captured table
     */
    public static void addTo(StreamExecutionEnvironment env, Map<String, DataStream<RowData>> silver,
            Map<CdcCapture, Map<String, DataStream<SilverChange>>> cdc, ReadableConfig config, TableSink sink) {
        List<CdcCapture> captures = List.copyOf(cdc.keySet());
        if (tables(config, silver.keySet(), captures).isEmpty()) {
            return;
        }
        List<DataStream<RowData>> late = new ArrayList<>();
        Map<FeatureSet.Source, DataStream<? extends GoldEvent>> featureInputs = new java.util.EnumMap<>(FeatureSet.Source.class);
        DataStream<RowData> fulfillment = silver.get(SilverDataset.FULFILLMENT_EVENTS.name());
        if (fulfillment != null) {
            String dataset = SilverDataset.FULFILLMENT_EVENTS.name();
            DataStream<FulfillmentEvent> events = FacilityThroughputJob.events(fulfillment, dataset);
            late.add(FacilityThroughputJob.addTo(events, dataset, config, sink));
            featureInputs.put(FeatureSet.Source.FULFILLMENT_EVENTS, events);
        }
        DataStream<RowData> clicks = silver.get(SilverDataset.CLICKSTREAM_EVENTS.name());
        if (clicks != null) {
            late.add(UserSessionsJob.addTo(clicks, SilverDataset.CLICKSTREAM_EVENTS.name(), config, sink));
        }
        // One transitions operator per orders table, whoever reads its facts.
        Map<String, DataStream<OrderFact>> facts = new HashMap<>();
        Optional<DailyRevenueJob.Input> revenue = DailyRevenueJob.input(config, captures);
        revenue.ifPresent(in -> {
            Map<String, DataStream<SilverChange>> changes = cdc.get(in.capture());
            DataStream<OrderFact> orderFacts = facts.computeIfAbsent(in.capture().name() + "/" + in.ordersTable(),
                    k -> OrderTransitions.of(in.capture(), in.ordersTable(), changes.get(in.ordersTable())));
            // Only daily revenue plans SQL (its temporal join and day windows).
            StreamTableEnvironment tables = StreamTableEnvironment.create(env);
            // Window bounds in UTC, like every timestamp in the lakehouse.
            tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
            late.add(DailyRevenueJob.addTo(tables, in, orderFacts, changes.get(in.customersTable()), config, sink));
        });
        FeaturesJob.ordersInput(config, captures).ifPresent(in -> featureInputs.put(FeatureSet.Source.ORDER_CHANGES,
                facts.computeIfAbsent(in.capture().name() + "/" + in.table(),
                        k -> OrderTransitions.of(in.capture(), in.table(), cdc.get(in.capture()).get(in.table())))));
        java.util.Set<FeatureSet.Source> sources = featureSources(config, silver.keySet(), captures);
        for (FeatureSet<?> set : FeatureDefinitions.all(config)) {
            if (sources.contains(set.source())) {
                late.add(FeaturesJob.addFrom(set, featureInputs.get(set.source()), config, sink));
            }
        }
        DataStream<RowData> all = late.get(0);
        for (DataStream<RowData> more : late.subList(1, late.size())) {
            all = all.union(more);
        }
        sink.write(GoldTables.lateEvents(config.get(GoldOptions.TABLE_PREFIX)), all);
    }
}
