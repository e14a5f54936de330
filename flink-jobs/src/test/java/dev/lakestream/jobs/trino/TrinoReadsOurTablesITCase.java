package dev.lakestream.jobs.trino;

import dev.lakestream.catalog.CatalogOptions;
import dev.lakestream.catalog.maintenance.DeleteFileCompaction;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.testing.CanonicalRows;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;
import dev.lakestream.localservices.TrinoServer;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An engine that shares no code with Flink or Iceberg's Java reader, Trino (the local stand-in for
 * Athena), reads every table the pipeline wrote and sees exactly what the job wrote. The pipeline
 * runs over a small generated input: a fulfillment topic (bronze, silver events and their
 * quarantine, gold facility throughput and facility features) and Debezium envelopes of
 * {@code customers} and {@code orders} with inserts, updates and deletes (bronze changelogs, silver
 * current state written as upserts with equality deletes, gold daily revenue and customer
 * features). Once it is stopped, every table reads the same through Trino as through
 * {@code IcebergGenerics}, value for value; deleted orders are absent from silver and updated ones
 * show their last version, as the generator recorded them; and Trino reports the table metadata
 * Athena needs (format version 2, Parquet, zstd).
 */
class TrinoReadsOurTablesITCase {
    private static final Logger LOG = LoggerFactory.getLogger(TrinoReadsOurTablesITCase.class);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final Instant START = Instant.parse("2026-11-10T00:00:00Z");
    private static final String[] TYPES = {"RECEIVED", "PICKED", "PACKED", "SHIPPED", "DAMAGED"};
    private static final String[] REGIONS = {"NA", "EU", "APAC"};
    private static final String[] NEXT_STATUS = {"placed", "paid", "shipped", "delivered"};
    private static final DateTimeFormatter TRINO_TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

    /** An order as the generator last changed it. */
    private static final class Order {
        final long id;
        final long customer;
        String status = "placed";
        BigDecimal total;
        final long createdAt;
        long updatedAt;

        Order(long id, long customer, BigDecimal total, long createdAt) {
            this.id = id;
            this.customer = customer;
            this.total = total;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        String image() {
            return String.format(Locale.ROOT, "{\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":\"%s\","
                            + "\"currency\":\"USD\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", id, customer, status,
                    total.toPlainString(), Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(updatedAt));
        }

        /** As Trino spells the silver row's columns order_id .. updated_at. */
        String silverRow() {
            return id + " " + customer + " " + status + " " + total.toPlainString() + " USD " + utc(createdAt) + " "
                    + utc(updatedAt);
        }
    }

    /** Debezium envelopes of a shop database, and the state they leave behind. */
    private static final class Shop {
        final List<byte[][]> customerRecords = new ArrayList<>();
        final List<byte[][]> orderRecords = new ArrayList<>();
        final Map<Long, String> customers = new TreeMap<>();
        final Map<Long, Long> customerUpdatedAt = new HashMap<>();
        final Map<Long, Order> orders = new TreeMap<>();
        final TreeSet<Long> deletedOrders = new TreeSet<>();
        final TreeSet<Long> updatedOrders = new TreeSet<>();
        final SplittableRandom random = new SplittableRandom(23);
        long lsn = 50_000_000L;
        long nextOrder = 1;
        long nextCustomer = 1;

        void customer(String op, long id, String region, long ts) {
            boolean delete = op.equals("d");
            String image = String.format(Locale.ROOT, "{\"customer_id\":%d,\"email\":\"c%d@example.com\",\"region\":%s,"
                            + "\"country\":\"US\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", id, id,
                    region == null ? "null" : "\"" + region + "\"", Instant.ofEpochMilli(START.toEpochMilli() - 86_400_000L),
                    Instant.ofEpochMilli(ts));
            String key = "{\"customer_id\":" + id + "}";
            customerRecords.add(record(key, envelope("customers", op, delete ? key : null, delete ? null : image, ts)));
            if (delete) {
                customers.remove(id);
                customerRecords.add(record(key, null));
            } else {
                customers.put(id, region);
                customerUpdatedAt.put(id, ts);
            }
        }

