package dev.lakestream.jobs.localrun;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.catalog.maintenance.DeleteFileCompaction;
import dev.lakestream.catalog.tables.QuarantineTable;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.gold.features.FeatureSet;
import dev.lakestream.jobs.cdc.ShopDatabase;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeOptions;
import dev.lakestream.jobs.silver.DeduplicateEvents;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverOptions;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.KinesisTestStreams;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.config.PipelineOptions;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command: starts the local services, produces a realistic stream of the
 * retail domain (orders and clickstream, with duplicates, late events and malformed records),
 * runs the ingestion pipeline through its production configuration path with progress output,
 * stops once it has caught up (with a savepoint), and prints what landed and where the warehouse lives.
 */
public final class LocalPipelineRun {

    /** What to generate and where to keep the run's files. */
    public static final class Options {
        int orderEvents = 20_000;
        int clickEvents = 60_000;
        int fulfillmentEvents = 10_000;
        int shopCustomers = 1_000;
        int shopOrders = 5_000;
        long seed = 20261121L;
        String topicPrefix = "";
        Path workDir = Path.of("local-run").toAbsolutePath();
        Duration checkpointInterval = Duration.ofSeconds(2);

        public Options orderEvents(int n) { orderEvents = n; return this; }
        public Options clickEvents(int n) { clickEvents = n; return this; }
        public Options fulfillmentEvents(int n) { fulfillmentEvents = n; return this; }
        public Options shopOrders(int n) { shopOrders = n; return this; }
        public Options topicPrefix(String p) { topicPrefix = p; return this; }
        public Options workDir(Path p) { workDir = p.toAbsolutePath(); return this; }
    }

    /** Row counts per table after the run. */
    public static final class Summary {
        public final Map<String, Long> rowsPerTable;
        public final long recordsProduced;
        public final long bronzeRows;

        Summary(Map<String, Long> rowsPerTable, long recordsProduced, long bronzeRows) {
            this.rowsPerTable = rowsPerTable;
            this.recordsProduced = recordsProduced;
            this.bronzeRows = bronzeRows;
        }
    }

    private final PrintStream out;

