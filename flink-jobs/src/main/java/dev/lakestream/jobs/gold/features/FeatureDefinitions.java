package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.FulfillmentEvent;
import dev.lakestream.jobs.gold.OrderFact;

import java.math.RoundingMode;
import java.time.Duration;

import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.AVERAGE;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.PER_DAY;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.RATIO;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.SUM;

/**
 * Every rolling feature gold computes, in one place. Adding a feature to a set is one {@code
 * feature(...)} line (plus a {@code measure(...)} if it needs a new one); its log and latest
 * tables gain the columns at the next start.
 */
public final class FeatureDefinitions {

    private FeatureDefinitions() {}

    /**
     * {@code customer_features}, from the order changes of a CDC capture ({@link OrderFact}s): per
     * customer, the orders placed in the window (by {@code created_at}), their revenue and average
     * value, and the share of them cancelled so far. An order counts from when its insert was
     * committed; its cancellation from when that was committed, in the day the order was placed.
     */
    public static final FeatureSet<OrderFact> CUSTOMER = FeatureSet.<OrderFact>builder(
                    "customer_features", "customer_id", FeatureSet.EntityType.LONG, "Customer id")
            .from(FeatureSet.Source.ORDER_CHANGES)
            .entity(o -> o.customerId < 0 ? null : Long.toString(o.customerId))
            .countedAt(o -> o.placedAtMillis)
            .buckets(Duration.ofDays(1))
            .windows(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(90))
            .measure("orders", 0, o -> o.newOrder ? 1 : 0)
            .measure("revenue", 2, o -> o.newOrder ? o.total.setScale(2, RoundingMode.HALF_UP).unscaledValue().longValueExact() : 0)
            .measure("cancelled", 0, o -> "CANCELLED".equals(o.status) ? 1 : 0)
            .feature("order_count_{window}", SUM, "Orders placed", "orders")
            .feature("revenue_{window}", SUM, "Sum of the totals of the orders placed (cancelled ones included)", "revenue")
            .feature("avg_order_value_{window}", AVERAGE, "revenue / order_count, half up; null without orders", "revenue", "orders")
            .feature("cancelled_ratio_{window}", RATIO, "Share of the orders placed that were cancelled by then; null without"
                    + " orders", "cancelled", "orders")
            .build();

    /**
     * {@code facility_features}, from silver fulfillment events: per facility, the units handled
     * (every event type, as {@code facility_throughput_hourly.units}) and their daily average.
     */
    public static final FeatureSet<FulfillmentEvent> FACILITY = FeatureSet.<FulfillmentEvent>builder(
                    "facility_features", "facility_id", FeatureSet.EntityType.STRING, "Fulfillment center")
            .from(FeatureSet.Source.FULFILLMENT_EVENTS)
            .entity(e -> e.facilityId)
            .buckets(Duration.ofHours(1))
            .windows(Duration.ofDays(7), Duration.ofDays(30))
            .measure("units", 0, e -> e.units)
            .feature("throughput_{window}_sum", SUM, "Units handled", "units")
            .feature("throughput_{window}_avg", PER_DAY, "Units handled per day (the sum over the window's days)", "units")
            .build();

    /** Every set; gold computes those whose source the job has. */
    public static final java.util.List<FeatureSet<?>> ALL = java.util.List.of(CUSTOMER, FACILITY);
}