        void order(String op, Order o, long ts) {
            boolean delete = op.equals("d");
            String key = "{\"order_id\":" + o.id + "}";
            orderRecords.add(record(key, envelope("orders", op, delete ? key : null, delete ? null : o.image(), ts)));
            if (delete) {
                orders.remove(o.id);
                deletedOrders.add(o.id);
                updatedOrders.remove(o.id);
                // Kafka Connect's tombstone after a delete.
                orderRecords.add(record(key, null));
            } else {
                orders.put(o.id, o);
                if (op.equals("u")) {
                    updatedOrders.add(o.id);
                }
            }
        }

        String envelope(String table, String op, String before, String after, long ts) {
            return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"version\":\"2.7.3.Final\","
                    + "\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":" + ts + ",\"snapshot\":\""
                    + op.equals("r") + "\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"" + table
                    + "\",\"lsn\":" + (lsn += 8) + "},\"op\":\"" + op + "\",\"ts_ms\":" + (ts + 150) + "}";
        }

        Order newOrder(long ts) {
            long customer = 1 + random.nextInt((int) nextCustomer - 1);
            return new Order(nextOrder++, customer, BigDecimal.valueOf(500 + random.nextInt(49_500), 2), ts);
        }

        Order anyOrder() {
            List<Long> ids = new ArrayList<>(orders.keySet());
            return orders.get(ids.get(random.nextInt(ids.size())));
        }

        /** A Kafka record; a null value is a tombstone. */
        static byte[][] record(String key, String value) {
            return new byte[][] {key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8)};
        }
    }

    @Test
    void trinoReadsEveryTableAsTheJobWroteIt() throws Exception {
        LocalServices services = LocalServices.shared();
        // Trino takes its ~20 s while the job runs.
        long trinoBegin = System.nanoTime();
        CompletableFuture<TrinoServer> trinoStart = CompletableFuture.supplyAsync(services::trino);

        String prefix = services.uniqueName("trino");
        String fulfillment = prefix + "_fulfillment";
        String customersTopic = prefix + "_customers";
        String ordersTopic = prefix + "_orders";
        String bootstrap = services.kafkaBootstrapServers();

        // Three hours of fulfillment events, a duplicate, a record that is not JSON, then one event a
        // day later that closes every window.
        List<byte[][]> events = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 360; i++) {
            events.add(Shop.record("FC-00" + (1 + i % 3), String.format(Locale.ROOT,
                    "{\"event_id\":\"f-%d\",\"facility_id\":\"FC-00%d\",\"event_type\":\"%s\",\"units\":%d,\"event_ts\":\"%s\"}",
                    i, 1 + i % 3, TYPES[random.nextInt(TYPES.length)], 1 + random.nextInt(30),
                    START.plusSeconds(30L * i))));
        }
        events.add(events.get(10));
        events.add(Shop.record("FC-001", "{\"event_id\": not json"));
        events.add(Shop.record("FC-001", "{\"event_id\":\"flush\",\"facility_id\":\"FC-001\",\"event_type\":\"PICKED\","
                + "\"units\":1,\"event_ts\":\"" + START.plus(Duration.ofDays(1)) + "\"}"));

        // A snapshot, then three days of changes every 10 minutes: new orders, status changes, total
        // corrections, deletes, customers moving region or erased; then a change two days later on
        // both tables that closes every day.
        Shop shop = new Shop();
        long snapshotAt = START.toEpochMilli() - 3_600_000L;
        for (int i = 0; i < 20; i++) {
            shop.customer("r", shop.nextCustomer++, REGIONS[i % 3], snapshotAt);
        }
        for (int i = 0; i < 30; i++) {
            Order o = shop.newOrder(snapshotAt - 600_000L * (30 - i));
            shop.order("r", o, snapshotAt);
        }
        long end = START.plus(Duration.ofDays(3)).toEpochMilli();
        for (long t = START.toEpochMilli() + 60_000; t < end; t += 600_000) {
            int dice = shop.random.nextInt(100);
            if (dice < 35 || shop.orders.size() < 5) {
                shop.order("c", shop.newOrder(t), t);
            } else if (dice < 70) {
                Order o = shop.anyOrder();
                int at = java.util.Arrays.asList(NEXT_STATUS).indexOf(o.status);
                o.status = at < 0 || at == NEXT_STATUS.length - 1 ? "cancelled" : NEXT_STATUS[at + 1];
                o.updatedAt = t;
                shop.order("u", o, t);
            } else if (dice < 80) {
                Order o = shop.anyOrder();
                o.total = o.total.add(BigDecimal.ONE);
                o.updatedAt = t;
                shop.order("u", o, t);
            } else if (dice < 88) {
                shop.order("d", shop.anyOrder(), t);
            } else if (dice < 96) {
                shop.customer("u", 1 + shop.random.nextInt((int) shop.nextCustomer - 1), REGIONS[shop.random.nextInt(3)], t);
            } else {
                shop.customer("c", shop.nextCustomer++, REGIONS[shop.random.nextInt(3)], t);
            }
        }
        long flush = end + Duration.ofDays(2).toMillis();
        shop.customer("c", shop.nextCustomer++, "EU", flush);
        shop.order("c", shop.newOrder(flush), flush);
        assertThat(shop.deletedOrders).as("deleted orders").hasSizeGreaterThan(10);
        assertThat(shop.updatedOrders).as("orders updated and not deleted").hasSizeGreaterThan(20);

