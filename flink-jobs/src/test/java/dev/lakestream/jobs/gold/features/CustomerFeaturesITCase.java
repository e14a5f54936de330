package dev.lakestream.jobs.gold.features;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.sink.CommitWatermarks;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Customer features from a generated shop history: Debezium envelopes of {@code orders} on Kafka
 * (two partitions, keyed by order id) for 2,000 customers over 120 days: a snapshot of older orders,
 * then new orders, status changes, cancellations, test orders, updates that keep the status and
 * deletes, with a few changes committed on a clock up to 40 minutes behind (within the allowed
 * lateness).
 *
 * <p>The feature log equals, row for row, a plain-Java recomputation from the generator's own
 * record of which orders were placed and cancelled when (nothing of the job's code). Replaying the
 * same topic from the earliest offsets into fresh tables gives identical rows, and the latest-value
 * table holds each customer's last log row.
 */
class CustomerFeaturesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final Instant DAY0 = Instant.parse("2026-05-01T00:00:00Z");
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final int CUSTOMERS = 2_000;
    private static final int DAYS = 120;
    private static final long[] WINDOWS = {7 * DAY, 30 * DAY, 90 * DAY};

    /** An order placed or cancelled, as customer features must count it. */
    private static final class Counted {
        final long customer;
        final long knownAt;
        final long placedAt;
        final boolean placed;
        final long cents;
        final boolean cancelled;

        Counted(long customer, long knownAt, long placedAt, boolean placed, long cents, boolean cancelled) {
            this.customer = customer;
            this.knownAt = knownAt;
            this.placedAt = placedAt;
            this.placed = placed;
            this.cents = cents;
            this.cancelled = cancelled;
        }

        long day() {
            return Math.floorDiv(Math.min(placedAt, knownAt), DAY) * DAY;
        }
    }

    private static final class Order {
        long id;
        long customer;
        String status;
        BigDecimal total;
        long createdAt;
        long updatedAt;
    }

    /** The shop's order history as Debezium records, and what the features must count. */
    private static final class Shop {
        final List<byte[][]> records = new ArrayList<>();
        final List<Counted> counted = new ArrayList<>();
        final Map<Long, Order> open = new TreeMap<>();
        final SplittableRandom random = new SplittableRandom(2026);
        long lsn = 50_000_000L;
        long nextOrder = 1;

        Order newOrder(long customer, String status, long at) {
            Order o = new Order();
            o.id = nextOrder++;
            o.customer = customer;
            o.status = status;
            o.total = BigDecimal.valueOf(500 + random.nextInt(99_500), 2);
            o.createdAt = at;
            o.updatedAt = at;
            return o;
        }

        /** Active customers order more: a skewed pick. */
        long customer() {
            double r = random.nextDouble();
            return 1 + (long) (CUSTOMERS * r * r);
        }

        void record(String op, Order o, long commitTs) {
            String image = String.format(Locale.ROOT, "{\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":\"%s\","
                            + "\"currency\":\"USD\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", o.id, o.customer, o.status,
                    o.total.toPlainString(), Instant.ofEpochMilli(o.createdAt), Instant.ofEpochMilli(o.updatedAt));
            boolean delete = op.equals("d");
            String envelope = "{\"before\":" + (delete ? "{\"order_id\":" + o.id + "}" : "null") + ",\"after\":"
                    + (delete ? "null" : image) + ",\"source\":{\"version\":\"2.7.3.Final\",\"connector\":\"postgresql\","
                    + "\"name\":\"shop\",\"ts_ms\":" + commitTs + ",\"snapshot\":\"" + op.equals("r") + "\",\"db\":\"shop\","
                    + "\"schema\":\"public\",\"table\":\"orders\",\"lsn\":" + (lsn += 8) + "},\"op\":\"" + op
                    + "\",\"ts_ms\":" + (commitTs + 150) + "}";
            records.add(new byte[][] {("{\"order_id\":" + o.id + "}").getBytes(StandardCharsets.UTF_8),
                    envelope.getBytes(StandardCharsets.UTF_8)});
        }

        long cents(Order o) {
            return o.total.movePointRight(2).longValueExact();
        }
    }

    private static Shop generate() {
        Shop shop = new Shop();
        long day0 = DAY0.toEpochMilli();
        long snapshotAt = day0 - Duration.ofHours(1).toMillis();
        // The snapshot: orders of the 30 days before, as they are now; no commit time, so each counts
        // at its updated_at, placed on its created_at.
        String[] states = {"placed", "paid", "shipped", "delivered", "cancelled", "test"};
        for (int i = 0; i < 400; i++) {
            long created = day0 - 30 * DAY + shop.random.nextLong(29 * DAY);
            Order o = shop.newOrder(shop.customer(), states[shop.random.nextInt(states.length)], created);
            o.updatedAt = Math.min(created + shop.random.nextLong(3 * DAY), snapshotAt - 1);
            shop.record("r", o, snapshotAt);
            if (!o.status.equals("test")) {
                shop.counted.add(new Counted(o.customer, o.updatedAt, o.createdAt, true, shop.cents(o), o.status.equals("cancelled")));
                if (!o.status.equals("cancelled") && !o.status.equals("delivered")) {
                    shop.open.put(o.id, o);
                }
            }
        }
        // 120 days of changes, one every 6 minutes on average; 2% committed on a clock 10-40 minutes behind.
        long end = day0 + DAYS * DAY;
        for (long t = day0 + 60_000; t < end; t += 60_000 + shop.random.nextLong(600_000)) {
            long ts = t;
            if (shop.random.nextInt(100) < 2) {
                ts -= Duration.ofMinutes(10 + shop.random.nextInt(30)).toMillis();
            }
            int dice = shop.random.nextInt(100);
            if (dice < 45 || shop.open.isEmpty()) {
                boolean test = shop.random.nextInt(100) < 3;
                Order o = shop.newOrder(shop.customer(), test ? "test" : "placed", ts);
                shop.record("c", o, ts);
                if (!test) {
                    shop.open.put(o.id, o);
                    shop.counted.add(new Counted(o.customer, ts, o.createdAt, true, shop.cents(o), false));
                }
                continue;
            }
            List<Long> ids = new ArrayList<>(shop.open.keySet());
            Order o = shop.open.get(ids.get(shop.random.nextInt(ids.size())));
            // A change never commits before the order's previous one.
            ts = Math.max(ts, o.updatedAt + 1);
            if (dice < 85) {
                String next;
                switch (o.status) {
                    case "placed": next = shop.random.nextInt(5) == 0 ? "cancelled" : "paid"; break;
                    case "paid": next = shop.random.nextInt(20) == 0 ? "cancelled" : "shipped"; break;
                    default: next = "delivered";
                }
                o.status = next;
                o.updatedAt = ts;
                shop.record("u", o, ts);
                if (next.equals("cancelled")) {
                    shop.counted.add(new Counted(o.customer, ts, o.createdAt, false, 0, true));
                }
                if (next.equals("cancelled") || next.equals("delivered")) {
                    shop.open.remove(o.id);
                }
            } else if (dice < 95) {
                // Same status, new updated_at: nothing to count.
                o.updatedAt = ts;
                shop.record("u", o, ts);
            } else {
                shop.open.remove(o.id);
                shop.record("d", o, ts);
            }
        }
        return shop;
    }

    @Test
    void theFeatureLogEqualsARecomputationAndAReplayGivesIdenticalRows() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("features_orders");
        Shop shop = generate();
        assertThat(shop.counted.stream().filter(c -> c.placed).count()).as("orders placed").isGreaterThan(5_000);
        assertThat(shop.counted.stream().filter(c -> c.cancelled).count()).as("cancellations").isGreaterThan(500);
        assertThat(shop.counted.stream().map(c -> c.customer).distinct().count()).as("customers").isGreaterThan(1_000);

        // The history ends with orders at the same newest time on both partitions: the watermark is
        // then newest - 1 ms everywhere, and the features final up to that minus the allowed lateness.
        long newest = DAY0.toEpochMilli() + DAYS * DAY + Duration.ofHours(3).toMillis();
        for (int i = 0; i < 12; i++) {
            shop.record("c", shop.newOrder(CUSTOMERS + 1, "placed", newest), newest);
        }
        long watermark = newest - 1 - LATENESS.toMillis();
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 2);
        assertThat(KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, shop.records).stream()
                .map(p -> p.coordinate.partition).distinct().count()).as("partitions used").isEqualTo(2);

        List<String> expected = expected(shop.counted, watermark);
        assertThat(expected).as("expected rows").hasSizeGreaterThan(20_000);

        System.out.printf("CustomerFeaturesITCase: %d Debezium records, %d counted changes, %d expected log rows%n",
                shop.records.size(), shop.counted.size(), expected.size());
        Run first = run(services, topic, "first", watermark);
        assertSameRows(first.log, expected, "feature log vs recomputation");
        assertThat(first.late).as("late events").isZero();
        assertThat(first.latest).as("latest values: each customer's last log row")
                .isEqualTo(lastPerCustomer(expected));

        Run replay = run(services, topic, "replay", watermark);
        assertSameRows(replay.log, first.log, "replay vs first run");
        assertThat(replay.latest).isEqualTo(first.latest);
    }

    private static final class Run {
        List<String> log;
        Map<String, String> latest;
        long late;
    }

    /** Runs the pipeline over the whole topic into fresh tables, until the features are final up to {@code watermark}. */
    private static Run run(LocalServices services, String topic, String name, long watermark) throws Exception {
        String prefix = services.uniqueName("features_" + name);
        Map<String, String> settings = new HashMap<>();
        settings.put("cdc.kafka.topics", topic);
        settings.put("cdc.kafka.tables", "public.orders");
        settings.put("cdc.kafka.primary-keys", "public.orders=order_id");
        settings.put("cdc.kafka.column-types", "public.orders=order_id LONG, customer_id LONG, status STRING,"
                + " total DECIMAL(12,2), currency STRING, created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        settings.put("cdc.kafka.group-id", services.uniqueName("features_group"));
        settings.put("cdc.kafka.starting-offsets", "EARLIEST");
        settings.put("cdc.kafka.table-prefix", prefix + "_");
        settings.put("gold.allowed-lateness", LATENESS.toMinutes() + " min");
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(), settings);
        String goldPrefix = pipeline.config().get(GoldOptions.TABLE_PREFIX);
        TableSpec logSpec = FeatureDefinitions.CUSTOMER.logTable(goldPrefix);
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table log = pipeline.table(logSpec);
        awaitWatermark(log, watermark, job);
        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(), pipeline.config().get(DebeziumKafkaOptions.GROUP_ID),
                List.of(topic)).awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        Run run = new Run();
        run.log = read(log);
        run.latest = new TreeMap<>();
        for (String row : read(pipeline.table(FeatureDefinitions.CUSTOMER.latestTable(goldPrefix)))) {
            assertThat(run.latest.put(row.split(" ")[0], row)).as("one latest row per customer").isNull();
        }
        Table late = pipeline.table(GoldTables.lateEvents(goldPrefix));
        late.refresh();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(late).build()) {
            for (Record ignored : rows) {
                run.late++;
            }
        }
        return run;
    }

    /** Waits until the log has committed everything up to {@code watermark} (its commits' watermark stamp). */
    private static void awaitWatermark(Table log, long watermark, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        long seen = Long.MIN_VALUE;
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            log.refresh();
            Snapshot current = log.currentSnapshot();
            if (current != null && current.summary().containsKey(CommitWatermarks.WATERMARK_MS)) {
                seen = Long.parseLong(current.summary().get(CommitWatermarks.WATERMARK_MS));
                if (seen >= watermark) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("the feature log's commit watermark reached " + Instant.ofEpochMilli(seen) + ", not "
                + Instant.ofEpochMilli(watermark) + ", within 6 minutes");
    }

    /** Rows as "customer feature_ts features...", sorted by customer (numerically), then time. */
    private static List<String> read(Table table) throws Exception {
        List<String> out = FeatureOracle.read(table);
        out.sort(ROW_ORDER);
        return out;
    }

    private static final java.util.Comparator<String> ROW_ORDER = java.util.Comparator
            .comparingLong((String r) -> Long.parseLong(r.split(" ")[0]))
            .thenComparing(r -> LocalDateTime.parse(r.split(" ")[1]));

    /**
     * Plain Java from the generator's record: at time T, a window of w counts the orders placed and
     * cancellations known by T (committed at or before it) whose order was placed on a day d with
     * d + w > T; rows at every such commit and whenever a day with counted orders leaves a window.
     */
    private static List<String> expected(List<Counted> counted, long watermark) {
        Map<Long, List<Counted>> byCustomer = counted.stream().collect(Collectors.groupingBy(c -> c.customer));
        List<String> out = new ArrayList<>();
        byCustomer.forEach((customer, list) -> {
            TreeSet<Long> times = new TreeSet<>();
            for (Counted c : list) {
                times.add(c.knownAt);
                for (long w : WINDOWS) {
                    if (c.knownAt < c.day() + w) {
                        times.add(c.day() + w);
                    }
                }
            }
            for (long t : times.headSet(watermark, true)) {
                StringBuilder counts = new StringBuilder();
                StringBuilder revenues = new StringBuilder();
                StringBuilder averages = new StringBuilder();
                StringBuilder ratios = new StringBuilder();
                for (long w : WINDOWS) {
                    long orders = 0;
                    long cents = 0;
                    long cancelled = 0;
                    for (Counted c : list) {
                        if (c.knownAt <= t && c.day() + w > t) {
                            orders += c.placed ? 1 : 0;
                            cents += c.cents;
                            cancelled += c.cancelled ? 1 : 0;
                        }
                    }
                    BigDecimal revenue = BigDecimal.valueOf(cents, 2);
                    counts.append(' ').append(orders);
                    revenues.append(' ').append(revenue.toPlainString());
                    averages.append(' ').append(orders == 0 ? "null"
                            : revenue.divide(BigDecimal.valueOf(orders), 2, RoundingMode.HALF_UP).toPlainString());
                    ratios.append(' ').append(orders == 0 ? "null" : String.valueOf((double) cancelled / orders));
                }
                out.add(customer + " " + LocalDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC)
                        + counts + revenues + averages + ratios);
            }
        });
        out.sort(ROW_ORDER);
        return out;
    }

    private static Map<String, String> lastPerCustomer(List<String> rows) {
        Map<String, String> last = new TreeMap<>();
        rows.forEach(r -> last.put(r.split(" ")[0], r));
        return last;
    }

    /** Equal lists, or a failure that shows the first differences instead of 40,000 rows. */
    private static void assertSameRows(List<String> actual, List<String> expected, String what) {
        if (actual.equals(expected)) {
            return;
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(new java.util.HashSet<>(actual));
        List<String> unexpected = new ArrayList<>(actual);
        unexpected.removeAll(new java.util.HashSet<>(expected));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("rows", actual.size() + " vs " + expected.size() + " expected");
        report.put("missing (" + missing.size() + ")", missing.stream().limit(15).collect(Collectors.toList()));
        report.put("unexpected (" + unexpected.size() + ")", unexpected.stream().limit(15).collect(Collectors.toList()));
        throw new AssertionError(what + ": " + report);
    }
}
