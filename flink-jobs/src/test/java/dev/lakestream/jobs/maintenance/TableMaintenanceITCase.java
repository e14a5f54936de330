package dev.lakestream.jobs.maintenance;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.maintenance.MaintenanceReport;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.sink.CommitWatermarks;
import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Table maintenance beside the running ingestion job, on the real catalog and object store. The
 * job (1 s checkpoints) reads a click topic into bronze and Debezium envelopes of an orders table
 * (inserts, updates, deletes) into a bronze changelog and silver current state, which its dynamic
 * sink writes with equality deletes. After a few dozen small commits, maintenance runs while the
 * producers and the job go on: compaction, expiry of every snapshot it may expire (max age 0, retain
 * 1), orphan removal. Then the job is stopped with a savepoint while records still flow, and
 * maintenance runs once more, as if four days later, with an orphan and a commit-watermark stamp
 * planted. Checked: the job committed
 * during and after maintenance and never restarted; afterwards each partition has one data file and
 * no delete file; the old snapshots are gone, yet the job restores from its savepoint and goes on
 * without losing or duplicating anything: silver equals the generator's orders, bronze holds every
 * produced click and every change exactly once.
 */
class TableMaintenanceITCase {

    private static final Logger LOG = LoggerFactory.getLogger(TableMaintenanceITCase.class);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final String ORDERS = "public.orders";
    private static final String[] STATUS = {"placed", "paid", "shipped", "delivered"};

    /** Debezium envelopes of an orders table and the state they leave. */
    private static final class Orders {
        final Map<Long, String> current = new TreeMap<>();
        final List<long[]> live = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(11);
        long lsn = 70_000_000L;
        long nextId = 1;
        long clock = Instant.parse("2026-11-10T00:00:00Z").toEpochMilli();
        int changes;

        /** A batch of changes: new orders, status changes, total corrections, deletes (with their tombstones). */
        List<byte[][]> batch(int size) {
            List<byte[][]> records = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                clock += 1_000;
                int dice = random.nextInt(100);
                if (dice < 45 || current.size() < 10) {
                    long id = nextId++;
                    records.add(change("c", id, "placed", BigDecimal.valueOf(1000 + random.nextInt(90_000), 2)));
                } else if (dice < 85) {
                    long id = anyId();
                    String[] row = current.get(id).split(" ");
                    int at = java.util.Arrays.asList(STATUS).indexOf(row[0]);
                    String status = at == STATUS.length - 1 ? "cancelled" : at < 0 ? row[0] : STATUS[at + 1];
                    BigDecimal total = dice < 75 ? new BigDecimal(row[1]) : new BigDecimal(row[1]).add(BigDecimal.ONE);
                    records.add(change("u", id, status, total));
                } else {
                    long id = anyId();
                    records.add(change("d", id, null, null));
                    records.add(new byte[][] {key(id), null});
                }
            }
            return records;
        }

        private long anyId() {
            List<Long> ids = new ArrayList<>(current.keySet());
            return ids.get(random.nextInt(ids.size()));
        }

        private byte[][] change(String op, long id, String status, BigDecimal total) {
            changes++;
            String ts = Instant.ofEpochMilli(clock).toString();
            String after = null;
            if (op.equals("d")) {
                current.remove(id);
            } else {
                after = String.format(Locale.ROOT, "{\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":\"%s\","
                        + "\"updated_at\":\"%s\"}", id, id % 17, status, total.toPlainString(), ts);
                current.put(id, status + " " + total.toPlainString() + " " + LocalDateTime.ofInstant(Instant.ofEpochMilli(clock),
                        ZoneOffset.UTC));
            }
            String envelope = "{\"before\":" + (op.equals("d") ? "{\"order_id\":" + id + "}" : "null") + ",\"after\":" + after
                    + ",\"source\":{\"version\":\"2.7.3.Final\",\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":"
                    + clock + ",\"snapshot\":\"false\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"orders\",\"lsn\":"
                    + (lsn += 8) + "},\"op\":\"" + op + "\",\"ts_ms\":" + (clock + 150) + "}";
            return new byte[][] {key(id), envelope.getBytes(StandardCharsets.UTF_8)};
        }