        KafkaTestTopics.create(bootstrap, fulfillment, 1);
        KafkaTestTopics.create(bootstrap, customersTopic, 1);
        KafkaTestTopics.create(bootstrap, ordersTopic, 1);
        KafkaTestTopics.produce(bootstrap, fulfillment, events);
        KafkaTestTopics.produce(bootstrap, customersTopic, shop.customerRecords);
        // Orders in two batches, the second once silver has committed the first: updates and deletes
        // of orders committed before are equality deletes (within one checkpoint the upsert writer
        // deletes by position), and Trino must apply them.
        int firstBatch = shop.orderRecords.size() * 3 / 5;
        KafkaTestTopics.produce(bootstrap, ordersTopic, shop.orderRecords.subList(0, firstBatch));

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("silver.fulfillment-events.source", fulfillment);
        settings.put("silver.fulfillment-events.table", fulfillment + "_events");
        settings.put("watermarks.events.max-out-of-orderness", "5 s");
        settings.put("watermarks.events.idle-timeout", "2 s");
        settings.put("gold.allowed-lateness", "30 min");
        settings.put("cdc.kafka.topics", customersTopic + ";" + ordersTopic);
        settings.put("cdc.kafka.tables", "public.customers;public.orders");
        settings.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id");
        settings.put("cdc.kafka.column-types", "public.customers=customer_id LONG, email STRING, region STRING,"
                + " country STRING, created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC;"
                + "public.orders=order_id LONG, customer_id LONG, status STRING, total DECIMAL(12,2), currency STRING,"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        settings.put("cdc.kafka.silver-partition-columns", "public.customers=region");
        settings.put("cdc.kafka.group-id", services.uniqueName("trino_cdc_group"));
        settings.put("cdc.kafka.starting-offsets", "EARLIEST");
        settings.put("cdc.kafka.table-prefix", prefix + "_");
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(fulfillment), settings);
        assertThat(pipeline.config().get(CatalogOptions.NAME)).as("the JDBC catalog name Trino reads")
                .isEqualTo(TrinoServer.ICEBERG_CATALOG_NAME);
        String goldPrefix = pipeline.config().get(GoldOptions.TABLE_PREFIX);
        CdcCapture capture = IngestionPipeline.captures(pipeline.config()).get(0);

