package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;

import java.util.List;
import java.util.Set;

/**
 * Gold tables: windowed aggregates, one row per group and window, upserted when a window fires
 * again (its provisional row is replaced by the final one); and the events that arrived too late
 * for any window.
 */
public final class GoldTables {

    /**
     * Table property of an append-only gold table: the columns of the entity a row describes (comma
     * separated). With {@link #REPLAY_START} they identify a row; with {@link #REPLAY_TIME} too,
     * they let a replay skip the rows the table already holds.
     */
    public static final String REPLAY_KEY = "lakestream.replay.key";
    /**
     * Table property of an append-only gold table: the timestamp column that identifies a row with
     * its entity, never after {@link #REPLAY_TIME} (a session's start; for a point in time, the same
     * column as {@link #REPLAY_TIME}).
     */
    public static final String REPLAY_START = "lakestream.replay.start";
    /**
     * Table property of an append-only gold table: the timestamp column at or before which the
     * event-time watermark has passed when the row is written (a session's end).
     */
    public static final String REPLAY_TIME = "lakestream.replay.time";

    public static final String FACILITY_ID = "facility_id";
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    public static final String UNITS = "units";
    public static final String EVENTS = "events";
    public static final String UNITS_SHIPPED = "units_shipped";
    public static final String UNITS_DAMAGED = "units_damaged";
    public static final String IS_FINAL = "is_final";
    public static final String COMPUTED_AT = "computed_at";

    private static final Schema FACILITY_THROUGHPUT =
            new Schema(
                    java.util.List.of(
                            Types.NestedField.required(1, FACILITY_ID, Types.StringType.get(), "Fulfillment center"),
                            Types.NestedField.required(2, WINDOW_START, Types.TimestampType.withoutZone(), "Window start, UTC"),
                            Types.NestedField.required(3, WINDOW_END, Types.TimestampType.withoutZone(), "Window end (exclusive), UTC"),
                            Types.NestedField.required(4, UNITS, Types.LongType.get(), "Units handled in the window"),
                            Types.NestedField.required(5, EVENTS, Types.LongType.get(), "Events in the window"),
                            Types.NestedField.required(6, UNITS_SHIPPED, Types.LongType.get(), "Units of SHIPPED events"),
                            Types.NestedField.required(7, UNITS_DAMAGED, Types.LongType.get(), "Units of DAMAGED events"),
                            Types.NestedField.required(
                                    8, IS_FINAL, Types.BooleanType.get(),
                                    "false: fired at the watermark, may still be corrected; true: includes every event"
                                            + " within the allowed lateness, will not change"),
                            Types.NestedField.required(9, COMPUTED_AT, Types.TimestampType.withoutZone(), "When the row was computed, UTC")),
                    Set.of(1, 2));

    public static final String USER_ID = "user_id";
    public static final String SESSION_START = "session_start";
    public static final String SESSION_END = "session_end";
    public static final String PAGE_VIEWS = "page_views";
    public static final String ADDS_TO_CART = "adds_to_cart";
    public static final String PURCHASES = "purchases";

    private static final Schema USER_SESSIONS =
            new Schema(
                    Types.NestedField.required(1, USER_ID, Types.LongType.get(), "Customer id"),
                    Types.NestedField.required(2, SESSION_START, Types.TimestampType.withoutZone(), "First event of the session, UTC"),
                    Types.NestedField.required(
                            3, SESSION_END, Types.TimestampType.withoutZone(), "Last event of the session plus the gap, UTC"),
                    Types.NestedField.required(4, EVENTS, Types.LongType.get(), "Events in the session"),
                    Types.NestedField.required(5, PAGE_VIEWS, Types.LongType.get(), "VIEW events"),
                    Types.NestedField.required(6, ADDS_TO_CART, Types.LongType.get(), "ADD_TO_CART events"),
                    Types.NestedField.required(7, PURCHASES, Types.LongType.get(), "PURCHASE events"),
                    Types.NestedField.required(8, COMPUTED_AT, Types.TimestampType.withoutZone(), "When the row was computed, UTC"));

    public static final String REVENUE_DATE = "revenue_date";
    public static final String STATUS = "status";
    public static final String REGION = "region";
    public static final String TOTAL_ORDERS = "total_orders";
    public static final String UNIQUE_CUSTOMERS = "unique_customers";
    public static final String REVENUE = "revenue";
    public static final String AVG_ORDER_VALUE = "avg_order_value";
    public static final String CANCELLED_ORDERS = "cancelled_orders";