        private static byte[] key(long id) {
            return ("{\"order_id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Produces a batch of clicks and order changes every 300 ms until stopped. */
    private static final class Producers {
        final String bootstrap;
        final String clicks;
        final String orders;
        final Orders shop = new Orders();
        final List<KafkaTestTopics.Produced> producedClicks = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean();
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<?> loop;
        int batches;

        Producers(String bootstrap, String clicks, String orders) {
            this.bootstrap = bootstrap;
            this.clicks = clicks;
            this.orders = orders;
        }

        void batch() throws Exception {
            List<byte[][]> records = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                records.add(new byte[][] {("u" + (i % 7)).getBytes(StandardCharsets.UTF_8),
                        ("{\"click\":" + batches + "." + i + "}").getBytes(StandardCharsets.UTF_8)});
            }
            producedClicks.addAll(KafkaTestTopics.produce(bootstrap, clicks, records));
            KafkaTestTopics.produce(bootstrap, orders, shop.batch(8));
            batches++;
        }

        void start() {
            running.set(true);
            loop = thread.submit(() -> {
                while (running.get()) {
                    batch();
                    TimeUnit.MILLISECONDS.sleep(300);
                }
                return null;
            });
        }

        /** Stops after the batch in flight; the generator's state is final then. */
        void stop() throws Exception {
            running.set(false);
            loop.get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void maintenanceBesideTheRunningJobLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        long testBegin = System.nanoTime();
        LocalServices services = LocalServices.shared();
        String prefix = services.uniqueName("maint");
        String clicks = prefix + "_clicks";
        String ordersTopic = prefix + "_orders";
        String bootstrap = services.kafkaBootstrapServers();
        KafkaTestTopics.create(bootstrap, clicks, 2);
        KafkaTestTopics.create(bootstrap, ordersTopic, 2);

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("gold.enabled", "false");
        settings.put("cdc.kafka.topics", ordersTopic);
        settings.put("cdc.kafka.tables", ORDERS);
        settings.put("cdc.kafka.primary-keys", ORDERS + "=order_id");
        settings.put("cdc.kafka.column-types", ORDERS + "=order_id LONG, customer_id LONG, status STRING,"
                + " total DECIMAL(12,2), updated_at TIMESTAMP_UTC");
        settings.put("cdc.kafka.group-id", services.uniqueName("maint_cdc"));
        settings.put("cdc.kafka.starting-offsets", "EARLIEST");
        settings.put("cdc.kafka.table-prefix", prefix + "_");
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(clicks), settings);
        CdcCapture capture = IngestionPipeline.captures(pipeline.config()).get(0);
        TableSpec silver = capture.silverTable(ORDERS);
        TableSpec changelog = capture.changelogTable(ORDERS);
        TableSpec bronze = IngestionPipeline.bronzeTables(pipeline.config()).get(clicks);
        List<TableSpec> written = List.of(bronze, changelog, silver);

        // Every snapshot that may go, goes: the newest Flink commit is all a restore needs.
        Configuration maintenance = new Configuration(pipeline.config());
        for (Layer layer : Layer.values()) {
            maintenance.set(MaintenanceOptions.forLayer(layer).snapshotMaxAge, Duration.ZERO);
            maintenance.set(MaintenanceOptions.forLayer(layer).retainLast, 1);
        }
        assertThat(MaintenanceOptions.problems(maintenance)).isEmpty();

        Producers producers = new Producers(bootstrap, clicks, ordersTopic);
        producers.batch();
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        producers.start();

        // Phase 1: a few dozen small commits, silver with equality deletes.
        Table silverTable = pipeline.table(silver);
        awaitCommits(job, pipeline, written, 8, Duration.ofMinutes(2));
        awaitTrue(job, Duration.ofMinutes(1), "equality deletes in " + silver.identifier(),
                () -> equalityDeleteRows(refreshed(silverTable)) > 0);
        Map<String, Long> firstSnapshots = new TreeMap<>();
        Map<String, Long> checkpointsBefore = new TreeMap<>();
        for (TableSpec spec : written) {
            Table table = pipeline.table(spec);
            firstSnapshots.put(spec.identifier().toString(), SnapshotUtil.oldestAncestor(table).snapshotId());
            checkpointsBefore.put(spec.identifier().toString(), newestFlinkCheckpoint(table));
        }

        // Phase 2: maintenance while the producers and the job go on.
        long maintenanceBegin = System.nanoTime();
        Map<String, MaintenanceReport> during = MaintenanceApplication.run(maintenance, System.currentTimeMillis());
        long maintenanceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - maintenanceBegin);
        Map<String, Long> commitsDuring = new TreeMap<>();
        Map<String, Long> checkpointsAfter = new TreeMap<>();
        for (TableSpec spec : written) {
            String name = spec.identifier().toString();
            checkpointsAfter.put(name, newestFlinkCheckpoint(pipeline.table(spec)));
            commitsDuring.put(name, checkpointsAfter.get(name) - checkpointsBefore.get(name));
        }
        LOG.info("Maintenance beside the job took {} ms; job commits (checkpoints) during it: {}; reports: {}",
                maintenanceMillis, commitsDuring, during);
        for (TableSpec spec : written) {
            assertThat(during).containsKey(spec.identifier().toString());
        }
        assertThat(during.get(silver.identifier().toString()).deleteFilesRemoved()).isPositive();
        assertThat(commitsDuring.values()).as("the job committed while maintenance ran").anyMatch(n -> n > 0);
        for (TableSpec spec : written) {
            String name = spec.identifier().toString();
            assertThat(pipeline.table(spec).snapshot(firstSnapshots.get(name))).as("first snapshot of %s expired", name)
                    .isNull();
        }
        // ... and after it.
        awaitTrue(job, Duration.ofMinutes(1), "three more commits to every table after maintenance", () -> {
            for (TableSpec spec : written) {
                if (newestFlinkCheckpoint(pipeline.table(spec)) < checkpointsAfter.get(spec.identifier().toString()) + 3) {
                    return false;
                }
            }
            return true;
        });
        // Stopped while records flow, so that the savepoint's own checkpoint holds files: a restore
        // that could not find the job's last commit would commit them again.
        String savepoint = job.stopWithSavepoint(false, Files.createTempDirectory("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(3, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        producers.stop();
        assertNeverRestarted(miniCluster, job.getJobID());
        Map<Long, String> silverBefore = silverOrders(refreshed(pipeline.table(silver)));
        int bronzeBefore = BronzeTableContents.read(pipeline.table(bronze)).rowCount();

        // Phase 3: the job stopped, maintenance as four days later, with an orphan and a stamp planted.
        Map<String, String> planted = new LinkedHashMap<>();
        for (TableSpec spec : List.of(bronze, silver)) {
            Table table = pipeline.table(spec);
            String orphan = write(table, table.location() + "/data/00000-0-left-by-a-failed-commit.parquet");
            String stamp = write(table, CommitWatermarks.directory(table) + "/" + new JobID() + "/7/0-of-1");
            planted.put(orphan, "orphan");
            planted.put(stamp, "stamp");
        }
        long inFourDays = System.currentTimeMillis() + Duration.ofDays(4).toMillis();
        Map<String, MaintenanceReport> stopped = MaintenanceApplication.run(maintenance, inFourDays);
        LOG.info("Maintenance with the job stopped: {}", stopped);
        List<String> orphansDeleted = new ArrayList<>();
        stopped.values().forEach(r -> orphansDeleted.addAll(r.orphanFilesDeleted()));
        for (Map.Entry<String, String> file : planted.entrySet()) {
            boolean exists = pipeline.table(bronze).io().newInputFile(file.getKey()).exists();
            assertThat(exists).as("%s %s", file.getValue(), file.getKey()).isEqualTo(file.getValue().equals("stamp"));
        }
        Map<String, Object> filesAfter = new TreeMap<>();
        for (TableSpec spec : written) {
            Table table = refreshed(pipeline.table(spec));
            String name = spec.identifier().toString();
            Map<String, Integer> perPartition = dataFilesPerPartition(table);
            filesAfter.put(name, perPartition.size() + " partitions, " + perPartition.values().stream().mapToInt(i -> i).sum()
                    + " data files, " + deleteFiles(table) + " delete files, " + snapshotCount(table) + " snapshots");
            assertThat(perPartition.values()).as("data files per partition of %s", name).isNotEmpty().containsOnly(1);
            assertThat(maxFileSize(table)).as("file sizes of %s", name).isLessThan(256L << 20);
            assertThat(deleteFiles(table)).as("delete files of %s", name).isZero();
            assertThat(newestFlinkCheckpoint(table)).as("the job's last commit to %s is kept", name).isPositive();
            assertThat(snapshotCount(table)).as("snapshots of %s", name).isLessThanOrEqualTo(3);
        }
        LOG.info("After maintenance: {}; orphans deleted: {}", filesAfter, orphansDeleted);
        assertThat(silverOrders(refreshed(pipeline.table(silver)))).as("silver after compaction").isEqualTo(silverBefore);
        assertThat(BronzeTableContents.read(pipeline.table(bronze)).rowCount()).isEqualTo(bronzeBefore);

        // Phase 4: the job restores from its savepoint, reads what was produced while it was stopped, and goes on.
        JobClient restored = pipeline.start(2, UnaryOperator.identity(), savepoint);
        for (int i = 0; i < 5; i++) {
            producers.batch();
        }
        catchUpAndStop(pipeline, restored, bootstrap, clicks, ordersTopic);
        assertNeverRestarted(miniCluster, restored.getJobID());
        assertExactContents(pipeline, producers, silver, bronze, changelog);
        LOG.info("{} clicks, {} order changes ({} orders left) in {} batches; test took {} s",
                producers.producedClicks.size(), producers.shop.changes, producers.shop.current.size(), producers.batches,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - testBegin));
    }

    private static void assertExactContents(PipelineUnderTest pipeline, Producers producers, TableSpec silver,
            TableSpec bronze, TableSpec changelog) throws Exception {
        assertThat(silverOrders(refreshed(pipeline.table(silver)))).as("silver orders vs the generator")
                .isEqualTo(producers.shop.current);
        BronzeTableContents.read(pipeline.table(bronze)).assertExactlyOnce(producers.producedClicks);
        Set<String> changes = new HashSet<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(refreshed(pipeline.table(changelog))).build()) {
            for (Record r : rows) {
                String id = r.getField(CdcChangelogTable.SOURCE_POSITION) + " " + r.getField(CdcChangelogTable.KEY);
                assertThat(changes.add(id)).as("change %s once", id).isTrue();
            }
        }
        assertThat(changes).as("every change in the bronze changelog").hasSize(producers.shop.changes);
    }

