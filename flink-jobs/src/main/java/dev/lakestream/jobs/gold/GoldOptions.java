package dev.lakestream.jobs.gold;

import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.gold.features.RollingFeatures;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of the gold windowed aggregates. Property group {@code gold} on MSF. The watermarks the
 * windows fire on are the event-stream watermarks of {@code watermarks.events.*}.
 */
public final class GoldOptions {

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("gold.enabled").booleanType().defaultValue(true)
                    .withDescription("Compute the gold windows of the configured silver datasets (facility throughput of"
                            + " fulfillment events, user sessions of the clickstream, daily revenue of captured orders)."
                            + " false: bronze and silver only.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("gold.allowed-lateness").durationType().defaultValue(Duration.ofHours(1))
                    .withDescription("How much later an event may still arrive and correct its windows: each window fires"
                            + " again, final, this long after its first result. Later events go to gold.late_events with"
                            + " how late they were.");

    public static final ConfigOption<String> TABLE_PREFIX =
            ConfigOptions.key("gold.table-prefix").stringType().defaultValue("")
                    .withDescription("Prefix of the gold table names, e.g. eu_ gives gold.eu_facility_throughput_hourly.");

    public static final ConfigOption<String> DAILY_REVENUE_ORDERS_TABLE =
            ConfigOptions.key("gold.daily-revenue.orders-table").stringType().noDefaultValue()
                    .withDescription("The captured table (schema.table, as in cdc.*.tables) whose changes daily revenue"
                            + " counts; it needs columns order_id, customer_id, status, total and updated_at. Default: the"
                            + " captured table named orders, if one capture also captures the customers table.");

    public static final ConfigOption<String> DAILY_REVENUE_CUSTOMERS_TABLE =
            ConfigOptions.key("gold.daily-revenue.customers-table").stringType().noDefaultValue()
                    .withDescription("The captured table (schema.table) daily revenue takes each order's region from, as"
                            + " of the order's change; it needs columns customer_id and region. Default: the captured table"
                            + " named customers in the capture of the orders table.");

    public static final ConfigOption<Boolean> FEATURES_ENABLED =
            ConfigOptions.key("gold.features.enabled").booleanType().defaultValue(true)
                    .withDescription("Compute the rolling features of gold.customer_features_* (from the captured orders"
                            + " table) and gold.facility_features_* (from fulfillment events), when gold is enabled and"
                            + " their input is configured.");

    public static final ConfigOption<Duration> FEATURES_ALLOWED_LATENESS =
            ConfigOptions.key("gold.features.allowed-lateness").durationType().defaultValue(Duration.ofHours(1))
                    .withFallbackKeys(ALLOWED_LATENESS.key())
                    .withDescription("How far behind the watermark an event may arrive and still count in the rolling"
                            + " features: a feature row is written once this much event time has passed after its time,"
                            + " and never changes. Later events go to gold.late_events. Default: gold.allowed-lateness.");

    public static final ConfigOption<String> FEATURES_ORDERS_TABLE =
            ConfigOptions.key("gold.features.orders-table").stringType().noDefaultValue()
                    .withDescription("The captured table (schema.table, as in cdc.*.tables) customer features count orders"
                            + " of; it needs columns order_id, customer_id, status, total and updated_at, and uses created_at"
                            + " when it has one. Default: the captured table named orders.");

    public static final ConfigOption<List<Duration>> FEATURES_CUSTOMER_WINDOWS =
            ConfigOptions.key("gold.features.customer.windows").durationType().asList()
                    .defaultValues(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(90))
                    .withDescription("The windows of gold.customer_features_*, ';'-separated: whole days (its buckets"
                            + " are days), at most 366 d each. Each window gives every customer feature a column"
                            + " (order_count_14d, ...): adding one adds columns at the next start, and a job restored"
                            + " from a savepoint fills it from the buckets already in state.");

    public static final ConfigOption<List<Duration>> FEATURES_FACILITY_WINDOWS =
            ConfigOptions.key("gold.features.facility.windows").durationType().asList()
                    .defaultValues(Duration.ofDays(7), Duration.ofDays(30))
                    .withDescription("The windows of gold.facility_features_*, ';'-separated: whole hours (its buckets"
                            + " are hours), at most 366 d each; columns and savepoints as for"
                            + " gold.features.customer.windows.");

    public static final ConfigOption<Integer> STATE_CACHE_KEYS =
            ConfigOptions.key("gold.state-cache-keys").intType().defaultValue(65_536)
                    .withDescription("Keys (users of the sessions, facilities of the throughput windows) whose window state"
                            + " each subtask keeps on the heap between checkpoints, read from RocksDB once and written back"
                            + " before each checkpoint instead of at every event. When more keys are active, the state is"
                            + " written back and the cache emptied. A key takes about 150 bytes plus its windows (48 bytes"
                            + " per open session, 40 per 15-minute slice). 1: every event reads and writes RocksDB.");

    public static final ConfigOption<Integer> FEATURES_WAITING_INPUTS =
            ConfigOptions.key("gold.features.waiting-inputs").intType()
                    .defaultValue(RollingFeatures.DEFAULT_MAX_WAITING)
                    .withDeprecatedKeys("gold.features.waiting-event-times")
                    .withDescription("Inputs that each subtask of the rolling features holds on the heap while they wait"
                            + " for the watermark (gold.features.allowed-lateness behind the newest events, more in a"
                            + " backfill that reads partitions unevenly). When more wait, they are written to RocksDB,"
                            + " one entry per entity and firing interval, and dropped from memory; each entry is read"
                            + " and removed again when its interval fires. An input takes 16 bytes plus 8 per measure,"
                            + " and each entity and interval with inputs about 130 bytes more. 1: every input goes"
                            + " through RocksDB. Formerly gold.features.waiting-event-times, still read.");

    public static final ConfigOption<Duration> FEATURES_FIRING_INTERVAL =
            ConfigOptions.key("gold.features.firing-interval").durationType()
                    .defaultValue(RollingFeatures.DEFAULT_FIRE_INTERVAL)
                    .withDescription("Event time over which an entity's inputs fire together: one timer and at most one"
                            + " RocksDB entry per entity and interval (aligned to the epoch) instead of one per event"
                            + " time. The feature rows and their values are the same; a row is written when the"
                            + " watermark passes the end of its time's interval, so up to this much later. Must divide"
                            + " one hour, e.g. '1 ms' (each event time on its own), '1 s', '1 min', '15 min'.");

    private GoldOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(ENABLED, ALLOWED_LATENESS, TABLE_PREFIX, DAILY_REVENUE_ORDERS_TABLE, DAILY_REVENUE_CUSTOMERS_TABLE,
                FEATURES_ENABLED, FEATURES_ALLOWED_LATENESS, FEATURES_ORDERS_TABLE, FEATURES_CUSTOMER_WINDOWS,
                FEATURES_FACILITY_WINDOWS, STATE_CACHE_KEYS, FEATURES_WAITING_INPUTS, FEATURES_FIRING_INTERVAL);
    }

