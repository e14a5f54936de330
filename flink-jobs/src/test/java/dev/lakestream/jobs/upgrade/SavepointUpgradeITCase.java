package dev.lakestream.jobs.upgrade;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.OrderFact;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.gold.features.FeatureInput;
import dev.lakestream.jobs.gold.features.FeatureOracle;
import dev.lakestream.jobs.gold.features.FeatureSet;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverOptions;
import dev.lakestream.jobs.sink.CommitWatermarks;
import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.SilverContents;
import dev.lakestream.localservices.LocalServices;
import dev.lakestream.localservices.flink.FlinkCluster;
import dev.lakestream.localservices.flink.FlinkRestClient;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade as an operator runs one, on a standalone Flink cluster (JobManager and TaskManager in
 * JVMs of their own, the application jar submitted over REST): job v1 reads part 1 of the input
 * (a clickstream topic through bronze and silver into gold sessions, and Debezium order changes
 * into customer features) and is stopped with a savepoint; part 2 is produced; job v2, the same jar
 * with one more customer-features window ({@code 14 d}), starts from that savepoint with {@code
 * allowNonRestoredState=false} and catches up.
 *
 * <p>Then: bronze holds every Kafka coordinate exactly once; silver and quarantine hold exactly
 * what the generator says (each valid event once, duplicates across the upgrade dropped); the
 * feature log's 7/30/90-day values equal a recomputation over the whole input (so v2 continued
 * v1's state rather than starting over), its new 14-day columns are filled from the first row after
 * the upgrade on (from buckets v1 had kept) and null before, and the tables gained the columns.
 */