    private static final Schema DAILY_REVENUE =
            new Schema(
                    java.util.List.of(
                            Types.NestedField.required(1, REVENUE_DATE, Types.DateType.get(), "UTC day the orders entered the status"),
                            Types.NestedField.required(2, STATUS, Types.StringType.get(), "Order status entered, upper-case"),
                            Types.NestedField.required(
                                    3, REGION, Types.StringType.get(), "Customer's region as of the change; UNKNOWN if none"),
                            Types.NestedField.required(4, TOTAL_ORDERS, Types.LongType.get(), "Orders that entered the status"),
                            Types.NestedField.required(5, UNIQUE_CUSTOMERS, Types.LongType.get(), "Distinct customers of those orders"),
                            Types.NestedField.required(6, REVENUE, Types.DecimalType.of(18, 2), "Sum of their totals"),
                            Types.NestedField.required(7, AVG_ORDER_VALUE, Types.DecimalType.of(18, 2), "revenue / total_orders, half up"),
                            Types.NestedField.required(8, CANCELLED_ORDERS, Types.LongType.get(), "Of them, status CANCELLED"),
                            Types.NestedField.required(
                                    9, IS_FINAL, Types.BooleanType.get(),
                                    "false: fired at the watermark, may still be corrected; true: includes every change"
                                            + " within the allowed lateness, will not change"),
                            Types.NestedField.required(10, COMPUTED_AT, Types.TimestampType.withoutZone(), "When the row was computed, UTC")),
                    Set.of(1, 2, 3));

    public static final String DATASET = "dataset";
    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TS = "event_ts";
    public static final String WATERMARK_TS = "watermark_ts";
    public static final String LATENESS_MS = "lateness_ms";
    public static final String SOURCE_NAME = "source_name";
    public static final String SOURCE_PARTITION = "source_partition";
    public static final String SOURCE_POSITION = "source_position";
    public static final String RECEIVED_AT = "received_at";

    private static final Schema LATE_EVENTS =
            new Schema(
                    Types.NestedField.required(1, DATASET, Types.StringType.get(), "Silver dataset of the event, or the feature set (e.g. customer_features) it came too late for"),
                    Types.NestedField.required(2, EVENT_ID, Types.StringType.get(), "Business key of the event"),
                    Types.NestedField.required(3, EVENT_TS, Types.TimestampType.withoutZone(), "Event time, UTC"),
                    Types.NestedField.required(
                            4, WATERMARK_TS, Types.TimestampType.withoutZone(),
                            "The watermark (final results) when the event arrived, UTC: its windows had closed"),
                    Types.NestedField.required(5, LATENESS_MS, Types.LongType.get(), "watermark_ts - event_ts, milliseconds"),
                    Types.NestedField.required(6, SOURCE_NAME, Types.StringType.get(), "Kafka topic or Kinesis stream"),
                    Types.NestedField.required(7, SOURCE_PARTITION, Types.StringType.get(), "Partition or shard"),
                    Types.NestedField.required(8, SOURCE_POSITION, Types.StringType.get(), "Offset or sequence number"),
                    Types.NestedField.required(9, RECEIVED_AT, Types.TimestampType.withoutZone(), "When gold saw it, UTC"));

    public static final String FEATURE_TS = "feature_ts";

    private GoldTables() {}

