package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gold daily revenue from a generated shop history: Debezium envelopes of {@code customers} and
 * {@code orders} on Kafka (orders on two partitions, keyed by order id, as Kafka Connect writes
 * them), a snapshot, then five days of changes: new orders, status changes, cancellations, orders
 * marked test, updates that keep the status, deletes, new customers, customers moving region or
 * erased. A few changes carry commit times up to 40 minutes behind (a stepped database clock):
 * within the allowed lateness. After the windows are final, one change arrives whose day has
 * closed for good.
 *
 * <p>Every final day equals a plain-Java computation over the same history (status entries by
 * commit day, the customer's region as of the change, test orders excluded), and the too-late
 * change is in the late table with its exact lateness.
 */
class DailyRevenueITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final Instant DAY0 = Instant.parse("2026-11-10T00:00:00Z");
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final String[] REGIONS = {"NA", "EU", "APAC"};

    /** The shop as the generator changes it, and what daily revenue must count. */
    private static final class Shop {
        final String customersTopic;
        final String ordersTopic;
        final List<byte[][]> customerRecords = new ArrayList<>();
        final List<byte[][]> orderRecords = new ArrayList<>();
        /** Customer id to its region versions: valid-from millis to region (null: no region, or erased). */
        final Map<Long, TreeMap<Long, String>> regions = new HashMap<>();
        final Map<Long, Order> orders = new TreeMap<>();
        final List<String[]> facts = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(11);
        long lsn = 30_000_000L;
        long nextCustomer = 1;
        long nextOrder = 1;

        Shop(String customersTopic, String ordersTopic) {
            this.customersTopic = customersTopic;
            this.ordersTopic = ordersTopic;
        }

        static final class Order {
            long id;
            long customer;
            String status;
            BigDecimal total;
            long updatedAt;
        }

        String region(long customer, long at) {
            TreeMap<Long, String> versions = regions.get(customer);
            if (versions == null) {
                return DailyRevenueJob.UNKNOWN_REGION;
            }
            Map.Entry<Long, String> v = versions.floorEntry(at);
            return v == null || v.getValue() == null ? DailyRevenueJob.UNKNOWN_REGION : v.getValue();
        }

        void customer(String op, long id, String region, long ts) {
            String image = String.format(Locale.ROOT, "{\"customer_id\":%d,\"email\":\"c%d@example.com\",\"region\":%s,"
                            + "\"country\":\"US\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", id, id,
                    region == null ? "null" : "\"" + region + "\"", Instant.ofEpochMilli(ts), Instant.ofEpochMilli(ts));
            boolean delete = op.equals("d");
            customerRecords.add(record("{\"customer_id\":" + id + "}", envelope("customers", op,
                    delete ? "{\"customer_id\":" + id + "}" : null, delete ? null : image, ts)));
            regions.computeIfAbsent(id, k -> new TreeMap<>()).put(op.equals("r") ? 0L : ts, delete ? null : region);
        }

        void order(String op, Order o, long ts) {
            String image = String.format(Locale.ROOT, "{\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":\"%s\","
                            + "\"currency\":\"USD\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", o.id, o.customer,
                    o.status, o.total.toPlainString(), Instant.ofEpochMilli(o.updatedAt), Instant.ofEpochMilli(o.updatedAt));
            boolean delete = op.equals("d");
            orderRecords.add(record("{\"order_id\":" + o.id + "}", envelope("orders", op,
                    delete ? "{\"order_id\":" + o.id + "}" : null, delete ? null : image, ts)));
        }

        /** A status entry daily revenue must count (or not: test orders). */
        void fact(Order o, long at) {
            if (!o.status.equals("test")) {
                facts.add(new String[] {String.valueOf(o.id), String.valueOf(o.customer), o.status.toUpperCase(Locale.ROOT),
                        o.total.toPlainString(), String.valueOf(at), region(o.customer, at)});
            }
        }

        String envelope(String table, String op, String before, String after, long ts) {
            boolean snapshot = op.equals("r");
            return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"version\":\"2.7.3.Final\","
                    + "\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":" + ts + ",\"snapshot\":\""
                    + (snapshot ? "true" : "false") + "\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"" + table
                    + "\",\"lsn\":" + (lsn += 8) + "},\"op\":\"" + op + "\",\"ts_ms\":" + (ts + 150) + "}";
        }

        static byte[][] record(String key, String value) {
            return new byte[][] {key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)};
        }

        Order newOrder(long customer, String status, long updatedAt) {
            Order o = new Order();
            o.id = nextOrder++;
            o.customer = customer;
            o.status = status;
            o.total = BigDecimal.valueOf(500 + random.nextInt(49_500), 2);
            o.updatedAt = updatedAt;
            orders.put(o.id, o);
            return o;
        }

        Order anyOrder() {
            List<Long> ids = new ArrayList<>(orders.keySet());
            return orders.get(ids.get(random.nextInt(ids.size())));
        }
    }

    @Test
    void finalDaysEqualAnIndependentComputationAndTooLateChangesAreKept() throws Exception {
        LocalServices services = LocalServices.shared();
        String prefix = services.uniqueName("revenue");
        Shop shop = new Shop(prefix + "_customers", prefix + "_orders");
        long snapshotAt = DAY0.minus(Duration.ofHours(1)).toEpochMilli();

        // The snapshot: customers and orders as they were, with no commit time.
        for (int i = 0; i < 40; i++) {
            long id = shop.nextCustomer++;
            shop.customer("r", id, id % 13 == 0 ? null : REGIONS[(int) (id % 3)], snapshotAt);
        }
        for (int i = 0; i < 60; i++) {
            String status = i % 17 == 5 ? "test" : i % 3 == 0 ? "paid" : "placed";
            Shop.Order o = shop.newOrder(1 + i % 40, status, DAY0.minus(Duration.ofDays(2)).toEpochMilli() + i * 45 * 60_000L);
            shop.order("r", o, snapshotAt);
            shop.fact(o, o.updatedAt);
        }

        // Five days of changes, one every 4 minutes; a few order changes committed on a clock up to
        // 40 minutes behind (customers' versions stay in time order per customer, as one log has them).
        long t = DAY0.toEpochMilli() + 60_000;
        long end = DAY0.plus(Duration.ofDays(5)).toEpochMilli();
        int skewed = 0;
        for (; t < end; t += 240_000) {
            int dice = shop.random.nextInt(100);
            long ts = t;
            if (dice < 86 && shop.random.nextInt(100) < 3) {
                ts -= Duration.ofMinutes(20 + shop.random.nextInt(20)).toMillis();
                skewed++;
            }
            if (dice < 30) {
                Shop.Order o = shop.newOrder(1 + shop.random.nextInt((int) shop.nextCustomer - 1), "placed", ts);
                shop.order("c", o, ts);
                shop.fact(o, ts);
            } else if (dice < 75) {
                Shop.Order o = shop.anyOrder();
                String next = switch (o.status) {
                    case "placed" -> shop.random.nextInt(5) == 0 ? "cancelled" : "paid";
                    case "paid" -> shop.random.nextInt(25) == 0 ? "test" : "shipped";
                    case "shipped" -> "delivered";
                    default -> null;
                };
                if (next == null) {
                    continue;
                }
                o.status = next;
                o.updatedAt = ts;
                shop.order("u", o, ts);
                shop.fact(o, ts);
            } else if (dice < 82) {
                // An update that keeps the status: no fact.
                Shop.Order o = shop.anyOrder();
                o.total = o.total.add(BigDecimal.ONE);
                o.updatedAt = ts;
                shop.order("u", o, ts);
            } else if (dice < 86) {
                Shop.Order o = shop.anyOrder();
                shop.orders.remove(o.id);
                shop.order("d", o, ts);
            } else if (dice < 93) {
                shop.customer("c", shop.nextCustomer++, REGIONS[shop.random.nextInt(3)], t);
            } else if (dice < 98) {
                long id = 1 + shop.random.nextInt((int) shop.nextCustomer - 1);
                shop.customer("u", id, REGIONS[shop.random.nextInt(3)], t);
            } else {
                long id = 1 + shop.random.nextInt((int) shop.nextCustomer - 1);
                shop.customer("d", id, null, t);
            }
        }
        assertThat(skewed).as("changes on a clock behind").isGreaterThan(10);
        assertThat(shop.facts).as("facts").hasSizeGreaterThan(800);

        // Phase 1 ends with changes at the same newest time on every partition of both topics, so the
        // watermark is that time minus 1 ms everywhere.
        long newest = end + Duration.ofHours(2).toMillis();
        shop.customer("c", 10_000, "EU", newest);
        for (int i = 0; i < 12; i++) {
            Shop.Order o = shop.newOrder(10_000, "placed", newest);
            shop.order("c", o, newest);
        }
        KafkaTestTopics.create(services.kafkaBootstrapServers(), shop.customersTopic, 1);
        KafkaTestTopics.create(services.kafkaBootstrapServers(), shop.ordersTopic, 2);
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), shop.customersTopic, shop.customerRecords);
        Set<Integer> partitions = new TreeSet<>();
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), shop.ordersTopic, shop.orderRecords)
                .forEach(p -> partitions.add(p.coordinate.partition));
        assertThat(partitions).as("orders partitions").containsExactly(0, 1);

        Map<String, String> settings = new HashMap<>();
        settings.put("cdc.kafka.topics", shop.customersTopic + ";" + shop.ordersTopic);
        settings.put("cdc.kafka.tables", "public.customers;public.orders");
        settings.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id");
        settings.put("cdc.kafka.column-types", "public.customers=customer_id LONG, email STRING, region STRING,"
                + " country STRING, created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC;"
                + "public.orders=order_id LONG, customer_id LONG, status STRING, total DECIMAL(12,2), currency STRING,"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        settings.put("cdc.kafka.group-id", services.uniqueName("revenue_group"));
        settings.put("cdc.kafka.starting-offsets", "EARLIEST");
        settings.put("cdc.kafka.table-prefix", prefix + "_");
        settings.put("gold.allowed-lateness", LATENESS.toMinutes() + " min");
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(), settings);
        String goldPrefix = pipeline.config().get(GoldOptions.TABLE_PREFIX);
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table gold = pipeline.table(GoldTables.dailyRevenue(goldPrefix));
        Table late = pipeline.table(GoldTables.lateEvents(goldPrefix));
        LocalDate lastDay = LocalDate.ofInstant(Instant.ofEpochMilli(end - 1), ZoneOffset.UTC);
        awaitFinalDay(gold, lastDay, job);

        // Phase 2: a status change committed (by its clock) on the last final day, then newer changes
        // on every partition that move the watermark on.
        Shop.Order placed = shop.orders.values().stream().filter(o -> o.status.equals("placed")).findFirst().orElseThrow();
        long tooLateTs = end - Duration.ofHours(12).toMillis();
        placed.status = "cancelled";
        placed.updatedAt = tooLateTs;
        shop.orderRecords.clear();
        shop.customerRecords.clear();
        shop.order("u", placed, tooLateTs);
        long flush = newest + Duration.ofDays(1).toMillis();
        shop.customer("c", 10_001, "EU", flush);
        for (int i = 0; i < 12; i++) {
            shop.order("c", shop.newOrder(10_001, "placed", flush), flush);
        }
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), shop.customersTopic, shop.customerRecords);
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), shop.ordersTopic, shop.orderRecords);
        awaitRows(late, 1, job);
        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(),
                        pipeline.config().get(DebeziumKafkaOptions.GROUP_ID), List.of(shop.customersTopic, shop.ordersTopic))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        long finalWatermark = newest - 1 - LATENESS.toMillis();
        late.refresh();
        List<String> lateRows = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(late).build()) {
            rows.forEach(r -> lateRows.add(r.getField(GoldTables.EVENT_ID) + " " + r.getField(GoldTables.LATENESS_MS) + " "
                    + r.getField(GoldTables.WATERMARK_TS) + " " + r.getField(GoldTables.DATASET)));
        }
        Map<String, String> actual = goldRows(gold, lastDay);
        assertThat(actual).as("gold rows; late rows: %s", lateRows).containsExactlyEntriesOf(expected(shop.facts, lastDay));
        assertThat(actual.keySet()).as("days covered").anyMatch(k -> k.startsWith("2026-11-08"))
                .anyMatch(k -> k.startsWith(lastDay.toString()));
        assertThat(actual.keySet()).as("regions").anyMatch(k -> k.endsWith(" " + DailyRevenueJob.UNKNOWN_REGION));

        // Late for its day and, as a cancellation, for the customer features (same allowed lateness;
        // how late the features saw it may be more: Flink's idleness, see FacilityThroughputITCase).
        assertThat(lateRows).hasSize(2).contains(placed.id + ":CANCELLED " + (finalWatermark - tooLateTs) + " "
                + LocalDateTime.ofInstant(Instant.ofEpochMilli(finalWatermark), ZoneOffset.UTC) + " " + prefix + "_orders");
        assertThat(lateRows).anySatisfy(r -> {
            String[] f = r.split(" ");
            assertThat(f[0] + " " + f[3]).isEqualTo(placed.id + ":CANCELLED "
                    + dev.lakestream.jobs.gold.features.FeatureDefinitions.CUSTOMER.name());
            assertThat(Long.parseLong(f[1])).isGreaterThanOrEqualTo(finalWatermark - tooLateTs);
        });
    }

    /** Plain Java: per day of the status entry, status and region as of then. */
    private static Map<String, String> expected(List<String[]> facts, LocalDate lastDay) {
        Map<String, List<String[]>> groups = new TreeMap<>();
        for (String[] f : facts) {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(Long.parseLong(f[4])), ZoneOffset.UTC);
            if (!day.isAfter(lastDay)) {
                groups.computeIfAbsent(day + " " + f[2] + " " + f[5], k -> new ArrayList<>()).add(f);
            }
        }
        Map<String, String> out = new TreeMap<>();
        groups.forEach((key, rows) -> {
            Set<String> customers = new HashSet<>();
            BigDecimal revenue = BigDecimal.ZERO.setScale(2);
            long cancelled = 0;
            for (String[] f : rows) {
                customers.add(f[1]);
                revenue = revenue.add(new BigDecimal(f[3]));
                cancelled += f[2].equals("CANCELLED") ? 1 : 0;
            }
            out.put(key, rows.size() + " " + customers.size() + " " + revenue + " "
                    + revenue.divide(BigDecimal.valueOf(rows.size()), 2, RoundingMode.HALF_UP) + " " + cancelled + " final");
        });
        return out;
    }

    /** Gold rows up to {@code lastDay}, by day, status and region. */
    private static Map<String, String> goldRows(Table gold, LocalDate lastDay) throws Exception {
        gold.refresh();
        Map<String, String> out = new TreeMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(gold).build()) {
            for (Record r : rows) {
                LocalDate day = (LocalDate) r.getField(GoldTables.REVENUE_DATE);
                if (day.isAfter(lastDay)) {
                    continue;
                }
                String key = day + " " + r.getField(GoldTables.STATUS) + " " + r.getField(GoldTables.REGION);
                String previous = out.put(key, r.getField(GoldTables.TOTAL_ORDERS) + " " + r.getField(GoldTables.UNIQUE_CUSTOMERS)
                        + " " + r.getField(GoldTables.REVENUE) + " " + r.getField(GoldTables.AVG_ORDER_VALUE) + " "
                        + r.getField(GoldTables.CANCELLED_ORDERS) + " "
                        + (Boolean.TRUE.equals(r.getField(GoldTables.IS_FINAL)) ? "final" : "provisional"));
                assertThat(previous).as("one row per day, status and region: %s", key).isNull();
            }
        }
        return out;
    }

    private static void awaitFinalDay(Table gold, LocalDate day, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            gold.refresh();
            if (gold.currentSnapshot() != null) {
                try (CloseableIterable<Record> rows = IcebergGenerics.read(gold).build()) {
                    for (Record r : rows) {
                        if (Boolean.TRUE.equals(r.getField(GoldTables.IS_FINAL)) && day.equals(r.getField(GoldTables.REVENUE_DATE))) {
                            return;
                        }
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("no final daily revenue row for " + day + " within 3 minutes");
    }

    private static void awaitRows(Table table, int rows, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            table.refresh();
            if (table.currentSnapshot() != null
                    && Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0")) >= rows) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("fewer than " + rows + " rows in " + table.name() + " within 2 minutes");
    }
}