        long jobBegin = System.nanoTime();
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table ordersTable = pipeline.table(capture.silverTable("public.orders"));
        long firstCommitDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        // The table starts with an empty snapshot (the provisioner creates the main branch): wait for rows.
        while (ordersTable.currentSnapshot() == null
                || "0".equals(ordersTable.currentSnapshot().summary().getOrDefault("total-records", "0"))) {
            assertThat(System.nanoTime()).as("silver orders committed within 3 minutes").isLessThan(firstCommitDeadline);
            TimeUnit.MILLISECONDS.sleep(200);
            ordersTable.refresh();
        }
        KafkaTestTopics.produce(bootstrap, ordersTopic, shop.orderRecords.subList(firstBatch, shop.orderRecords.size()));
        CatchUpThenStop.allOf(
                        CatchUpThenStop.atCurrentEnd(bootstrap, pipeline.config().get(KafkaBronzeOptions.GROUP_ID),
                                List.of(fulfillment)),
                        CatchUpThenStop.atCurrentEnd(bootstrap, pipeline.config().get(DebeziumKafkaOptions.GROUP_ID),
                                List.of(customersTopic, ordersTopic)),
                        CatchUpThenStop.whenNotEmpty(pipeline.table(GoldTables.facilityThroughputHourly(goldPrefix))),
                        CatchUpThenStop.whenNotEmpty(pipeline.table(GoldTables.dailyRevenue(goldPrefix))),
                        CatchUpThenStop.whenNotEmpty(pipeline.table(FeatureDefinitions.CUSTOMER.logTable(goldPrefix))),
                        CatchUpThenStop.whenNotEmpty(pipeline.table(FeatureDefinitions.FACILITY.logTable(goldPrefix))))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(4), () -> {});
        LOG.info("Pipeline ran and stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - jobBegin));

        TrinoServer trino = await(trinoStart);
        LOG.info("Trino {} ready {} ms after the test asked for it (server start {} ms)", trino.version(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - trinoBegin), trino.startupTime().toMillis());

        long compareBegin = System.nanoTime();
        List<TableSpec> tables = IngestionPipeline.tables(pipeline.config());
        Map<String, Integer> rowCounts = new TreeMap<>();
        try (Connection connection = trino.connect()) {
            for (TableSpec spec : tables) {
                Table table = pipeline.table(spec);
                List<String> expected = CanonicalRows.iceberg(table);
                List<String> read = CanonicalRows.trino(connection, TrinoServer.CATALOG, spec.identifier(), table.schema());
                assertThat(read).as("%s through Trino vs IcebergGenerics", spec.identifier()).hasSameSizeAs(expected)
                        .containsExactlyElementsOf(expected);
                assertThat(count(connection, "SELECT count(*) FROM " + sql(spec, "")))
                        .as("count(*) of %s", spec.identifier()).isEqualTo(expected.size());
                rowCounts.put(spec.identifier().toString(), expected.size());
                Map<String, String> properties = assertAthenaReadableMetadata(connection, spec);
                if (spec.identifier().equals(capture.silverTable("public.orders").identifier())) {
                    LOG.info("{}$properties: {}", spec.identifier(), new TreeMap<>(properties));
                }
            }
            LOG.info("Trino read {} tables as IcebergGenerics did, in {} ms: {}", tables.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - compareBegin), rowCounts);

            // Every layer, and the tables this test is about, hold rows.
            TableSpec silverOrders = capture.silverTable("public.orders");
            TableSpec silverCustomers = capture.silverTable("public.customers");
            for (TableSpec spec : List.of(IngestionPipeline.bronzeTables(pipeline.config()).get(fulfillment),
                    capture.changelogTable("public.orders"), silverOrders, silverCustomers,
                    GoldTables.facilityThroughputHourly(goldPrefix), GoldTables.dailyRevenue(goldPrefix),
                    FeatureDefinitions.CUSTOMER.logTable(goldPrefix), FeatureDefinitions.CUSTOMER.latestTable(goldPrefix))) {
                assertThat(rowCounts.get(spec.identifier().toString())).as("rows of %s", spec.identifier()).isPositive();
            }

            // Silver orders as the generator left them: no deleted order, every other one in its last version.
            List<String> expectedOrders = new ArrayList<>();
            shop.orders.values().forEach(o -> expectedOrders.add(o.silverRow()));
            assertThat(strings(connection, "SELECT CAST(order_id AS varchar) || ' ' || CAST(customer_id AS varchar) || ' ' || status"
                    + " || ' ' || CAST(total AS varchar) || ' ' || currency || ' ' || CAST(created_at AS varchar) || ' ' ||"
                    + " CAST(updated_at AS varchar) FROM " + sql(silverOrders, "") + " ORDER BY order_id"))
                    .containsExactlyElementsOf(expectedOrders);
            assertThat(strings(connection, "SELECT CAST(order_id AS varchar) FROM " + sql(silverOrders, "")
                    + " WHERE order_id IN (" + idList(shop.deletedOrders) + ")")).as("deleted orders").isEmpty();
            List<String> customers = new ArrayList<>();
            shop.customers.forEach((id, region) -> customers.add(id + " " + region + " " + utc(shop.customerUpdatedAt.get(id))));
            assertThat(strings(connection, "SELECT CAST(customer_id AS varchar) || ' ' || region || ' ' || CAST(updated_at AS varchar)"
                    + " FROM " + sql(silverCustomers, "") + " ORDER BY customer_id")).containsExactlyElementsOf(customers);

            // Trino applied equality deletes to get there: the silver tables have them.
            assertThat(count(connection, "SELECT count(*) FROM " + sql(silverOrders, "$files") + " WHERE content = 2"))
                    .as("equality delete files of %s", silverOrders.identifier()).isPositive();
            LOG.info("As Trino shows {}:\n{}", silverOrders.identifier(),
                    strings(connection, "SHOW CREATE TABLE " + sql(silverOrders, "")).get(0));

            // The compaction for readers without equality deletes (Redshift) leaves the same rows,
            // now without any delete file.
            Table orders = pipeline.table(silverOrders);
            List<String> beforeCompaction = CanonicalRows.trino(connection, TrinoServer.CATALOG, silverOrders.identifier(),
                    orders.schema());
            LOG.info("Compacted {}: {}", silverOrders.identifier(), DeleteFileCompaction.run(orders));
            assertThat(count(connection, "SELECT count(*) FROM " + sql(silverOrders, "$files") + " WHERE content <> 0"))
                    .as("delete files of %s after compaction", silverOrders.identifier()).isZero();
            assertThat(CanonicalRows.trino(connection, TrinoServer.CATALOG, silverOrders.identifier(), orders.schema()))
                    .as("%s after compaction", silverOrders.identifier()).isEqualTo(beforeCompaction)
                    .isEqualTo(CanonicalRows.iceberg(orders));

            // Column types Trino maps our columns to: none Athena lacks (time zones, uuid, time).
            List<String> types = new ArrayList<>();
            for (TableSpec spec : tables) {
                types.addAll(strings(connection, "SELECT table_schema || '.' || table_name || '.' || column_name || ' '"
                        + " || data_type FROM " + TrinoServer.CATALOG + ".information_schema.columns WHERE table_schema = '"
                        + spec.identifier().namespace() + "' AND table_name = '" + spec.identifier().name() + "'"));
            }
            assertThat(types).as("columns of every table").hasSizeGreaterThan(tables.size())
                    .noneMatch(t -> t.contains("with time zone") || t.endsWith(" uuid") || t.matches(".* time\\(\\d\\)"));
            LOG.info("Column types as Trino reads them: {}", new TreeSet<>(types.stream()
                    .map(t -> t.substring(t.indexOf(' ') + 1)).collect(java.util.stream.Collectors.toList())));
        }
    }

    /**
     * What Athena (engine v3) needs, as far as Trino shows it: format v2, Parquet files, zstd.
     *
     * @return the table properties Trino lists
     */
    private static Map<String, String> assertAthenaReadableMetadata(Connection connection, TableSpec spec)
            throws SQLException {
        String create = strings(connection, "SHOW CREATE TABLE " + sql(spec, "")).get(0);
        assertThat(create).as("SHOW CREATE TABLE %s", spec.identifier()).contains("format = 'PARQUET'")
                .contains("format_version = 2");
        Map<String, String> properties = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT key, value FROM " + sql(spec, "$properties"))) {
            while (rs.next()) {
                properties.put(rs.getString(1), rs.getString(2));
            }
        }
        assertThat(properties).as("%s$properties", spec.identifier()).containsEntry("format-version", "2")
                .containsEntry("write.format.default", "parquet").containsEntry("write.parquet.compression-codec", "zstd");
        assertThat(strings(connection, "SELECT DISTINCT file_format FROM " + sql(spec, "$files")))
                .as("file formats of %s", spec.identifier()).isSubsetOf("PARQUET");
        return properties;
    }

    private static String sql(TableSpec spec, String suffix) {
        return CanonicalRows.qualified(TrinoServer.CATALOG, spec.identifier(), suffix);
    }

    private static long count(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection connection, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String idList(Iterable<Long> ids) {
        StringBuilder text = new StringBuilder();
        ids.forEach(id -> text.append(text.length() == 0 ? "" : ",").append(id));
        return text.toString();
    }

    private static String utc(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).format(TRINO_TIMESTAMP);
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }
}
