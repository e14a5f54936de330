package dev.lakestream.jobs.gold.features;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.gold.DailyRevenueJob;
import dev.lakestream.jobs.gold.GoldEvent;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.HoldBackWatermark;
import dev.lakestream.jobs.gold.LateEventRouter;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Gold rolling features of a {@link FeatureSet} over its source events: each event becomes a
 * {@link FeatureInput}, the watermark is held back by {@code gold.features.allowed-lateness}, and
 * {@link RollingFeatures}, keyed by entity, writes the point-in-time log and the latest values.
 */
public final class FeaturesJob {

    private FeaturesJob() {}

    /** The orders table customer features read: {@code gold.features.orders-table}, by default the captured table named orders. */
    public static final class OrdersInput {
        private final CdcCapture capture;
        private final String table;

        OrdersInput(CdcCapture capture, String table) {
            this.capture = capture;
            this.table = table;
        }

        public CdcCapture capture() {
            return capture;
        }

        public String table() {
            return table;
        }
    }

    public static Optional<OrdersInput> ordersInput(ReadableConfig config, List<CdcCapture> captures) {
        if (!config.get(GoldOptions.FEATURES_ENABLED)) {
            return Optional.empty();
        }
        Optional<String> configured = config.getOptional(GoldOptions.FEATURES_ORDERS_TABLE);
        for (CdcCapture capture : captures) {
            String table = configured.isPresent()
                    ? configured.filter(capture.tables()::containsKey).orElse(null)
                    : DailyRevenueJob.named(capture, "orders");
            if (table != null) {
                return Optional.of(new OrdersInput(capture, table));
            }
        }
        return Optional.empty();
    }

    /** Problems of {@code gold.features.orders-table} given the captured tables ({@code schema.table}). */
    public static List<String> problems(ReadableConfig config, List<String> capturedTables) {
        return GoldOptions.notCaptured(config, capturedTables, GoldOptions.FEATURES_ORDERS_TABLE);
    }

    /** The log and latest tables of {@code set}. */
    public static List<TableSpec> tables(FeatureSet<?> set, ReadableConfig config) {
        String prefix = config.get(GoldOptions.TABLE_PREFIX);
        return List.of(set.logTable(prefix), set.latestTable(prefix));
    }

    /**
     * {@link #addTo} for a set read from its declared source stream, whose events are of the set's
     * type as {@link FeatureSet.Source} documents (GoldJob pairs them by that enum).
     */
    @SuppressWarnings("unchecked")
    public static DataStream<RowData> addFrom(FeatureSet<?> set, DataStream<? extends GoldEvent> source, ReadableConfig config,
            TableSink sink) {
        return addTo((FeatureSet<GoldEvent>) set, (DataStream<GoldEvent>) source, config, sink);
    }

    /**
     * @return the events too late to count, as late-events rows whose dataset is the set's name (an
     *     event late for both the windows and the features is in late_events once for each)
     */
    public static <S extends GoldEvent> DataStream<RowData> addTo(FeatureSet<S> set, DataStream<S> events,
            ReadableConfig config, TableSink sink) {
        Duration lateness = config.get(GoldOptions.FEATURES_ALLOWED_LATENESS);
        String prefix = config.get(GoldOptions.TABLE_PREFIX);
        TableSpec log = set.logTable(prefix);
        InternalTypeInfo<RowData> rowType = InternalTypeInfo.of(FlinkSchemaUtil.convert(log.schema()));

        DataStream<FeatureInput> inputs = events
                .flatMap(new ToInputs<>(set))
                .returns(FeatureInput.class)
                .uid("gold-feature-inputs-" + set.name()).name("Feature inputs of " + set.name());
        inputs = HoldBackWatermark.on(inputs, lateness, "gold-feature-watermarks-" + set.name());
        SingleOutputStreamOperator<RowData> rows = inputs
                .keyBy(in -> in.entity)
                .transform("Rolling features " + set.name(), rowType, RollingFeatures.operator(set, set.name(),
                        config.get(GoldOptions.FEATURES_WAITING_INPUTS), config.get(GoldOptions.FEATURES_FIRING_INTERVAL)))
                .uid("gold-features-" + set.name());
        sink.write(log, rows);
        sink.write(set.latestTable(prefix), rows);
        return rows.getSideOutput(LateEventRouter.LATE);
    }

    /** Every source event that adds something, as its feature input. */
    private static final class ToInputs<S extends GoldEvent> implements FlatMapFunction<S, FeatureInput> {
        private static final long serialVersionUID = 1L;

        private final FeatureSet<S> set;

        ToInputs(FeatureSet<S> set) {
            this.set = set;
        }

        @Override
        public void flatMap(S event, Collector<FeatureInput> out) {
            FeatureInput in = set.input(event);
            if (in != null) {
                out.collect(in);
            }
        }
    }
}
