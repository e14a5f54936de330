package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.FulfillmentEvent;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.OrderFact;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.AVERAGE;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.PER_DAY;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.RATIO;
import static dev.lakestream.jobs.gold.features.FeatureSet.Aggregation.SUM;

/**
 * Every rolling feature gold computes, in one place. Adding a feature to a set is one {@code
 * feature(...)} line (plus a {@code measure(...)} if it needs a new one); its log and latest
 * tables gain the columns at the next start. The windows are configuration ({@code
 * gold.features.customer.windows}, {@code gold.features.facility.windows}); with the defaults the
 * sets, their columns, state and uids are those of the constants here.
 *
 * <p>Savepoint compatibility: a set's name is part of its operators' uids ({@code
 * gold-features-<name>}); buckets and measures are its state. Windows may change freely between
 * runs ({@link RollingFeatures} rebuilds its summary from the buckets), as long as the longest one
 * does not grow past what was kept: a bucket older than the previous longest window is gone.
 */
public final class FeatureDefinitions {

    /** State keeps one entry per bucket of the longest window: a year of day buckets at most. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);
    static final Duration CUSTOMER_BUCKET = Duration.ofDays(1);
    static final Duration FACILITY_BUCKET = Duration.ofHours(1);

    private FeatureDefinitions() {}

    /** The sets gold computes (those whose source the job has), with the configured windows. */
    public static List<FeatureSet<?>> all(ReadableConfig config) {
        return List.of(customer(config.get(GoldOptions.FEATURES_CUSTOMER_WINDOWS)),
                facility(config.get(GoldOptions.FEATURES_FACILITY_WINDOWS)));
    }

    /** The customer set of {@code config}. */
    public static FeatureSet<OrderFact> customer(ReadableConfig config) {
        return customer(config.get(GoldOptions.FEATURES_CUSTOMER_WINDOWS));
    }

    /** The facility set of {@code config}. */
    public static FeatureSet<FulfillmentEvent> facility(ReadableConfig config) {
        return facility(config.get(GoldOptions.FEATURES_FACILITY_WINDOWS));
    }

    /** Problems of the window options, each naming its key and what it allows. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        windowProblems(GoldOptions.FEATURES_CUSTOMER_WINDOWS, config.get(GoldOptions.FEATURES_CUSTOMER_WINDOWS),
                CUSTOMER_BUCKET, "whole days", problems);
        windowProblems(GoldOptions.FEATURES_FACILITY_WINDOWS, config.get(GoldOptions.FEATURES_FACILITY_WINDOWS),
                FACILITY_BUCKET, "whole hours", problems);
        return problems;
    }

    private static void windowProblems(ConfigOption<List<Duration>> option, List<Duration> windows, Duration bucket,
            String unit, List<String> problems) {
        String allowed = "allowed: one or more distinct windows, ';'-separated, each " + unit + " from " + label(bucket)
                + " to " + label(MAX_WINDOW) + ", e.g. '" + String.join(";", labels(option.defaultValue())) + "'";
        if (windows.isEmpty()) {
            problems.add("invalid value for key '" + option.key() + "': no window; " + allowed);
            return;
        }
        List<String> wrong = new ArrayList<>();
        for (Duration w : windows) {
            if (w.isNegative() || w.isZero() || w.toMillis() % bucket.toMillis() != 0 || w.compareTo(MAX_WINDOW) > 0) {
                wrong.add(label(w));
            }
        }
        if (!wrong.isEmpty()) {
            problems.add("invalid value for key '" + option.key() + "': " + wrong + " not allowed; " + allowed);
        }
        if (new HashSet<>(windows).size() != windows.size()) {
            problems.add("invalid value for key '" + option.key() + "': windows repeat in " + labels(windows) + "; " + allowed);
        }
    }

    private static List<String> labels(List<Duration> windows) {
        List<String> labels = new ArrayList<>();
        windows.forEach(w -> labels.add(label(w)));
        return labels;
    }

    /** {@code 7 d}, {@code 12 h}, or Flink's own notation for anything else. */
    private static String label(Duration d) {
        if (!d.isNegative() && !d.isZero() && d.toMillis() % Duration.ofDays(1).toMillis() == 0) {
            return d.toDays() + " d";
        }
        if (!d.isNegative() && !d.isZero() && d.toMillis() % Duration.ofHours(1).toMillis() == 0) {
            return d.toHours() + " h";
        }
        return org.apache.flink.util.TimeUtils.formatWithHighestUnit(d);
    }