    private static String catchUpAndStop(PipelineUnderTest pipeline, JobClient job, String bootstrap, String clicks,
            String orders) throws Exception {
        return CatchUpThenStop.allOf(
                        CatchUpThenStop.atCurrentEnd(bootstrap, pipeline.config().get(KafkaBronzeOptions.GROUP_ID), List.of(clicks)),
                        CatchUpThenStop.atCurrentEnd(bootstrap, pipeline.config().get(DebeziumKafkaOptions.GROUP_ID),
                                List.of(orders)))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});
    }

    /** A failed commit fails the job over (it restarts from its last checkpoint): it must not have. */
    private static void assertNeverRestarted(MiniCluster miniCluster, JobID job) throws Exception {
        assertThat(miniCluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS).getStatusTimestamp(JobStatus.RESTARTING))
                .as("when job %s restarted (0: never)", job).isZero();
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(JobClient job, Duration timeout, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                throw new AssertionError("Job ended while waiting for " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No " + what + " after " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static void awaitCommits(JobClient job, PipelineUnderTest pipeline, List<TableSpec> tables, int commits,
            Duration timeout) throws Exception {
        awaitTrue(job, timeout, commits + " Flink commits to each of " + tables, () -> {
            for (TableSpec spec : tables) {
                Table table = refreshed(pipeline.table(spec));
                int n = 0;
                for (Snapshot s : table.snapshots()) {
                    n += s.summary().containsKey("flink.max-committed-checkpoint-id") ? 1 : 0;
                }
                if (n < commits) {
                    return false;
                }
            }
            return true;
        });
    }

    private static Table refreshed(Table table) {
        table.refresh();
        return table;
    }

    /** The checkpoint of the newest Flink commit in the current snapshot's history; -1 when none. */
    private static long newestFlinkCheckpoint(Table table) {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return -1;
        }
        for (Snapshot s : SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
            String checkpoint = s.summary().get("flink.max-committed-checkpoint-id");
            if (checkpoint != null) {
                return Long.parseLong(checkpoint);
            }
        }
        return -1;
    }

    private static Map<String, Integer> dataFilesPerPartition(Table table) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                counts.merge(task.file().specId() + ":" + task.file().partition(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static long maxFileSize(Table table) throws Exception {
        long max = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                max = Math.max(max, task.file().fileSizeInBytes());
            }
        }
        return max;
    }

    private static long deleteFiles(Table table) {
        Snapshot current = table.currentSnapshot();
        return current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-delete-files", "0"));
    }

    private static long equalityDeleteRows(Table table) {
        Snapshot current = table.currentSnapshot();
        return current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-equality-deletes", "0"));
    }

    private static int snapshotCount(Table table) {
        int n = 0;
        for (Snapshot ignored : table.snapshots()) {
            n++;
        }
        return n;
    }

    /** Silver orders as "status total updated_at" by order id; fails on an id held twice. */
    private static Map<Long, String> silverOrders(Table table) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                String row = r.getField("status") + " " + ((BigDecimal) r.getField("total")).toPlainString() + " "
                        + r.getField("updated_at");
                String previous = rows.put((Long) r.getField("order_id"), row);
                assertThat(previous).as("order %s held twice", r.getField("order_id")).isNull();
            }
        }
        return rows;
    }

    private static String write(Table table, String location) throws Exception {
        try (PositionOutputStream out = table.io().newOutputFile(location).createOrOverwrite()) {
            out.write("planted".getBytes(StandardCharsets.US_ASCII));
        }
        return location;
    }
}
