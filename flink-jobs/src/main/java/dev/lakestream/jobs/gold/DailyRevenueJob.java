package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.ChangeRowConverter;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.types.Row;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gold {@code daily_revenue}: per UTC day, order status and customer region, the orders that
 * entered that status that day ({@link OrderTransitions}): how many, how many customers, their
 * revenue and average value, and how many were cancelled. A tumbling 1-day window (Flink SQL's
 * TUMBLE table-valued function) over the order changes of a CDC capture, on the capture's
 * commit-time watermarks ({@code watermarks.cdc.*}).
 *
 * <p>Why "entered that status that day": a change's commit time is the only event time a change
 * stream has, and the watermark follows it. Counting orders by the day they were placed instead
 * would make every later status change days late for its window.
 *
 * <p>The region is the customer's as of the order's change: an event-time temporal join ({@code
 * FOR SYSTEM_TIME AS OF}) on the customers' versions from the same capture; rows the snapshot read
 * are taken as valid since ever, and an order whose customer is unknown then counts under {@code
 * UNKNOWN}. Windows fire as {@link FacilityThroughputJob}'s do: a provisional row at the watermark,
 * the final row once the watermark held back by {@code gold.allowed-lateness} passes, replacing it
 * (upsert on day, status and region); later changes go to {@code gold.late_events}.
 */
public final class DailyRevenueJob {

    public static final String UNKNOWN_REGION = "UNKNOWN";

    static final Map<String, ColumnType> CUSTOMER_COLUMNS = Map.of("customer_id", ColumnType.LONG, "region", ColumnType.STRING);

    private DailyRevenueJob() {}

    /** Where daily revenue reads: a capture and its orders and customers tables. */
    public static final class Input {
        private final CdcCapture capture;
        private final String orders;
        private final String customers;

        Input(CdcCapture capture, String orders, String customers) {
            this.capture = capture;
            this.orders = orders;
            this.customers = customers;
        }

        public CdcCapture capture() {
            return capture;
        }

        public String ordersTable() {
            return orders;
        }

        public String customersTable() {
            return customers;
        }

        /** The late-events dataset name: the silver orders table's name. */
        String dataset() {
            return capture.silverTable(orders).identifier().name();
        }
    }

    /**
     * The capture that holds both tables ({@code gold.daily-revenue.*-table}, by default the tables
     * named {@code orders} and {@code customers}); empty when none does.
     */
    public static Optional<Input> input(ReadableConfig config, List<CdcCapture> captures) {
        Optional<String> orders = config.getOptional(GoldOptions.DAILY_REVENUE_ORDERS_TABLE);
        Optional<String> customers = config.getOptional(GoldOptions.DAILY_REVENUE_CUSTOMERS_TABLE);
        for (CdcCapture capture : captures) {
            String o = orders.filter(capture.tables()::containsKey).orElse(orders.isPresent() ? null : named(capture, "orders"));
            String c = customers.filter(capture.tables()::containsKey)
                    .orElse(customers.isPresent() ? null : named(capture, "customers"));
            if (o != null && c != null) {
                return Optional.of(new Input(capture, o, c));
            }
        }
        return Optional.empty();
    }

    /** Problems of the {@code gold.daily-revenue.*} keys given the captured tables ({@code schema.table}). */
    public static List<String> problems(ReadableConfig config, List<String> capturedTables) {
        return GoldOptions.notCaptured(config, capturedTables, GoldOptions.DAILY_REVENUE_ORDERS_TABLE,
                GoldOptions.DAILY_REVENUE_CUSTOMERS_TABLE);
    }

    /** The captured table ({@code schema.table}) named {@code name} in any schema; null if none. */
    public static String named(CdcCapture capture, String name) {
        return capture.tables().keySet().stream().filter(t -> t.endsWith("." + name)).findFirst().orElse(null);
    }

    /**
     * Checks that the tables have the columns daily revenue reads.
     *
     * @throws IllegalArgumentException naming the table and the missing or mistyped columns
     */
    public static void check(Input input) {
        ImageColumns.indexes(input.capture.tables().get(input.orders), OrderTransitions.COLUMNS);
        ImageColumns.indexes(input.capture.tables().get(input.customers), CUSTOMER_COLUMNS);
    }