    /**
     * {@code customer_features} with the default windows (7, 30, 90 days), from the order changes of a CDC capture ({@link OrderFact}s): per
     * customer, the orders placed in the window (by {@code created_at}), their revenue and average
     * value, and the share of them cancelled so far. An order counts from when its insert was
     * committed; its cancellation from when that was committed, in the day the order was placed.
     */
    public static final FeatureSet<OrderFact> CUSTOMER = customer(GoldOptions.FEATURES_CUSTOMER_WINDOWS.defaultValue());

    /** {@link #CUSTOMER} over {@code windows}. */
    public static FeatureSet<OrderFact> customer(List<Duration> windows) {
        return FeatureSet.<OrderFact>builder(
                    "customer_features", "customer_id", FeatureSet.EntityType.LONG, "Customer id")
            .from(FeatureSet.Source.ORDER_CHANGES)
            .entity(o -> o.customerId < 0 ? null : Long.toString(o.customerId))
            .countedAt(o -> o.placedAtMillis)
            .buckets(CUSTOMER_BUCKET)
            .windows(windows.toArray(new Duration[0]))
            .baseWindows(GoldOptions.FEATURES_CUSTOMER_WINDOWS.defaultValue())
            .measure("orders", 0, o -> o.newOrder ? 1 : 0)
            .measure("revenue", 2, o -> o.newOrder ? o.total.setScale(2, RoundingMode.HALF_UP).unscaledValue().longValueExact() : 0)
            .measure("cancelled", 0, o -> "CANCELLED".equals(o.status) ? 1 : 0)
            .feature("order_count_{window}", SUM, "Orders placed", "orders")
            .feature("revenue_{window}", SUM, "Sum of the totals of the orders placed (cancelled ones included)", "revenue")
            .feature("avg_order_value_{window}", AVERAGE, "revenue / order_count, half up; null without orders", "revenue", "orders")
            .feature("cancelled_ratio_{window}", RATIO, "Share of the orders placed that were cancelled by then; null without"
                    + " orders", "cancelled", "orders")
            .build();
    }

    /**
     * {@code facility_features} with the default windows (7, 30 days), from silver fulfillment events: per facility, the units handled
     * (every event type, as {@code facility_throughput_hourly.units}) and their daily average. Its
     * latest table is unpartitioned.
     */
    public static final FeatureSet<FulfillmentEvent> FACILITY = facility(GoldOptions.FEATURES_FACILITY_WINDOWS.defaultValue());

    /** {@link #FACILITY} over {@code windows}. */
    public static FeatureSet<FulfillmentEvent> facility(List<Duration> windows) {
        return FeatureSet.<FulfillmentEvent>builder(
                    "facility_features", "facility_id", FeatureSet.EntityType.STRING, "Fulfillment center")
            .from(FeatureSet.Source.FULFILLMENT_EVENTS)
            .entity(e -> e.facilityId)
            .buckets(FACILITY_BUCKET)
            .latestBuckets(0) // tens to thousands of facilities: one small table
            .windows(windows.toArray(new Duration[0]))
            .baseWindows(GoldOptions.FEATURES_FACILITY_WINDOWS.defaultValue())
            .measure("units", 0, e -> e.units)
            .feature("throughput_{window}_sum", SUM, "Units handled", "units")
            .feature("throughput_{window}_avg", PER_DAY, "Units handled per day (the sum over the window's days)", "units")
            .build();
    }
}