    /** {@code gold.<prefix>facility_throughput_hourly}: hopping windows of units per facility. */
    public static TableSpec facilityThroughputHourly(String prefix) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + "facility_throughput_hourly")
                        .schema(FACILITY_THROUGHPUT)
                        .partitioning(s -> PartitionSpec.builderFor(s).day(WINDOW_START).build()))
                // A window's row is replaced when it fires again: upserts on (facility_id, window_start).
                .property(TableProperties.UPSERT_ENABLED, "true")
                .build();
    }

    /**
     * {@code gold.<prefix>user_sessions}: clickstream sessions (30 minutes without events end one),
     * written once per session when it is final: append-only, no deletes.
     */
    public static TableSpec userSessions(String prefix) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + "user_sessions")
                        .schema(USER_SESSIONS)
                        .partitioning(s -> PartitionSpec.builderFor(s).day(SESSION_START).build()))
                .property(REPLAY_KEY, USER_ID)
                .property(REPLAY_START, SESSION_START)
                .property(REPLAY_TIME, SESSION_END)
                .build();
    }

    /**
     * {@code gold.<prefix>daily_revenue}: per UTC day, status and region, the orders that entered the
     * status that day; test orders excluded. Upserted on (revenue_date, status, region).
     */
    public static TableSpec dailyRevenue(String prefix) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + "daily_revenue")
                        .schema(DAILY_REVENUE)
                        .partitioning(s -> PartitionSpec.builderFor(s).month(REVENUE_DATE).build()))
                .property(TableProperties.UPSERT_ENABLED, "true")
                .build();
    }

    /**
     * {@code gold.<prefix><name>_log}: a point-in-time feature log, for training. One row per entity
     * and time at which any of its features changed (an event, or a day leaving a window), holding
     * every feature as of that time. Append-only, partitioned by the day of {@code feature_ts}.
     *
     * @param entity the entity key column (id 1, required)
     * @param features the feature columns, in declaration order (optional: a ratio of nothing is null)
     */
    public static TableSpec featureLog(String prefix, String name, Types.NestedField entity, List<Types.NestedField> features) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + name + "_log")
                        .schema(featureSchema(entity, features, false))
                        .partitioning(s -> PartitionSpec.builderFor(s).day(FEATURE_TS).build()))
                .property(REPLAY_KEY, entity.name())
                .property(REPLAY_START, FEATURE_TS)
                .property(REPLAY_TIME, FEATURE_TS)
                .build();
    }

    /**
     * {@code gold.<prefix><name>_latest}: each entity's features as of its newest log row, for
     * serving and BI. Upserted on the entity key; bucketed by it (a key never changes, so an upsert
     * never moves a row between partitions) or, for a set of few entities, unpartitioned: every
     * checkpoint writes a data and an equality-delete file per bucket a writer touched, and a few
     * dozen facilities spread over 16 buckets made 32 small files per writer and checkpoint.
     *
     * @param buckets the number of entity buckets; 0: unpartitioned
     */
    public static TableSpec featureLatest(String prefix, String name, Types.NestedField entity, List<Types.NestedField> features,
            int buckets) {
        if (buckets < 0) {
            throw new IllegalArgumentException(name + "_latest: buckets must be 0 (unpartitioned) or more, got " + buckets);
        }
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + name + "_latest")
                        .schema(featureSchema(entity, features, true))
                        .partitioning(s -> buckets == 0
                                ? PartitionSpec.unpartitioned()
                                : PartitionSpec.builderFor(s).bucket(entity.name(), buckets).build()))
                .property(TableProperties.UPSERT_ENABLED, "true")
                .build();
    }

    /**
     * Entity (id 1), feature time (2), computed-at (3), then the features from id 4 on: a feature
     * added later appends a column, so the ids of existing ones never move.
     */
    private static Schema featureSchema(Types.NestedField entity, List<Types.NestedField> features, boolean keyed) {
        List<Types.NestedField> columns = new java.util.ArrayList<>();
        columns.add(Types.NestedField.required(1, entity.name(), entity.type(), entity.doc()));
        columns.add(Types.NestedField.required(2, FEATURE_TS, Types.TimestampType.withoutZone(),
                "The time the values hold as of, UTC: they count exactly the events at or before it"));
        columns.add(Types.NestedField.required(3, COMPUTED_AT, Types.TimestampType.withoutZone(), "When the row was computed, UTC"));
        int id = 4;
        for (Types.NestedField f : features) {
            columns.add(Types.NestedField.optional(id++, f.name(), f.type(), f.doc()));
        }
        return keyed ? new Schema(columns, Set.of(1)) : new Schema(columns);
    }

    /** {@code gold.<prefix>late_events}: events past the allowed lateness, with how late they were. */
    public static TableSpec lateEvents(String prefix) {
        return AppendOnlyTables.withProperties(TableSpec.builder(Layer.GOLD, prefix + "late_events")
                        .schema(LATE_EVENTS)
                        .partitioning(s -> PartitionSpec.builderFor(s).day(RECEIVED_AT).build()))
                .build();
    }
}