    /**
     * @param facts the order facts of the orders table ({@link OrderTransitions#of})
     * @param customers the silver row changes of the customers table, as {@code ApplyChanges} emits them
     * @return the order changes too late for their day, as late-events rows
     */
    public static DataStream<RowData> addTo(StreamTableEnvironment tables, Input input, DataStream<OrderFact> facts,
            DataStream<SilverChange> customers, ReadableConfig config, TableSink sink) {
        check(input);
        String dataset = input.dataset();
        String suffix = input.capture.name() + "-" + input.orders;
        Duration lateness = config.get(GoldOptions.ALLOWED_LATENESS);

        DataStream<Row> versions = customers
                .map(new CustomerVersions(input.capture.tables().get(input.customers)))
                .returns(Types.ROW_NAMED(new String[] {"customer_id", "region", "version_ms"}, Types.LONG, Types.STRING, Types.LONG))
                .uid("gold-customer-versions-" + suffix).name("Customer versions of " + input.customers);

        String view = ("revenue_" + suffix).replaceAll("[^A-Za-z0-9_]", "_");
        tables.createTemporaryView(view + "_facts", tables.fromDataStream(facts, Schema.newBuilder()
                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(eventTsMillis, 3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build()));
        tables.createTemporaryView(view + "_customers", tables.fromChangelogStream(versions, Schema.newBuilder()
                .column("customer_id", DataTypes.BIGINT().notNull())
                .column("region", DataTypes.STRING())
                .column("version_ms", DataTypes.BIGINT())
                .columnByExpression("version_ts", "TO_TIMESTAMP_LTZ(version_ms, 3)")
                .watermark("version_ts", "SOURCE_WATERMARK()")
                .primaryKey("customer_id")
                // The full changelog, each row at the time of its change: as an upsert stream, the
                // planner would retract the old version at the old version's time and erase it.
                .build(), ChangelogMode.all()));
        Table enriched = tables.sqlQuery("SELECT f.orderId, f.customerId, f.status, f.total, f.eventTsMillis, f.eventId,"
                + " f.sourceName, f.sourcePartition, f.sourcePosition, c.region"
                + " FROM " + view + "_facts AS f LEFT JOIN " + view + "_customers FOR SYSTEM_TIME AS OF f.rowtime AS c"
                + " ON f.customerId = c.customer_id");
        DataStream<OrderFact> regional = TableApiUids.assign(tables.toDataStream(enriched), view + "_regions", facts, versions)
                .map(DailyRevenueJob::fact).returns(OrderFact.class)
                .uid("gold-orders-with-region-" + suffix).name("Orders with region");

        SingleOutputStreamOperator<OrderFact> finalInput = HoldBackWatermark.on(regional, lateness, "gold-watermarks-final-" + suffix)
                .process(LateEventRouter.<OrderFact>slices(dataset, Duration.ofDays(1).toMillis()))
                .returns(OrderFact.class)
                .uid("gold-late-router-" + suffix).name("Late events of " + dataset);

        TableSpec gold = GoldTables.dailyRevenue(config.get(GoldOptions.TABLE_PREFIX));
        InternalTypeInfo<RowData> goldType = InternalTypeInfo.of(FlinkSchemaUtil.convert(gold.schema()));
        DataStream<RowData> rows = HoldBackWatermark.on(windows(tables, regional, view + "_provisional", false, goldType),
                        lateness, "gold-watermarks-provisional-" + suffix)
                .union(windows(tables, finalInput, view + "_final", true, goldType))
                .keyBy(r -> r.getInt(0) + "|" + r.getString(1) + "|" + r.getString(2))
                .process(new KeepFinal(8, lateness.plus(Duration.ofDays(2))))
                .returns(goldType)
                .uid("gold-keep-final-" + gold.identifier().name()).name("Keep final rows");
        sink.write(gold, rows);
        return finalInput.getSideOutput(LateEventRouter.LATE);
    }

    /** The TUMBLE query over {@code facts}, as gold rows with {@code isFinal}. */
    static DataStream<RowData> windows(StreamTableEnvironment tables, DataStream<OrderFact> facts, String view,
            boolean isFinal, InternalTypeInfo<RowData> goldType) {
        tables.createTemporaryView(view, tables.fromDataStream(facts, Schema.newBuilder()
                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(eventTsMillis, 3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build()));
        Table result = tables.sqlQuery("SELECT window_start, status, region, COUNT(*), COUNT(DISTINCT customerId),"
                + " SUM(total), SUM(CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END)"
                + " FROM TABLE(TUMBLE(TABLE " + view + ", DESCRIPTOR(rowtime), INTERVAL '1' DAY))"
                + " GROUP BY window_start, window_end, status, region");
        return TableApiUids.assign(tables.toDataStream(result), view, facts)
                .map(row -> goldRow(row, isFinal))
                .returns(goldType)
                .name((isFinal ? "Final" : "Provisional") + " daily revenue");
    }

    static RowData goldRow(Row row, boolean isFinal) {
        long orders = (Long) row.getField(3);
        BigDecimal revenue = ((BigDecimal) row.getField(5)).setScale(2, RoundingMode.HALF_UP);
        return GenericRowData.of(
                (int) ((LocalDateTime) row.getField(0)).toLocalDate().toEpochDay(),
                StringData.fromString((String) row.getField(1)),
                StringData.fromString((String) row.getField(2)),
                orders,
                (Long) row.getField(4),
                DecimalData.fromBigDecimal(revenue, 18, 2),
                DecimalData.fromBigDecimal(revenue.divide(BigDecimal.valueOf(orders), 2, RoundingMode.HALF_UP), 18, 2),
                ((Number) row.getField(6)).longValue(),
                isFinal,
                TimestampData.fromLocalDateTime(LocalDateTime.now(ZoneOffset.UTC)));
    }

    private static OrderFact fact(Row row) {
        OrderFact f = new OrderFact();
        f.orderId = (Long) row.getField(0);
        f.customerId = (Long) row.getField(1);
        f.status = (String) row.getField(2);
        f.total = (BigDecimal) row.getField(3);
        f.eventTsMillis = (Long) row.getField(4);
        f.eventId = (String) row.getField(5);
        f.sourceName = (String) row.getField(6);
        f.sourcePartition = (String) row.getField(7);
        f.sourcePosition = (String) row.getField(8);
        String region = (String) row.getField(9);
        f.region = region == null || region.isBlank() ? UNKNOWN_REGION : region.trim();
        return f;
    }

    /**
     * A customers row change as a version of the customer's region, at the change's commit time
     * ({@code -U}/{@code +U} both at it, so the new version replaces the old from then on); rows the
     * snapshot read, valid from the epoch.
     */
    static final class CustomerVersions extends RichMapFunction<SilverChange, Row> {
        private static final long serialVersionUID = 1L;

        private final ChangeRowConverter converter;
        private final int customerId;
        private final int region;

        CustomerVersions(CdcTableSchema customers) {
            Map<String, Integer> at = ImageColumns.indexes(customers, CUSTOMER_COLUMNS);
            this.customerId = at.get("customer_id");
            this.region = at.get("region");
            this.converter = new ChangeRowConverter(customers);
        }

        @Override
        public Row map(SilverChange change) throws Exception {
            GenericRowData row = converter.toRow(change.image, change.op, change.position,
                    TimestampData.fromEpochMillis(change.sourceTsMillis));
            Object r = row.getField(region);
            long validFrom = "r".equals(change.op) ? 0 : change.sourceTsMillis;
            return Row.ofKind(change.rowKind(), row.getLong(customerId), r == null ? null : r.toString(), validFrom);
        }
    }

    /** For tests and the local run: an instant's UTC day as gold stores it. */
    static int epochDay(long millis) {
        return (int) LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).toLocalDate().toEpochDay();
    }
}