    public LocalPipelineRun(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Options options = new Options();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--fulfillment": options.fulfillmentEvents(Integer.parseInt(args[i + 1])); break;
                case "--shop-orders": options.shopOrders(Integer.parseInt(args[i + 1])); break;
                case "--orders": options.orderEvents(Integer.parseInt(args[i + 1])); break;
                case "--clicks": options.clickEvents(Integer.parseInt(args[i + 1])); break;
                case "--work-dir": options.workDir(Path.of(args[i + 1])); break;
                default: throw new IllegalArgumentException("Unknown argument " + args[i]
                        + ". Usage: [--orders N] [--clicks N] [--fulfillment N] [--shop-orders N] [--work-dir DIR]");
            }
        }
        LocalPipelineRun run = new LocalPipelineRun(System.out);
        // Each run starts from empty servers; the previous run's files stay until then for inspection.
        for (String previous : List.of("services", "checkpoints", "savepoints")) {
            org.apache.flink.util.FileUtils.deleteDirectory(options.workDir.resolve(previous).toFile());
        }
        run.out.println("== Starting local services (Kafka, Kinesis API, S3-compatible store, PostgreSQL with logical"
                + " replication, Iceberg JDBC catalog) ...");
        long t0 = System.nanoTime();
        try (LocalServices services = LocalServices.builder()
                .workDir(options.workDir.resolve("services"))
                .withKafka()
                .withKinesis()
                .withPostgres()
                .withIcebergCatalog()
                .start()) {
            run.out.printf(Locale.ROOT, "   up in %.1f s: Kafka %s, Kinesis %s, S3 %s%n", (System.nanoTime() - t0) / 1e9,
                    services.kafkaBootstrapServers(), services.kinesisEndpoint(), services.objectStore().endpoint());
            run.run(services, options);
        }
        run.out.println("== Local services stopped. Done.");
    }

    /** Runs the pipeline against already started services. */
    public Summary run(LocalServices services, Options options) throws Exception {
        String orders = options.topicPrefix + "orders";
        String clicks = options.topicPrefix + "clickstream";
        List<String> topics = List.of(orders, clicks);

        String fulfillment = options.topicPrefix.replace('_', '-') + "fulfillment-events";
        out.printf(Locale.ROOT, "== Producing %,d order events to '%s' and %,d clickstream events to '%s' (Kafka),"
                        + " %,d fulfillment events to '%s' (Kinesis), seed %d%n",
                options.orderEvents, orders, options.clickEvents, clicks, options.fulfillmentEvents, fulfillment,
                options.seed);
        DomainEventGenerator generator = new DomainEventGenerator(options.seed, Instant.parse("2026-11-20T09:00:00Z"));
        KafkaTestTopics.ensure(services.kafkaBootstrapServers(), topics, 3);
        String fulfillmentArn = KinesisTestStreams.create(services.kinesisEndpoint(), fulfillment, 2);
        long produced = produce(services, orders, generator.orderEvents(options.orderEvents))
                + produce(services, clicks, generator.clickstream(options.clickEvents));
        List<KinesisTestStreams.Entry> entries = new ArrayList<>();
        for (DomainEventGenerator.Event e : generator.fulfillment(options.fulfillmentEvents)) {
            entries.add(new KinesisTestStreams.Entry(e.key, e.value));
        }
        produced += KinesisTestStreams.put(services.kinesisEndpoint(), fulfillmentArn, entries).size();
        out.println("   planted defects: " + generator.defectCounts());

        ShopDatabase shop = new ShopDatabase(services, options.topicPrefix + "shop");
        out.printf(Locale.ROOT, "== PostgreSQL database '%s': %,d customers and %,d orders before the job starts"
                + " (its snapshot), changes while it runs%n", shop.database(), options.shopCustomers, options.shopOrders);
        shop.execute(ShopDatabase.CUSTOMERS, "INSERT INTO customers SELECT g, 'customer' || g || '@example.com',"
                + " (ARRAY['NA','EU','APAC'])[1 + g % 3], (ARRAY['US','DE','JP'])[1 + g % 3],"
                + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour', now()"
                + " FROM generate_series(1, " + options.shopCustomers + ") g");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1 + g % " + options.shopCustomers + ", 'placed',"
                + " round((g * 7.31) % 500 + 5, 2), (ARRAY['USD','EUR','GBP'])[1 + g % 3],"
                + " timestamptz '2026-11-01 00:00:00+00' + g * interval '1 minute',"
                + " timestamptz '2026-11-01 00:00:00+00' + g * interval '1 minute'"
                + " FROM generate_series(1, " + options.shopOrders + ") g");

        Path configFile = writeConfig(services, topics, fulfillmentArn, shop.database(), options);
        out.println("== Pipeline configuration: " + configFile);
        PipelineConfig config = IngestionPipeline.validate(
                PipelineConfig.fromPropertiesFile(configFile, IngestionPipeline.options()));
        out.print(config.describe());
        IngestionPipeline.provisionTables(config.configuration());

        Configuration flink = new Configuration();
        ProgressReporter.install(flink);
        flink.setString("execution.checkpointing.dir", options.workDir.resolve("checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, MiniClusters.sizedLikeMsf(flink, 2));
        IngestionPipeline.build(env, config.configuration());

        Catalog catalog = CatalogFactory.open(config.configuration());
        List<Table> tables = new ArrayList<>();
        for (TableSpec spec : IngestionPipeline.tables(config.configuration())) {
            tables.add(catalog.loadTable(spec.identifier()));
        }

        out.println("== Running " + config.configuration().get(PipelineOptions.NAME)
                + " until it has caught up with what was produced, then stopping it with a savepoint");
        long start = System.nanoTime();
        JobClient job = env.executeAsync(config.configuration().get(PipelineOptions.NAME));
        long[] lastPrint = {0};
        Runnable progress = () -> {
            if (System.nanoTime() - lastPrint[0] > 2_000_000_000L) {
                lastPrint[0] = System.nanoTime();
                printProgress(start, tables);
            }
        };
        CdcCapture capture = IngestionPipeline.postgresCapture(config.configuration()).orElseThrow();
        Table customersLog = catalog.loadTable(capture.changelogTable(ShopDatabase.CUSTOMERS).identifier());
        Table ordersLog = catalog.loadTable(capture.changelogTable(ShopDatabase.ORDERS).identifier());
        CatchUpThenStop.allOf(CatchUpThenStop.whenCommitted(customersLog, shop.changes(ShopDatabase.CUSTOMERS)),
                        CatchUpThenStop.whenCommitted(ordersLog, shop.changes(ShopDatabase.ORDERS)))
                .await(job, Duration.ofMinutes(10), progress);
        out.println("   the snapshot of the shop tables is committed; now changing them: lifecycles, cancellations,"
                + " deletes, customers moving region, new orders");
        changeShop(shop, options);
        String savepoint = CatchUpThenStop.allOf(
                        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(),
                                config.configuration().get(KafkaBronzeOptions.GROUP_ID), topics),
                        CatchUpThenStop.whenCommitted(
                                catalog.loadTable(IngestionPipeline.bronzeTables(config.configuration())
                                        .get(KinesisBronzeOptions.streamName(fulfillmentArn)).identifier()),
                                options.fulfillmentEvents),
                        CatchUpThenStop.whenCommitted(customersLog, shop.changes(ShopDatabase.CUSTOMERS)),
                        CatchUpThenStop.whenCommitted(ordersLog, shop.changes(ShopDatabase.ORDERS)),
                        // The days before today close once the shop's watermark reaches the wall clock.
                        CatchUpThenStop.whenNotEmpty(catalog.loadTable(GoldTables.dailyRevenue(
                                config.configuration().get(GoldOptions.TABLE_PREFIX)).identifier())),
                        // Features of the snapshot's orders and of the fulfillment backlog, final once the
                        // watermark is past them plus the allowed lateness.
                        CatchUpThenStop.whenNotEmpty(catalog.loadTable(FeatureDefinitions.CUSTOMER.logTable(
                                config.configuration().get(GoldOptions.TABLE_PREFIX)).identifier())),
                        CatchUpThenStop.whenNotEmpty(catalog.loadTable(FeatureDefinitions.FACILITY.logTable(
                                config.configuration().get(GoldOptions.TABLE_PREFIX)).identifier())))
                .awaitAndStop(job, options.workDir.resolve("savepoints"), Duration.ofMinutes(10), progress);
        printProgress(start, tables);
        out.println("   stopped with savepoint " + savepoint);

        Map<String, Long> rows = new LinkedHashMap<>();
        out.println("== What landed");
        for (Table table : tables) {
            table.refresh();
            long count = totalRecords(table);
            rows.put(table.name(), count);
            boolean currentState = !table.schema().identifierFieldIds().isEmpty();
            out.printf(Locale.ROOT, "   %-45s %,10d %s, %d snapshots, location %s%n", table.name(), count,
                    currentState ? "rows written (current state: see the CDC check)" : "rows", size(table.snapshots()),
                    table.location());
        }
        printSilverAccounting(catalog, config, job.getJobID(), rows);
        printCdcCheck(catalog, capture, shop);
        printGold(catalog, config);
        for (Table table : tables) {
            printSamples(table, 3);
        }
        out.println("== Warehouse: " + config.configuration().getString("catalog.warehouse", "")
                + " on the S3-compatible store at " + services.objectStore().endpoint()
                + "; catalog: " + config.configuration().getString("catalog.uri", ""));
        Path onDisk = options.workDir.resolve("services").resolve("s3proxy").resolve("data");
        if (Files.isDirectory(onDisk)) {
            out.println("   the store keeps its objects under " + onDisk + " (kept after the run)");
        }
        long bronzeRows = 0;
        for (TableSpec spec : IngestionPipeline.bronzeTables(config.configuration()).values()) {
            bronzeRows += rows.getOrDefault(catalog.loadTable(spec.identifier()).name(), 0L);
        }
        out.printf(Locale.ROOT, "   produced %,d records, the sources' bronze tables hold %,d rows%n", produced, bronzeRows);
        return new Summary(rows, produced, bronzeRows);
    }

    private void printProgress(long start, List<Table> tables) {
        StringBuilder committed = new StringBuilder();
        for (Table table : tables) {
            table.refresh();
            committed.append(' ').append(table.name()).append('=')
                    .append(String.format(Locale.ROOT, "%,d", totalRecords(table)));
        }
        out.printf(Locale.ROOT, "   [%5.1f s] records read: %,d | checkpoints completed: %d | rows committed:%s%n",
                (System.nanoTime() - start) / 1e9, ProgressReporter.recordsRead(),
                ProgressReporter.completedCheckpoints(), committed);
    }

    /** Gold windows: how many are final, and the late events with how late they were. */
    private void printGold(Catalog catalog, PipelineConfig config) throws Exception {
        String prefix = config.configuration().get(dev.lakestream.jobs.gold.GoldOptions.TABLE_PREFIX);
        Table gold = catalog.loadTable(dev.lakestream.catalog.tables.GoldTables.facilityThroughputHourly(prefix).identifier());
        Table late = catalog.loadTable(dev.lakestream.catalog.tables.GoldTables.lateEvents(prefix).identifier());
        Table sessions = catalog.loadTable(dev.lakestream.catalog.tables.GoldTables.userSessions(prefix).identifier());
        int windows = 0;
        int finals = 0;
        try (CloseableIterable<Record> rows = IcebergGenerics.read(gold).build()) {
            for (Record r : rows) {
                windows++;
                finals += Boolean.TRUE.equals(r.getField("is_final")) ? 1 : 0;
            }
        }
        long lateEvents = 0;
        long maxLateness = 0;
        Map<String, Integer> lateByDataset = new java.util.TreeMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(late).build()) {
            for (Record r : rows) {
                lateEvents++;
                maxLateness = Math.max(maxLateness, (Long) r.getField("lateness_ms"));
                lateByDataset.merge((String) r.getField("dataset"), 1, Integer::sum);
            }
        }
        out.println("== Gold: event-time windows over silver");
        out.printf(Locale.ROOT, "   %-45s %,d facility-windows, %,d final (the rest wait for the allowed lateness)%n",
                gold.name(), windows, finals);
        long sessionCount = 0;
        long sessionEvents = 0;
        try (CloseableIterable<Record> rows = IcebergGenerics.read(sessions).build()) {
            for (Record r : rows) {
                sessionCount++;
                sessionEvents += (Long) r.getField("events");
            }
        }
        out.printf(Locale.ROOT, "   %-45s %,d closed sessions holding %,d clicks (30 minutes without a click end one)%n",
                sessions.name(), sessionCount, sessionEvents);
        Table revenue = catalog.loadTable(dev.lakestream.catalog.tables.GoldTables.dailyRevenue(prefix).identifier());
        java.util.SortedSet<Object> days = new java.util.TreeSet<>();
        long revenueRows = 0;
        long revenueFinal = 0;
        long orders = 0;
        try (CloseableIterable<Record> rows = IcebergGenerics.read(revenue).build()) {
            for (Record r : rows) {
                revenueRows++;
                revenueFinal += Boolean.TRUE.equals(r.getField("is_final")) ? 1 : 0;
                orders += (Long) r.getField("total_orders");
                days.add(r.getField("revenue_date"));
            }
        }
        out.printf(Locale.ROOT, "   %-45s %,d day-status-region rows (%,d final) counting %,d status entries, days %s;"
                        + " today's changes wait for midnight UTC plus the allowed lateness%n",
                revenue.name(), revenueRows, revenueFinal, orders, days);
        printFeatures(catalog, FeatureDefinitions.CUSTOMER, prefix);
        printFeatures(catalog, FeatureDefinitions.FACILITY, prefix);
        out.printf(Locale.ROOT, "   %-45s %,d events past the allowed lateness %s, the latest %d min %d s behind the watermark%n",
                late.name(), lateEvents, lateByDataset, maxLateness / 60_000, maxLateness / 1000 % 60);
    }

    /** A feature set's log (rows, entities, time span) and its latest values, with the busiest entity's row. */
    private void printFeatures(Catalog catalog, FeatureSet<?> set, String prefix) throws Exception {
        Table log = catalog.loadTable(set.logTable(prefix).identifier());
        Table latest = catalog.loadTable(set.latestTable(prefix).identifier());
        long logRows = 0;
        Map<Object, Integer> perEntity = new java.util.HashMap<>();
        Object first = null;
        Object last = null;
        String entity = log.schema().columns().get(0).name();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(log).build()) {
            for (Record r : rows) {
                logRows++;
                perEntity.merge(r.getField(entity), 1, Integer::sum);
                java.time.LocalDateTime ts = (java.time.LocalDateTime) r.getField(GoldTables.FEATURE_TS);
                first = first == null || ts.isBefore((java.time.LocalDateTime) first) ? ts : first;
                last = last == null || ts.isAfter((java.time.LocalDateTime) last) ? ts : last;
            }
        }
        Object busiest = perEntity.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        long latestRows = 0;
        String busiestRow = "";
        List<String> columns = latest.schema().columns().stream().map(c -> c.name()).collect(java.util.stream.Collectors.toList());
        try (CloseableIterable<Record> rows = IcebergGenerics.read(latest).build()) {
            for (Record r : rows) {
                latestRows++;
                if (r.getField(entity).equals(busiest)) {
                    StringBuilder b = new StringBuilder();
                    for (String c : columns) {
                        if (!c.equals(GoldTables.COMPUTED_AT)) {
                            b.append(b.length() == 0 ? "" : ", ").append(c).append('=').append(r.getField(c));
                        }
                    }
                    busiestRow = b.toString();
                }
            }
        }
        out.printf(Locale.ROOT, "   %-45s %,d point-in-time rows of %,d entities, feature times %s .. %s%n",
                log.name(), logRows, perEntity.size(), first, last);
        out.printf(Locale.ROOT, "   %-45s %,d entities; the busiest: %s%n", latest.name(), latestRows, busiestRow);
    }

    /** A scripted day in the shop: order lifecycles, cancellations, GDPR deletes, moves, new orders. */
    private static void changeShop(ShopDatabase shop, Options options) {
        int n = options.shopOrders;
        for (String status : List.of("paid", "shipped", "delivered")) {
            shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = '" + status + "', updated_at = now()"
                    + " WHERE order_id % 10 < 6 AND order_id <= " + n);
        }
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = 'cancelled', updated_at = now()"
                + " WHERE order_id % 10 = 7 AND order_id <= " + n);
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = 'test' WHERE order_id % 97 = 0 AND order_id <= " + n);
        shop.execute(ShopDatabase.ORDERS, "DELETE FROM orders WHERE order_id % 50 = 1 AND order_id <= " + n);
        shop.execute(ShopDatabase.CUSTOMERS, "UPDATE customers SET region = 'EU', country = 'FR', updated_at = now()"
                + " WHERE customer_id % 25 = 0 AND region <> 'EU'");
        shop.execute(ShopDatabase.CUSTOMERS, "DELETE FROM customers WHERE customer_id % 200 = 3");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1 + g % " + options.shopCustomers + ", 'placed',"
                + " 42.00, 'USD', now(), now() FROM generate_series(" + (n + 1) + ", " + (n + n / 10) + ") g");
    }

    /** Silver current state against the source, before and after compacting away the delete files. */
    private void printCdcCheck(Catalog catalog, CdcCapture capture, ShopDatabase shop) throws Exception {
        out.println("== CDC: silver current state against SELECT * FROM the source");
        Map<String, List<String>> columns = Map.of(
                ShopDatabase.CUSTOMERS, ShopDatabase.CUSTOMER_COLUMNS,
                ShopDatabase.ORDERS, ShopDatabase.ORDER_COLUMNS);
        for (String source : List.of(ShopDatabase.CUSTOMERS, ShopDatabase.ORDERS)) {
            String key = columns.get(source).get(0);
            Table silver = catalog.loadTable(capture.silverTable(source).identifier());
            List<String> expected = shop.sourceRows(source, key);
            boolean equal = ShopDatabase.silverRows(silver, key, columns.get(source)).equals(expected);
            silver.refresh();
            out.printf(Locale.ROOT, "   %-32s %,7d rows after %,d change events (snapshot reads included), %s delete files: %s%n", silver.name(),
                    expected.size(), shop.changes(source),
                    silver.currentSnapshot().summary().getOrDefault("total-delete-files", "0"),
                    equal ? "equals the source" : "DIFFERS FROM THE SOURCE");
            DeleteFileCompaction.Result compacted = DeleteFileCompaction.run(silver);
            boolean stillEqual = ShopDatabase.silverRows(silver, key, columns.get(source)).equals(expected);
            out.printf(Locale.ROOT, "   %-32s compacted for Redshift (%s): %s%n", "", compacted,
                    stillEqual ? "still equals the source" : "DIFFERS FROM THE SOURCE");
        }
    }

    /** Per silver dataset: the count identity, and the quarantine broken down by reason. */
    private void printSilverAccounting(Catalog catalog, PipelineConfig config, JobID jobId, Map<String, Long> rows)
            throws Exception {
        Map<String, SilverDataset> datasets = SilverOptions.datasetsBySource(config.configuration());
        if (datasets.isEmpty()) {
            return;
        }
        out.println("== Silver accounting (bronze = silver + quarantined + duplicates dropped)");
        long duplicates = ProgressReporter.counterTotal(jobId, DeduplicateEvents.METRIC_DUPLICATES);
        long duplicatesByTables = 0;
        for (Map.Entry<String, SilverDataset> e : datasets.entrySet()) {
            SilverDataset dataset = e.getValue();
            long bronze = rows.getOrDefault(catalog.loadTable(
                    IngestionPipeline.bronzeTables(config.configuration()).get(e.getKey()).identifier()).name(), 0L);
            Table silver = catalog.loadTable(dataset.silverTable().identifier());
            Table quarantine = catalog.loadTable(dataset.quarantineTable().identifier());
            long silverRows = rows.getOrDefault(silver.name(), 0L);
            long quarantined = rows.getOrDefault(quarantine.name(), 0L);
            duplicatesByTables += bronze - silverRows - quarantined;
            out.printf(Locale.ROOT, "   %-20s bronze %,d = silver %,d + quarantined %,d + duplicates %,d%n",
                    dataset.tableName(), bronze, silverRows, quarantined, bronze - silverRows - quarantined);
            Map<String, Integer> byReason = new java.util.TreeMap<>();
            Map<String, String> exampleRule = new java.util.TreeMap<>();
            try (CloseableIterable<Record> records = IcebergGenerics.read(quarantine)
                    .select(QuarantineTable.REASON, QuarantineTable.RULE).build()) {
                for (Record r : records) {
                    String reason = (String) r.getField(QuarantineTable.REASON);
                    byReason.merge(reason, 1, Integer::sum);
                    exampleRule.putIfAbsent(reason, (String) r.getField(QuarantineTable.RULE));
                }
            }
            byReason.forEach((reason, n) -> out.printf(Locale.ROOT, "      %-24s %,6d  e.g. %s%n", reason, n,
                    exampleRule.get(reason)));
        }
        out.printf(Locale.ROOT, "   duplicates dropped, as counted by the job (metric silverDuplicatesDropped): %,d%s%n",
                duplicates, duplicates == duplicatesByTables ? " (matches the tables)" : " (the tables say " + duplicatesByTables + ")");
    }

    private void printSamples(Table table, int limit) throws Exception {
        if (table.schema().findField(BronzeKafkaTable.RECORD_VALUE) == null) {
            printRows(table, limit);
            return;
        }
        out.println("   sample rows of " + table.name() + ":");
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            int n = 0;
            for (Record r : records) {
                if (n++ >= limit) {
                    break;
                }
                out.printf(Locale.ROOT, "     %s/%s@%s kafka_ts=%s value=%s%n",
                        r.getField(BronzeKafkaTable.TOPIC), r.getField(BronzeKafkaTable.PARTITION),
                        r.getField(BronzeKafkaTable.OFFSET), r.getField(BronzeKafkaTable.KAFKA_TS),
                        preview((ByteBuffer) r.getField(BronzeKafkaTable.RECORD_VALUE)));
            }
        }
    }

    /** Any table: the first rows, column=value, binary payloads shortened. */
    private void printRows(Table table, int limit) throws Exception {
        out.println("   sample rows of " + table.name() + ":");
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            int n = 0;
            for (Record r : records) {
                if (n++ >= limit) {
                    break;
                }
                StringBuilder line = new StringBuilder();
                for (org.apache.iceberg.types.Types.NestedField f : table.schema().columns()) {
                    Object v = r.getField(f.name());
                    if (v == null) {
                        continue;
                    }
                    line.append(line.length() == 0 ? "" : ", ").append(f.name()).append('=')
                            .append(v instanceof ByteBuffer ? preview((ByteBuffer) v) : v);
                }
                out.println("     " + (line.length() > 400 ? line.substring(0, 400) + "..." : line));
            }
        }
    }

    private static String preview(ByteBuffer value) {
        if (value == null) {
            return "null";
        }
        ByteBuffer b = value.duplicate();
        byte[] bytes = new byte[Math.min(b.remaining(), 110)];
        b.get(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        return value.remaining() > bytes.length ? text + "... (" + value.remaining() + " bytes)" : text;
    }

    private static long totalRecords(Table table) {
        Snapshot current = table.currentSnapshot();
        return current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
    }

    private static int size(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    private Path writeConfig(LocalServices services, List<String> topics, String fulfillmentArn, String shopDatabase,
            Options options) throws Exception {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, topics);
        raw.putAll(LocalServicesConfig.postgresCdcProperties(services, shopDatabase,
                List.of(ShopDatabase.CUSTOMERS, ShopDatabase.ORDERS), options.topicPrefix + "lakestream_local_run",
                options.topicPrefix));
        raw.put("cdc.postgres.silver-partition-columns", ShopDatabase.CUSTOMERS + "=region");
        // The generated hour of events: a short allowed lateness shows final windows and late events.
        raw.put("gold.allowed-lateness", "10 min");
        // The shop goes quiet seconds after its last change: its watermark follows the wall clock soon.
        raw.put("watermarks.cdc.heartbeat-interval", "5 s");
        raw.putAll(LocalServicesConfig.kinesisProperties(services, List.of(fulfillmentArn)));
        raw.put("silver.fulfillment-events.source", KinesisBronzeOptions.streamName(fulfillmentArn));
        raw.put("silver.fulfillment-events.table", options.topicPrefix + "fulfillment_events");
        raw.put("pipeline.name", "lakestream-local-run");
        raw.put("pipeline.checkpoint-interval", options.checkpointInterval.toMillis() + " ms");
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("silver.clickstream.source", topics.get(1));
        raw.put("silver.clickstream.table", options.topicPrefix + "clickstream_events");
        Properties props = new Properties();
        props.putAll(raw);
        Files.createDirectories(options.workDir);
        Path file = options.workDir.resolve("pipeline.properties");
        try (var writer = Files.newBufferedWriter(file)) {
            props.store(writer, "Generated by the local run; same keys as the MSF runtime properties");
        }
        return file;
    }


    private static long produce(LocalServices services, String topic, List<DomainEventGenerator.Event> events)
            throws Exception {
        List<byte[][]> keyValues = new ArrayList<>(events.size());
        for (DomainEventGenerator.Event e : events) {
            keyValues.add(new byte[][] {e.key.getBytes(StandardCharsets.UTF_8), e.value});
        }
        return KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, keyValues).size();
    }
}
