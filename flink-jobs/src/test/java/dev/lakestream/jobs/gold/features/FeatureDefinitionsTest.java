package dev.lakestream.jobs.gold.features;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.gold.FulfillmentEvent;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.OrderFact;

import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureDefinitionsTest {

    @Test
    void customerFeaturesHaveEveryFeatureForEveryWindowWithItsType() {
        TableSpec log = FeatureDefinitions.CUSTOMER.logTable("");
        assertThat(log.identifier().toString()).isEqualTo("gold.customer_features_log");
        assertThat(log.schema().columns().stream().map(c -> c.name() + ":" + c.type()).collect(Collectors.toList())).containsExactly(
                "customer_id:long", "feature_ts:timestamp", "computed_at:timestamp",
                "order_count_7d:long", "order_count_30d:long", "order_count_90d:long",
                "revenue_7d:decimal(18, 2)", "revenue_30d:decimal(18, 2)", "revenue_90d:decimal(18, 2)",
                "avg_order_value_7d:decimal(18, 2)", "avg_order_value_30d:decimal(18, 2)", "avg_order_value_90d:decimal(18, 2)",
                "cancelled_ratio_7d:double", "cancelled_ratio_30d:double", "cancelled_ratio_90d:double");
        assertThat(log.partitionSpec().fields()).singleElement().satisfies(f -> assertThat(f.transform().toString()).isEqualTo("day"));
        assertThat(log.schema().identifierFieldIds()).isEmpty();
    }

    @Test
    void theLatestTableIsUpsertedOnTheEntityAndUnpartitionedForFacilities() {
        TableSpec latest = FeatureDefinitions.FACILITY.latestTable("eu_");
        assertThat(latest.identifier().toString()).isEqualTo("gold.eu_facility_features_latest");
        assertThat(latest.schema().columns().stream().map(Types.NestedField::name).collect(Collectors.toList())).containsExactly(
                "facility_id", "feature_ts", "computed_at", "throughput_7d_sum", "throughput_30d_sum", "throughput_7d_avg",
                "throughput_30d_avg");
        assertThat(latest.schema().identifierFieldNames()).containsExactly("facility_id");
        assertThat(latest.properties()).containsEntry(TableProperties.UPSERT_ENABLED, "true");
        assertThat(latest.partitionSpec().isUnpartitioned()).isTrue();
    }

    @Test
    void theCustomerLatestTableIsBucketedByTheEntity() {
        TableSpec latest = FeatureDefinitions.CUSTOMER.latestTable("");
        assertThat(latest.schema().identifierFieldNames()).containsExactly("customer_id");
        assertThat(latest.partitionSpec().fields()).singleElement()
                .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("bucket[16]"));
    }

    @Test
    void aNegativeLatestBucketCountIsRefused() {
        assertThatThrownBy(() -> FeatureSet.<FulfillmentEvent>builder("f", "facility_id", FeatureSet.EntityType.STRING, "doc")
                        .from(FeatureSet.Source.FULFILLMENT_EVENTS).entity(e -> e.facilityId).buckets(Duration.ofHours(1))
                        .latestBuckets(-1).windows(Duration.ofDays(1)).measure("units", 0, e -> e.units)
                        .feature("u_{window}", FeatureSet.Aggregation.SUM, "doc", "units").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latestBuckets(...) must be 0 (unpartitioned) or more; got -1");
    }

    @Test
    void anOrderCountsWhenPlacedAndItsCancellationInTheDayItWasPlaced() {
        OrderFact placed = fact(true, "PLACED", 1_000_000, 1_000_000);
        FeatureInput in = FeatureDefinitions.CUSTOMER.input(placed);
        assertThat(in.entity).isEqualTo("42");
        assertThat(in.deltas).containsExactly(1, 12_345, 0);
        assertThat(in.bucketTsMillis).isEqualTo(1_000_000);

        FeatureInput cancelled = FeatureDefinitions.CUSTOMER.input(fact(false, "CANCELLED", 9_000_000, 1_000_000));
        assertThat(cancelled.deltas).containsExactly(0, 0, 1);
        assertThat(cancelled.bucketTsMillis).isEqualTo(1_000_000);
        assertThat(cancelled.eventTsMillis).isEqualTo(9_000_000);

        assertThat(FeatureDefinitions.CUSTOMER.input(fact(false, "SHIPPED", 9_000_000, 1_000_000)))
                .as("a status change other than a cancellation adds nothing").isNull();
        OrderFact noCustomer = fact(true, "PLACED", 1, 1);
        noCustomer.customerId = -1;
        assertThat(FeatureDefinitions.CUSTOMER.input(noCustomer)).isNull();
        // A clock ahead of the commit: the order counts no later than it became known.
        assertThat(FeatureDefinitions.CUSTOMER.input(fact(true, "PLACED", 5_000, 8_000)).bucketTsMillis).isEqualTo(5_000);
    }

    @Test
    void everyFulfillmentEventCountsItsUnits() {
        FulfillmentEvent e = new FulfillmentEvent();
        e.facilityId = "FC-7";
        e.eventType = "DAMAGED";
        e.units = 3;
        e.eventTsMillis = 77;
        e.eventId = "e1";
        FeatureInput in = FeatureDefinitions.FACILITY.input(e);
        assertThat(in.entity).isEqualTo("FC-7");
        assertThat(in.deltas).containsExactly(3);
        assertThat(in.bucketTsMillis).isEqualTo(77);
    }

    @Test
    void theDefaultWindowsGiveTheSetsOfTheConstantsSoStateColumnsAndUidsStayAsTheyWere() {
        List<FeatureSet<?>> sets = FeatureDefinitions.all(new Configuration());
        assertThat(sets).extracting(FeatureSet::name).containsExactly("customer_features", "facility_features");
        assertThat(columns(sets.get(0).logTable(""))).isEqualTo(columns(FeatureDefinitions.CUSTOMER.logTable("")));
        assertThat(columns(sets.get(1).logTable(""))).isEqualTo(columns(FeatureDefinitions.FACILITY.logTable("")));
        assertThat(sets.get(0).windowMillis()).isEqualTo(FeatureDefinitions.CUSTOMER.windowMillis())
                .containsExactly(Duration.ofDays(7).toMillis(), Duration.ofDays(30).toMillis(), Duration.ofDays(90).toMillis());
        assertThat(sets.get(1).windowMillis())
                .containsExactly(Duration.ofDays(7).toMillis(), Duration.ofDays(30).toMillis());
    }

    @Test
    void aConfiguredWindowAppendsAColumnPerFeatureAfterTheDefaultOnesAsTableEvolutionDoes() {
        Configuration config = Configuration.fromMap(Map.of("gold.features.customer.windows", "90 d;7 d;14 d;30 d",
                "gold.features.facility.windows", "12 h;7 d"));
        assertThat(GoldOptions.problems(config)).isEmpty();
        FeatureSet<?> customer = FeatureDefinitions.customer(config);
        List<String> expected = new java.util.ArrayList<>(columns(FeatureDefinitions.CUSTOMER.logTable("")));
        expected.addAll(List.of("order_count_14d:long", "revenue_14d:decimal(18, 2)", "avg_order_value_14d:decimal(18, 2)",
                "cancelled_ratio_14d:double"));
        // The order Iceberg writes in: a table created with the defaults gains the 14-day columns at its end.
        assertThat(columns(customer.logTable(""))).containsExactlyElementsOf(expected);
        assertThat(columns(FeatureDefinitions.facility(config).latestTable("")))
                .contains("throughput_12h_sum:long", "throughput_7d_avg:double").hasSize(3 + 2 * 2);
    }

    @Test
    void windowsThatAreNotWholeBucketsOrTooLongFailNamingTheKeyAndWhatIsAllowed() {
        Configuration config = Configuration.fromMap(Map.of("gold.features.customer.windows", "7 d;36 h;400 d",
                "gold.features.facility.windows", "30 min;7 d;7 d"));
        assertThat(GoldOptions.problems(config)).containsExactlyInAnyOrder(
                "invalid value for key 'gold.features.customer.windows': [36 h, 400 d] not allowed; allowed: one or more"
                        + " distinct windows, ';'-separated, each whole days from 1 d to 366 d, e.g. '7 d;30 d;90 d'",
                "invalid value for key 'gold.features.facility.windows': [30 min] not allowed; allowed: one or more"
                        + " distinct windows, ';'-separated, each whole hours from 1 h to 366 d, e.g. '7 d;30 d'",
                "invalid value for key 'gold.features.facility.windows': windows repeat in [30 min, 7 d, 7 d]; allowed:"
                        + " one or more distinct windows, ';'-separated, each whole hours from 1 h to 366 d, e.g. '7 d;30 d'");
        assertThat(GoldOptions.problems(Configuration.fromMap(Map.of("gold.features.customer.windows", "0 d"))))
                .singleElement().asString().contains("'gold.features.customer.windows': [0 ms] not allowed");
    }

    private static List<String> columns(TableSpec table) {
        return table.schema().columns().stream().map(c -> c.name() + ":" + c.type()).collect(Collectors.toList());
    }

    private static OrderFact fact(boolean newOrder, String status, long at, long placedAt) {
        OrderFact f = new OrderFact();
        f.orderId = 1;
        f.customerId = 42;
        f.status = status;
        f.total = new BigDecimal("123.45");
        f.newOrder = newOrder;
        f.eventTsMillis = at;
        f.placedAtMillis = placedAt;
        f.eventId = "1:" + status;
        return f;
    }
}