    /** A problem for each of {@code options} set to a table that is not one of {@code capturedTables} ({@code schema.table}). */
    @SafeVarargs
    public static List<String> notCaptured(ReadableConfig config, List<String> capturedTables, ConfigOption<String>... options) {
        List<String> problems = new ArrayList<>();
        for (ConfigOption<String> option : options) {
            config.getOptional(option).filter(t -> !capturedTables.contains(t)).ifPresent(t -> problems.add(
                    "invalid value for key '" + option.key() + "': '" + t + "' is not a captured table; captured: "
                            + capturedTables));
        }
        return problems;
    }

    /**
     * How far before a gold table's committed watermark a replay looks its rows up by key instead
     * of dropping them by time: the longer allowed lateness (the features' with their firing
     * interval), plus the session gap, plus an hour.
     */
    public static Duration replayHorizon(ReadableConfig config) {
        Duration lateness = config.get(ALLOWED_LATENESS);
        Duration featureLateness = config.get(FEATURES_ALLOWED_LATENESS).plus(config.get(FEATURES_FIRING_INTERVAL));
        Duration longer = lateness.compareTo(featureLateness) >= 0 ? lateness : featureLateness;
        return longer.plus(UserSessionsJob.GAP).plus(Duration.ofHours(1));
    }

    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.get(ALLOWED_LATENESS).isNegative() || config.get(ALLOWED_LATENESS).isZero()) {
            problems.add("invalid value for key '" + ALLOWED_LATENESS.key() + "': must be positive, e.g. '1 h'");
        }
        Duration featureLateness = config.get(FEATURES_ALLOWED_LATENESS);
        if (featureLateness.isNegative() || featureLateness.isZero()) {
            problems.add("invalid value for key '" + FEATURES_ALLOWED_LATENESS.key() + "': must be positive, e.g. '1 h'");
        }
        problems.addAll(FeatureDefinitions.problems(config));
        atLeastOne(config, STATE_CACHE_KEYS, "keys", problems);
        atLeastOne(config, FEATURES_WAITING_INPUTS, "inputs", problems);
        Duration interval = config.get(FEATURES_FIRING_INTERVAL);
        if (interval.toMillis() < 1 || Duration.ofHours(1).toMillis() % interval.toMillis() != 0) {
            problems.add("invalid value for key '" + FEATURES_FIRING_INTERVAL.key() + "': " + interval.toMillis()
                    + " ms; allowed: a whole number of milliseconds that divides one hour (the facility features'"
                    + " bucket), e.g. '1 s', '1 min', '15 min'");
        }
        if (!config.get(TABLE_PREFIX).matches("[a-z0-9_]*")) {
            problems.add("invalid value for key '" + TABLE_PREFIX.key() + "': '" + config.get(TABLE_PREFIX)
                    + "' may hold only a-z, 0-9 and _ (Glue and Athena table names)");
        }
        return problems;
    }

    /** A heap limit per subtask: 1 is the smallest (everything goes through RocksDB). */
    private static void atLeastOne(ReadableConfig config, ConfigOption<Integer> option, String what, List<String> problems) {
        if (config.get(option) < 1) {
            problems.add("invalid value for key '" + option.key() + "': " + config.get(option) + "; allowed: 1 or more "
                    + what + " per subtask");
        }
    }
}
