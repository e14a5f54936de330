package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.catalog.tables.QuarantineTable;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaSources;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.localrun.ProgressReporter;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.CdcCaptureJob;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debezium envelopes as Kafka Connect writes them to Kafka (one topic with the embedded schema, one
 * without, one of a table that is not captured; see {@code src/test/resources/debezium/README.md})
 * through the production CDC graph into bronze changelogs and silver current state. The expected
 * silver rows are written out below from what the fixtures' changes mean, not computed by the
 * pipeline's code.
 */
class DebeziumKafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    private static final String CUSTOMERS = "public.customers";
    private static final String ORDERS = "public.orders";
    private static final String SNAPSHOT = "pg:-snapshot";

    private static final List<String> CUSTOMER_COLUMNS =
            List.of("customer_id", "email", "region", "country", "created_at", "updated_at", "cdc_op", "cdc_position");
    private static final List<String> ORDER_COLUMNS = List.of(
            "order_id", "customer_id", "status", "total", "currency", "created_at", "updated_at", "cdc_op", "cdc_position");

    /** Silver customers after every change: 2 and 3 updated (3 moved to NA), 4 erased, 5 new. */
    private static final List<String> EXPECTED_CUSTOMERS = List.of(
            "1 | ada@example.com | EU | DE | 2026-01-05T10:00:00 | 2026-02-11T16:20:05.120301 | r | " + SNAPSHOT,
            "2 | bo.new@example.com | NA | US | 2026-01-07T12:30:00 | 2026-03-02T08:07:02.774512 | u | " + lsn(24025360),
            "3 | chen@example.com | NA | US | 2026-01-09T03:15:42 | 2026-03-02T08:15:10.220871 | u | " + lsn(24027040),
            "5 | eve@example.com | null | US | 2026-03-02T08:05:01.204117 | 2026-03-02T08:05:01.204117 | c | " + lsn(24024312));

    /**
     * Silver orders: 103 deleted; 105 keeps its newer update (shipped at 24027424), the older one
     * re-sent after it is dropped; 108 never arrived whole; the TRUNCATE is not applied.
     */
    private static final List<String> EXPECTED_ORDERS = List.of(
            "101 | 1 | delivered | 129.90 | USD | 2026-03-01T21:14:09.381502 | 2026-03-02T08:20:18.802517 | u | " + lsn(24027680),
            "102 | 2 | cancelled | 45.00 | USD | 2026-03-01T22:02:51.660918 | 2026-03-02T08:12:03.447109 | u | " + lsn(24026400),
            "104 | 3 | delivered | 18250.00 | JPY | 2026-02-20T11:47:36.092811 | 2026-02-25T06:02:17.553109 | r | " + SNAPSHOT,
            "105 | 4 | shipped | 74.99 | EUR | 2026-03-02T07:55:27.140663 | 2026-03-02T08:16:41.073315 | u | " + lsn(24027424),
            "106 | 5 | shipped | 59.00 | USD | 2026-03-02T08:05:09.551203 | 2026-03-02T08:14:22.661034 | u | " + lsn(24026912),
            "107 | 3 | placed | 12.50 | EUR | 2026-03-02T08:11:47.905321 | 2026-03-02T08:11:47.905321 | c | " + lsn(24026144));

    /** A fixture record: what the comment above it says, the key and value as produced (null: a null key or value). */
    record Fixture(String comment, String key, String value) {}

    @Test
    void silverHoldsTheFinalRowsAndEveryEnvelopeIsAccountedFor() throws Exception {
        LocalServices services = LocalServices.shared();
        String bootstrap = services.kafkaBootstrapServers();
        String prefix = services.uniqueName("dbz");
        Map<String, List<Fixture>> fixtures = new LinkedHashMap<>();
        fixtures.put(prefix + ".public.customers", fixture("shop.public.customers.tsv"));
        fixtures.put(prefix + ".public.orders", fixture("shop.public.orders.tsv"));
        fixtures.put(prefix + ".public.payments", fixture("shop.public.payments.tsv"));
        for (Map.Entry<String, List<Fixture>> e : fixtures.entrySet()) {
            KafkaTestTopics.create(bootstrap, e.getKey(), e.getKey().endsWith("payments") ? 1 : 2);
            List<byte[][]> records = new ArrayList<>();
            e.getValue().forEach(f -> records.add(new byte[][] {bytes(f.key()), bytes(f.value())}));
            KafkaTestTopics.produce(bootstrap, e.getKey(), records);
        }

        Configuration config = config(services, new ArrayList<>(fixtures.keySet()), prefix + "_");
        CdcCapture capture = DebeziumKafkaSources.capture(config).orElseThrow();
        try (CdcCaptureJob pipeline = new CdcCaptureJob(config, List.of(capture))) {
            JobClient job = pipeline.start(2, "debezium-kafka-test");
            CatchUpThenStop.atCurrentEnd(bootstrap, config.get(DebeziumKafkaOptions.GROUP_ID), new ArrayList<>(fixtures.keySet()))
                    .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

            assertThat(silverRows(pipeline.table(capture.silverTable(CUSTOMERS)), CUSTOMER_COLUMNS))
                    .containsExactlyElementsOf(EXPECTED_CUSTOMERS);
            assertThat(silverRows(pipeline.table(capture.silverTable(ORDERS)), ORDER_COLUMNS))
                    .containsExactlyElementsOf(EXPECTED_ORDERS);

            // The three envelopes that cannot be applied, each with its reason and its bytes as read.
            Fixture malformed = only(fixtures.get(prefix + ".public.orders"), "malformed");
            Fixture truncate = only(fixtures.get(prefix + ".public.orders"), "TRUNCATE");
            Fixture payment = fixtures.get(prefix + ".public.payments").get(0);
            Map<String, String> quarantined = quarantine(pipeline.table(CdcJob.quarantineTable(capture)), capture.name());
            assertThat(quarantined).containsOnlyKeys("MALFORMED_JSON", "UNKNOWN_OP", "UNKNOWN_TABLE");
            assertThat(quarantined.get("MALFORMED_JSON")).startsWith(malformed.value() + " -> not valid JSON");
            assertThat(quarantined.get("UNKNOWN_OP")).startsWith(truncate.value() + " -> op 't'");
            assertThat(quarantined.get("UNKNOWN_TABLE")).startsWith(payment.value() + " -> table 'public.payments'");

            // Bronze: every applied-or-not change once, the stale one too (bronze keeps the log as read).
            List<Fixture> customerRecords = fixtures.get(prefix + ".public.customers");
            List<Fixture> orderRecords = fixtures.get(prefix + ".public.orders");
            Set<String> customerLog = changelog(pipeline.table(capture.changelogTable(CUSTOMERS)));
            Set<String> orderLog = changelog(pipeline.table(capture.changelogTable(ORDERS)));
            assertThat(customerLog).hasSize(nonNullValues(customerRecords));
            assertThat(orderLog).hasSize(nonNullValues(orderRecords) - 2)
                    .contains(lsn(24027168) + " {\"order_id\":105}", lsn(24027424) + " {\"order_id\":105}",
                            SNAPSHOT + " {\"order_id\":103}", lsn(24025880) + " {\"order_id\":103}");

            JobID id = job.getJobID();
            long envelopes = fixtures.values().stream().mapToLong(List::size).sum();
            long tombstones = fixtures.values().stream().flatMap(List::stream).filter(f -> f.value() == null).count();
            assertThat(tombstones).isEqualTo(2);
            assertThat(ProgressReporter.counterTotal(id, "cdcEnvelopesIn")).isEqualTo(envelopes);
            assertThat(ProgressReporter.counterTotal(id, "cdcTombstones")).isEqualTo(tombstones);
            assertThat(ProgressReporter.counterTotal(id, "cdcEnvelopesQuarantined")).isEqualTo(3);
            for (String reason : List.of("MALFORMED_JSON", "UNKNOWN_OP", "UNKNOWN_TABLE")) {
                assertThat(ProgressReporter.counterTotal(id, "cdcEnvelopesQuarantined", "reason", reason)).as(reason)
                        .isEqualTo(1);
            }
            assertThat(ProgressReporter.counterTotal(id, "cdcChanges")).isEqualTo(customerLog.size() + orderLog.size());
            assertThat(envelopes).isEqualTo(ProgressReporter.counterTotal(id, "cdcChanges") + tombstones + quarantined.size());
            assertThat(ProgressReporter.counterTotal(id, "cdcStaleChangesDropped")).isEqualTo(1);
            assertThat(ProgressReporter.counterTotal(id, "cdcChangesApplied"))
                    .isEqualTo(customerLog.size() + orderLog.size() - 1);
            assertThat(ProgressReporter.counterTotal(id, "cdcChangesQuarantined")).isZero();
        }
    }

    private static Configuration config(LocalServices services, List<String> topics, String tablePrefix) {
        Map<String, String> raw = new HashMap<>(LocalServicesConfig.pipelineProperties(services, List.of()));
        raw.remove("kafka.topics");
        raw.put("pipeline.checkpoint-interval", "1 s");
        raw.put("cdc.kafka.topics", String.join(";", topics));
        raw.put("cdc.kafka.tables", CUSTOMERS + ";" + ORDERS);
        raw.put("cdc.kafka.primary-keys", CUSTOMERS + "=customer_id;" + ORDERS + "=order_id");
        raw.put("cdc.kafka.column-types", CUSTOMERS + "=customer_id LONG, email STRING, region STRING, country STRING,"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC;"
                + ORDERS + "=order_id LONG, customer_id LONG, status STRING, total DECIMAL(12,2), currency STRING,"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        raw.put("cdc.kafka.silver-partition-columns", CUSTOMERS + "=region");
        raw.put("cdc.kafka.group-id", services.uniqueName("dbz_group"));
        raw.put("cdc.kafka.starting-offsets", "EARLIEST");
        raw.put("cdc.kafka.table-prefix", tablePrefix);
        List<ConfigOption<?>> options = new ArrayList<>(IngestionPipeline.options());
        options.addAll(DebeziumKafkaOptions.all());
        return PipelineConfig.fromMap(raw, options).check(DebeziumKafkaOptions::problems).configuration();
    }

    /** The records of {@code debezium/<file>}: one per line, key TAB value, {@code <null>} for null. */
    static List<Fixture> fixture(String file) throws IOException {
        String text;
        try (InputStream in = DebeziumKafkaITCase.class.getResourceAsStream("/debezium/" + file)) {
            assertThat(in).as("fixture debezium/%s on the test class path", file).isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Fixture> records = new ArrayList<>();
        String comment = "";
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                comment = line.substring(1).trim();
            } else if (!line.isEmpty()) {
                int tab = line.indexOf('\t');
                assertThat(tab).as("key TAB value in %s: %s", file, line).isPositive();
                records.add(new Fixture(comment, nullable(line.substring(0, tab)), nullable(line.substring(tab + 1))));
            }
        }
        return records;
    }

    private static String nullable(String field) {
        return field.equals("<null>") ? null : field;
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static Fixture only(List<Fixture> records, String commentStart) {
        List<Fixture> matching = records.stream().filter(f -> f.comment().startsWith(commentStart)).toList();
        assertThat(matching).as("fixture records whose comment starts with '%s'", commentStart).hasSize(1);
        return matching.get(0);
    }

    private static int nonNullValues(List<Fixture> records) {
        return (int) records.stream().filter(f -> f.value() != null).count();
    }

    private static String lsn(long lsn) {
        return String.format(Locale.ROOT, "pg:%020d", lsn);
    }

    /** Silver rows as ' | '-joined {@code columns}, in key order; fails on a key held twice. */
    private static List<String> silverRows(Table table, List<String> columns) throws IOException {
        Map<Long, String> byKey = new TreeMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                List<String> values = new ArrayList<>();
                for (String column : columns) {
                    values.add(canonical(r.getField(column)));
                }
                String previous = byKey.put((Long) r.getField(columns.get(0)), String.join(" | ", values));
                assertThat(previous).as("%s holds key %s twice", table.name(), r.getField(columns.get(0))).isNull();
            }
        }
        return new ArrayList<>(byKey.values());
    }

    private static String canonical(Object value) {
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        if (value instanceof LocalDateTime) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format((LocalDateTime) value);
        }
        return String.valueOf(value);
    }

    /** Quarantined payloads by reason, as {@code payload -> rule}; every row must come from {@code source}. */
    private static Map<String, String> quarantine(Table table, String source) throws IOException {
        Map<String, String> byReason = new TreeMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                assertThat(r.getField(QuarantineTable.SOURCE_NAME)).isEqualTo(source);
                ByteBuffer payload = ((ByteBuffer) r.getField(QuarantineTable.RAW_PAYLOAD)).duplicate();
                byte[] bytes = new byte[payload.remaining()];
                payload.get(bytes);
                String previous = byReason.put((String) r.getField(QuarantineTable.REASON),
                        new String(bytes, StandardCharsets.UTF_8) + " -> " + r.getField(QuarantineTable.RULE));
                assertThat(previous).as("one quarantined envelope per reason").isNull();
            }
        }
        return byReason;
    }

    /** The changelog as {@code position key} lines; fails on a (position, key) held twice. */
    private static Set<String> changelog(Table table) throws IOException {
        Set<String> seen = new HashSet<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                String id = r.getField(CdcChangelogTable.SOURCE_POSITION) + " " + r.getField(CdcChangelogTable.KEY);
                assertThat(seen.add(id)).as("change %s once in %s", id, table.name()).isTrue();
            }
        }
        return seen;
    }
}