class SavepointUpgradeITCase {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final Duration LATENESS = Duration.ofHours(1);
    private static final int CUSTOMERS = 300;
    /** Orders of this customer end each part at one time on both partitions: the watermark then reaches it. */
    private static final long MARKER_CUSTOMER = 1_000_000;
    private static final List<Duration> V2_WINDOWS =
            List.of(Duration.ofDays(7), Duration.ofDays(14), Duration.ofDays(30), Duration.ofDays(90));
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);

    @Test
    void jobV2AddsAFeatureWindowFromV1sSavepointWithNothingLostOrDuplicated() throws Exception {
        long begin = System.nanoTime();
        LocalServices services = LocalServices.shared();
        FlinkCluster cluster = services.flinkCluster();
        FlinkRestClient rest = cluster.rest();
        Path jar = applicationJar();

        String clicksTopic = services.uniqueName("upgrade_clicks");
        String ordersTopic = services.uniqueName("upgrade_orders");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), clicksTopic, 3);
        KafkaTestTopics.create(services.kafkaBootstrapServers(), ordersTopic, 2);

        // Event times in the future: a caught-up CDC source's watermark follows the wall clock, which
        // would otherwise overtake part 2 while v1 waits to be stopped.
        long day0 = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(2)).toEpochMilli();
        Shop shop = new Shop(day0);
        long end1 = shop.history(0, 50);
        long end2 = shop.history(50, 100);
        DomainEventGenerator generator = new DomainEventGenerator(20261122L, Instant.parse("2026-11-20T09:00:00Z"));
        List<DomainEventGenerator.Event> clicks1 = generator.clickstream(3_000);
        List<DomainEventGenerator.Event> clicks2 = generator.clickstream(3_000);

        Map<String, String> settings = settings(services, clicksTopic, ordersTopic);
        Path dir = Files.createTempDirectory("savepoint-upgrade");
        Path v1Config = write(dir.resolve("v1.properties"), settings);
        Map<String, String> v2Settings = new LinkedHashMap<>(settings);
        v2Settings.put(GoldOptions.FEATURES_CUSTOMER_WINDOWS.key(), "7 d;14 d;30 d;90 d");
        Path v2Config = write(dir.resolve("v2.properties"), v2Settings);
        Configuration config = IngestionPipeline.validate(PipelineConfig.fromMap(v2Settings, IngestionPipeline.options()))
                .configuration();
        String prefix = config.get(GoldOptions.TABLE_PREFIX);
        FeatureSet<OrderFact> v1Set = FeatureDefinitions.CUSTOMER;
        FeatureSet<OrderFact> v2Set = FeatureDefinitions.customer(V2_WINDOWS);

        // v1: part 1, then stop with a savepoint once the features are final up to its end.
        List<KafkaTestTopics.Produced> clicksProduced = new ArrayList<>(produce(services, clicksTopic, clicks1));
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), ordersTopic, shop.records.subList(0, shop.part1Records));
        String jarId = rest.uploadJar(jar);
        long v1Start = System.nanoTime();
        String v1 = rest.runJar(jarId, List.of("--config", v1Config.toString()), null, false);
        rest.awaitStatus(v1, "RUNNING", STEP_TIMEOUT);
        Catalog catalog = CatalogFactory.open(config);
        Table log = catalog.loadTable(v1Set.logTable(prefix).identifier());
        long watermark1 = end1 - 1 - LATENESS.toMillis();
        awaitCaughtUp(rest, v1, services, config, List.of(clicksTopic, ordersTopic), log, watermark1);
        String savepoint = rest.stopWithSavepoint(v1, dir.resolve("savepoints").toUri().toString(), STEP_TIMEOUT);
        rest.awaitStatus(v1, "FINISHED", STEP_TIMEOUT);
        long v1Seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - v1Start);
        long savepointBytes = size(Path.of(URI.create(savepoint)));
        assertThat(log.schema().findField("order_count_14d")).as("v1 has no 14-day column").isNull();
        assertStateTypesUnchanged(Path.of(URI.create(savepoint)), settings, clicksTopic, ordersTopic);

        // v2: part 2, from v1's savepoint, with the 14-day window.
        clicksProduced.addAll(produce(services, clicksTopic, clicks2));
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), ordersTopic,
                shop.records.subList(shop.part1Records, shop.records.size()));
        long v2Start = System.nanoTime();
        String v2 = rest.runJar(jarId, List.of("--config", v2Config.toString()), savepoint, false);
        rest.awaitStatus(v2, "RUNNING", STEP_TIMEOUT);
        long watermark2 = end2 - 1 - LATENESS.toMillis();
        awaitCaughtUp(rest, v2, services, config, List.of(clicksTopic, ordersTopic), log, watermark2);
        rest.stopWithSavepoint(v2, dir.resolve("savepoints").toUri().toString(), STEP_TIMEOUT);
        rest.awaitStatus(v2, "FINISHED", STEP_TIMEOUT);
        long v2Seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - v2Start);

        // Bronze and silver: every record of both parts, once.
        Map<String, SilverDataset> datasets = SilverOptions.datasetsBySource(config);
        BronzeTableContents.read(catalog.loadTable(IngestionPipeline.bronzeTables(config).get(clicksTopic).identifier()))
                .assertExactlyOnce(clicksProduced);
        List<SilverContents.Sent> sent = sent(Stream.concat(clicks1.stream(), clicks2.stream()).collect(Collectors.toList()),
                clicksProduced);
        SilverDataset clickDataset = datasets.get(clicksTopic);
        assertThat(SilverContents.silverLines(catalog.loadTable(clickDataset.silverTable().identifier())))
                .as("silver clickstream: each valid event of both parts once")
                .containsExactlyInAnyOrderElementsOf(SilverContents.expectedSilver(sent));
        assertThat(SilverContents.quarantineLines(catalog.loadTable(clickDataset.quarantineTable().identifier())))
                .as("quarantine: every rejected record of both parts")
                .containsExactlyInAnyOrderElementsOf(SilverContents.expectedQuarantine(sent));

        // The tables gained the new window's columns (additive evolution by the v2 job's provisioning).
        log.refresh();
        Table latest = catalog.loadTable(v2Set.latestTable(prefix).identifier());
        for (Types.NestedField column : v2Set.featureColumns()) {
            assertThat(log.schema().findField(column.name())).as("log column " + column.name()).isNotNull();
            assertThat(latest.schema().findField(column.name())).as("latest column " + column.name()).isNotNull();
        }

        // Features: every row equals the recomputation over the whole input, at its time.
        List<FeatureInput> inputs = new ArrayList<>();
        shop.facts.forEach(f -> inputs.add(v2Set.input(f)));
        FeatureChecks checks = checkFeatures(log, v1Set, v2Set, inputs, watermark2);
        // No row of the recomputation is missing and none is there twice (checkFeatures): v1 wrote the rows up to
        // the watermark it reached, v2 every row after, including rows at earlier times at which only the new
        // window changes (its exits, which v1 had no reason to write).
        assertThat(checks.lastV1Row).as("v1's last row").isLessThanOrEqualTo(watermark1);
        assertThat(checks.v1Rows).as("rows written by v1").isGreaterThan(1_000);
        assertThat(checks.v2Rows).as("rows written by v2").isGreaterThan(1_000);
        assertThat(checks.v2RowsCountingPart1).as("v2 rows whose 90-day values count part-1 orders").isGreaterThan(100);

        System.out.printf(Locale.ROOT, "SavepointUpgradeITCase: cluster started in %d ms; v1 ran %d s, savepoint %,d bytes;"
                        + " v2 ran %d s; %,d + %,d feature rows (v1 + v2); %,d clicks, %,d order changes; %d s in all%n",
                cluster.startupTime().toMillis(), v1Seconds, savepointBytes, v2Seconds, checks.v1Rows, checks.v2Rows,
                clicksProduced.size(), shop.records.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin));
    }

    /** The checked-in list of the state each operator of this job keeps, with its serializers (see {@link SavepointStateTypes}). */
    static final Path STATE_TYPES = Path.of("src", "test", "resources", "savepoint", "state-types.txt");

    /**
     * The state names and serializer types in v1's savepoint against {@link #STATE_TYPES}: a changed
     * state type fails here before it fails a user's restore. Regenerate with
     * -Dlakestream.update-uid-manifest=true when the change is intended and say in the commit what it
     * does to existing savepoints.
     */
    private static void assertStateTypesUnchanged(Path savepoint, Map<String, String> settings, String clicksTopic,
            String ordersTopic) throws Exception {
        // Names of this run (unique per test JVM) become placeholders, so the list is the same every run.
        String prefix = settings.get("gold.table-prefix");
        java.util.function.UnaryOperator<String> normalize = name -> name.replace(prefix, "<prefix>")
                .replace(clicksTopic, "<clicks>").replace(ordersTopic, "<orders>")
                .replace(settings.get("cdc.kafka.group-id"), "<cdc-group>");
        List<String> operatorIds = OperatorUidsTest.operatorIds(settings, Files.createTempDirectory("state-types"));
        List<String> actual = SavepointStateTypes.read(savepoint, SavepointStateTypes.names(operatorIds, normalize));
        if (Boolean.getBoolean(OperatorUidsTest.UPDATE)) {
            List<String> out = new ArrayList<>();
            out.add("# State of each operator in SavepointUpgradeITCase's v1 savepoint: operator | kind name | serializer snapshots.");
            out.add("# Regenerate with -Dlakestream.update-uid-manifest=true only for an intended, reviewed state change.");
            out.addAll(actual);
            Files.write(STATE_TYPES, out, java.nio.charset.StandardCharsets.UTF_8);
        }
        List<String> expected = Files.readAllLines(STATE_TYPES, java.nio.charset.StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
        List<String> changed = new ArrayList<>(actual);
        changed.removeAll(expected);
        List<String> gone = new ArrayList<>(expected);
        gone.removeAll(actual);
        assertThat(changed).as("State in the savepoint that " + STATE_TYPES + " does not list (a new state, or a state whose"
                + " serializer changed: an existing savepoint may then not restore; gone: " + gone + ")").isEmpty();
        assertThat(gone).as("State listed in " + STATE_TYPES + " that the savepoint no longer has").isEmpty();
        assertThat(actual).as("states read from the savepoint").hasSizeGreaterThan(10);
    }

    /** The pipeline keys both versions share: the local services, the two topics, Debezium orders. */
    private static Map<String, String> settings(LocalServices services, String clicksTopic, String ordersTopic) {
        Map<String, String> s = new LinkedHashMap<>(LocalServicesConfig.pipelineProperties(services, List.of(clicksTopic)));
        s.put("pipeline.name", "savepoint-upgrade");
        s.put("pipeline.checkpoint-interval", "2 s");
        s.put("kafka.starting-offsets", "EARLIEST");
        s.put("kafka.group-id", services.uniqueName("upgrade_group"));
        s.put("silver.clickstream.source", clicksTopic);
        s.put("silver.clickstream.table", clicksTopic + "_events");
        s.put("cdc.kafka.topics", ordersTopic);
        s.put("cdc.kafka.tables", "public.orders");
        s.put("cdc.kafka.primary-keys", "public.orders=order_id");
        s.put("cdc.kafka.column-types", "public.orders=order_id LONG, customer_id LONG, status STRING,"
                + " total DECIMAL(12,2), currency STRING, created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        s.put("cdc.kafka.group-id", services.uniqueName("upgrade_cdc_group"));
        s.put("cdc.kafka.starting-offsets", "EARLIEST");
        s.put("cdc.kafka.table-prefix", ordersTopic + "_");
        s.put("gold.table-prefix", services.uniqueName("g") + "_");
        s.put("gold.allowed-lateness", LATENESS.toMinutes() + " min");
        return s;
    }

    /**
     * Polls until both consumer groups have committed the topics' current end offsets (a checkpoint
     * completed after everything was read) and the feature log's commits are stamped with at least
     * {@code watermark}; fails at once, with the job's root exception, if the job stops running.
     */
    private static void awaitCaughtUp(FlinkRestClient rest, String jobId, LocalServices services, Configuration config,
            List<String> topics, Table log, long watermark) throws Exception {
        Map<TopicPartition, Long> end = endOffsets(services.kafkaBootstrapServers(), topics);
        List<String> groups = List.of(config.getString("kafka.group-id", ""), config.getString("cdc.kafka.group-id", ""));
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        String progress = "";
        while (System.nanoTime() < deadline) {
            String status = rest.jobStatus(jobId);
            if (!status.equals("RUNNING")) {
                throw new AssertionError("Job " + jobId + " is " + status + " before catching up. " + rest.failureSummary(jobId));
            }
            long behind = 0;
            for (String group : groups) {
                behind += lag(services.kafkaBootstrapServers(), group, end);
            }
            log.refresh();
            Snapshot current = log.currentSnapshot();
            long stamped = current == null ? Long.MIN_VALUE
                    : Long.parseLong(current.summary().getOrDefault(CommitWatermarks.WATERMARK_MS, String.valueOf(Long.MIN_VALUE)));
            progress = behind + " records behind, feature log stamped " + (stamped == Long.MIN_VALUE ? "never"
                    : Instant.ofEpochMilli(stamped).toString()) + " (waiting for " + Instant.ofEpochMilli(watermark) + ")";
            if (behind == 0 && stamped >= watermark) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Job " + jobId + " did not catch up within " + STEP_TIMEOUT + ": " + progress);
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap, List<String> topics) throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) ->
                    d.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            return end;
        }
    }

    /** Records of {@code end}'s topics the group has not committed; a group covers only its own topics. */
    private static long lag(String bootstrap, String group, Map<TopicPartition, Long> end) throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Set<String> topics = new HashSet<>();
            committed.keySet().forEach(tp -> topics.add(tp.topic()));
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (committed.isEmpty() || topics.contains(e.getKey().topic())) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    behind += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
                }
            }
            return behind;
        }
    }

    private static final class FeatureChecks {
        long v1Rows;
        long v2Rows;
        long lastV1Row = Long.MIN_VALUE;
        long firstV2Row = Long.MAX_VALUE;
        long v2RowsCountingPart1;
    }

    /**
     * Every log row's values against the recomputation at its time: the v1 windows on every row,
     * the 14-day window on v2's rows (v1's rows have it null). The rows are those the recomputation
     * gives for v1's windows, each once, plus on v2's side the times a day leaves the 14-day window.
     */
    private static FeatureChecks checkFeatures(Table log, FeatureSet<?> v1Set, FeatureSet<?> v2Set, List<FeatureInput> inputs,
            long watermark) throws Exception {
        Map<String, List<FeatureInput>> byEntity = new TreeMap<>();
        inputs.forEach(in -> byEntity.computeIfAbsent(in.entity, k -> new ArrayList<>()).add(in));
        List<String> newColumns = new ArrayList<>();
        List<String> v1Columns = new ArrayList<>();
        v1Set.featureColumns().forEach(c -> v1Columns.add(c.name()));
        v2Set.featureColumns().stream().map(Types.NestedField::name).filter(n -> !v1Columns.contains(n)).forEach(newColumns::add);
        assertThat(newColumns).containsExactly("order_count_14d", "revenue_14d", "avg_order_value_14d", "cancelled_ratio_14d");

        FeatureChecks checks = new FeatureChecks();
        Map<String, Map<String, String>> actual = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        log.refresh();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(log).build()) {
            for (Record r : rows) {
                String entity = String.valueOf(r.getField("customer_id"));
                long ts = ((LocalDateTime) r.getField("feature_ts")).toInstant(ZoneOffset.UTC).toEpochMilli();
                String key = entity + " " + Instant.ofEpochMilli(ts);
                Map<String, String> values = new LinkedHashMap<>();
                v2Set.featureColumns().forEach(c -> values.put(c.name(), text(r.getField(c.name()))));
                assertThat(actual.put(key, values)).as("log row " + key + " once").isNull();
                boolean fromV2 = !"null".equals(values.get("order_count_14d"));
                if (fromV2) {
                    checks.v2Rows++;
                    checks.firstV2Row = Math.min(checks.firstV2Row, ts);
                } else {
                    checks.v1Rows++;
                    checks.lastV1Row = Math.max(checks.lastV1Row, ts);
                    newColumns.forEach(c -> assertThat(values.get(c)).as(key + " " + c + " of a v1 row").isEqualTo("null"));
                }
                Map<String, String> expected = expected(v2Set, byEntity.getOrDefault(entity, List.of()), entity, ts);
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    boolean checked = fromV2 || v1Columns.contains(e.getKey());
                    if (checked && !e.getValue().equals(values.get(e.getKey())) && mismatches.size() < 20) {
                        mismatches.add(key + " " + e.getKey() + ": " + values.get(e.getKey()) + ", expected " + e.getValue());
                    }
                }
                if (fromV2 && countsPart1(byEntity.getOrDefault(entity, List.of()), ts)) {
                    checks.v2RowsCountingPart1++;
                }
            }
        }
        assertThat(mismatches).as("feature values that differ from the recomputation").isEmpty();

        Set<String> v1Times = keys(FeatureOracle.rows(v1Set, inputs, watermark));
        Set<String> v2Times = keys(FeatureOracle.rows(v2Set, inputs, watermark));
        List<String> missing = v1Times.stream().filter(k -> !actual.containsKey(k)).limit(20).collect(Collectors.toList());
        assertThat(missing).as("rows of the recomputation missing from the log (of " + v1Times.size() + ")").isEmpty();
        long firstV2 = checks.firstV2Row;
        List<String> unexpected = actual.keySet().stream()
                .filter(k -> !v1Times.contains(k) && !(v2Times.contains(k) && Instant.parse(k.split(" ")[1]).toEpochMilli() >= firstV2))
                .limit(20).collect(Collectors.toList());
        assertThat(unexpected).as("log rows at times the recomputation has no row").isEmpty();
        return checks;
    }

    /** Whether the 90-day window at {@code ts} holds an input of the first part (before the upgrade). */
    private static boolean countsPart1(List<FeatureInput> inputs, long ts) {
        return inputs.stream().anyMatch(in -> in.eventTsMillis <= ts && in.eventTsMillis < Shop.part1End
                && Math.floorDiv(Math.min(in.bucketTsMillis, in.eventTsMillis), DAY) * DAY + 90 * DAY > ts);
    }

    /** Entity and time of {@link FeatureOracle#rows} lines, as {@code checkFeatures} keys them. */
    private static Set<String> keys(List<String> oracleRows) {
        Set<String> keys = new HashSet<>();
        for (String row : oracleRows) {
            String[] f = row.split(" ");
            keys.add(f[0] + " " + LocalDateTime.parse(f[1]).toInstant(ZoneOffset.UTC));
        }
        return keys;
    }

    /** The features of {@code entity} at {@code ts}, column by column, from the inputs alone. */
    private static Map<String, String> expected(FeatureSet<?> set, List<FeatureInput> inputs, String entity, long ts) {
        long[] windows = set.windowMillis();
        long[][] totals = new long[windows.length][set.measureCount()];
        for (FeatureInput in : inputs) {
            long bucket = Math.floorDiv(Math.min(in.bucketTsMillis, in.eventTsMillis), set.bucketMillis()) * set.bucketMillis();
            for (int w = 0; w < windows.length; w++) {
                if (in.eventTsMillis <= ts && bucket + windows[w] > ts) {
                    for (int m = 0; m < in.deltas.length; m++) {
                        totals[w][m] += in.deltas[m];
                    }
                }
            }
        }
        GenericRowData row = (GenericRowData) set.row(entity, ts, totals, 0);
        Map<String, String> values = new LinkedHashMap<>();
        List<Types.NestedField> columns = set.featureColumns();
        for (int i = 0; i < columns.size(); i++) {
            values.put(columns.get(i).name(), text(row.getField(3 + i)));
        }
        return values;
    }

    private static String text(Object v) {
        if (v instanceof DecimalData) {
            return ((DecimalData) v).toBigDecimal().toPlainString();
        }
        return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : String.valueOf(v);
    }

    /**
     * A shop's orders as Debezium envelopes on Kafka: new orders of 300 customers (skewed towards
     * a few busy ones), some cancelled within days; and, for the recomputation, the facts customer
     * features count (each new order at its commit, each cancellation at its commit, both in the
     * day the order was placed).
     */
    private static final class Shop {
        /** Commit time of the end of part 1; inputs before it were counted by v1. */
        static long part1End;

        final long day0;
        final List<byte[][]> records = new ArrayList<>();
        final List<OrderFact> facts = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(2027);
        final Map<Long, Long[]> open = new TreeMap<>();
        int part1Records;
        long nextOrder = 1;
        long lsn = 90_000_000L;

        Shop(long day0) {
            this.day0 = day0;
        }

        /** Changes of days {@code from} until {@code to}, then the marker orders; returns the marker time. */
        long history(int fromDay, int toDay) {
            long end = day0 + toDay * DAY;
            for (long t = day0 + fromDay * DAY + 60_000; t < end; t += 60_000 + random.nextLong(40 * 60_000)) {
                if (random.nextInt(100) < 75 || open.isEmpty()) {
                    double r = random.nextDouble();
                    long customer = 1 + (long) (CUSTOMERS * r * r);
                    long cents = 500 + random.nextInt(99_500);
                    long order = nextOrder++;
                    record("c", order, customer, "placed", cents, t, t);
                    open.put(order, new Long[] {customer, cents, t});
                    facts.add(fact(order, customer, "PLACED", cents, true, t, t));
                } else {
                    List<Long> ids = new ArrayList<>(open.keySet());
                    long order = ids.get(random.nextInt(ids.size()));
                    Long[] o = open.remove(order);
                    if (random.nextInt(3) == 0) {
                        record("u", order, o[0], "cancelled", o[1], o[2], t);
                        facts.add(fact(order, o[0], "CANCELLED", o[1], false, t, o[2]));
                    } else {
                        // Paid: a status the features do not count.
                        record("u", order, o[0], "paid", o[1], o[2], t);
                    }
                }
            }
            long marker = end + Duration.ofHours(3).toMillis();
            for (int i = 0; i < 12; i++) {
                long order = nextOrder++;
                record("c", order, MARKER_CUSTOMER, "placed", 4_200, marker, marker);
                facts.add(fact(order, MARKER_CUSTOMER, "PLACED", 4_200, true, marker, marker));
            }
            if (fromDay == 0) {
                part1Records = records.size();
                part1End = marker + 1;
            }
            return marker;
        }

        private void record(String op, long order, long customer, String status, long cents, long createdAt, long commitTs) {
            String image = String.format(Locale.ROOT, "{\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":\"%s\","
                            + "\"currency\":\"USD\",\"created_at\":\"%s\",\"updated_at\":\"%s\"}", order, customer, status,
                    BigDecimal.valueOf(cents, 2).toPlainString(), Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(commitTs));
            String envelope = "{\"before\":null,\"after\":" + image + ",\"source\":{\"version\":\"2.7.3.Final\","
                    + "\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":" + commitTs + ",\"snapshot\":\"false\","
                    + "\"db\":\"shop\",\"schema\":\"public\",\"table\":\"orders\",\"lsn\":" + (lsn += 8) + "},\"op\":\"" + op
                    + "\",\"ts_ms\":" + (commitTs + 150) + "}";
            records.add(new byte[][] {("{\"order_id\":" + order + "}").getBytes(StandardCharsets.UTF_8),
                    envelope.getBytes(StandardCharsets.UTF_8)});
        }

        private static OrderFact fact(long order, long customer, String status, long cents, boolean newOrder, long at,
                long placedAt) {
            OrderFact f = new OrderFact();
            f.orderId = order;
            f.customerId = customer;
            f.status = status;
            f.total = BigDecimal.valueOf(cents, 2);
            f.newOrder = newOrder;
            f.eventTsMillis = at;
            f.placedAtMillis = placedAt;
            f.eventId = order + ":" + status;
            return f;
        }
    }

    private static List<KafkaTestTopics.Produced> produce(LocalServices services, String topic,
            List<DomainEventGenerator.Event> events) throws Exception {
        List<byte[][]> keyValues = new ArrayList<>();
        for (DomainEventGenerator.Event e : events) {
            keyValues.add(new byte[][] {e.key.getBytes(StandardCharsets.UTF_8), e.value});
        }
        return KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, keyValues);
    }

    private static List<SilverContents.Sent> sent(List<DomainEventGenerator.Event> events, List<KafkaTestTopics.Produced> produced) {
        List<SilverContents.Sent> sent = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            var c = produced.get(i).coordinate;
            sent.add(new SilverContents.Sent(events.get(i), c.topic, String.valueOf(c.partition), String.valueOf(c.offset)));
        }
        return sent;
    }

    private static Path write(Path file, Map<String, String> settings) throws Exception {
        Properties props = new Properties();
        props.putAll(settings);
        try (var out = Files.newBufferedWriter(file)) {
            props.store(out, "SavepointUpgradeITCase");
        }
        return file;
    }

    /** The shaded jar {@code mvn package} built; failsafe runs after the package phase. */
    static Path applicationJar() throws Exception {
        Path target = Path.of("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("flink-jobs-.*-application\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("No flink-jobs-*-application.jar in " + target.toAbsolutePath()
                            + ": run the ITCases through Maven's verify phase (mvn -pl flink-jobs verify), which packages it first"));
        }
    }

    static long size(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
