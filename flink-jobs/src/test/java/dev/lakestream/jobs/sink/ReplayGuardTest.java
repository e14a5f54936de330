package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.commits.SourceRanges;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.catalog.tables.QuarantineTable;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayGuardTest {

    private static final TableSpec BRONZE = BronzeKafkaTable.spec("orders");

    @TempDir
    Path warehouse;

    private HadoopCatalog catalog;
    private Table table;

    @BeforeEach
    void createTable() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        table = catalog.createTable(TableIdentifier.of(Namespace.of("bronze"), "kafka_orders"), BRONZE.schema(),
                PartitionSpec.unpartitioned());
    }

    @AfterEach
    void close() throws IOException {
        catalog.close();
    }

    private static RowData kafkaRow(int partition, long offset) {
        GenericRowData row = new GenericRowData(BRONZE.schema().columns().size());
        row.setField(0, StringData.fromString("orders"));
        row.setField(1, partition);
        row.setField(2, offset);
        return row;
    }

    private OneInputStreamOperatorTestHarness<RowData, RowData> harness(String branch) throws Exception {
        ReplayGuard guard = new ReplayGuard(TableLoader.fromHadoopTable(table.location(), new Configuration()), branch,
                ReplayKey.of(BRONZE).orElseThrow(), table.io(), ReplayGuard.directory(table));
        OneInputStreamOperatorTestHarness<RowData, RowData> harness = new OneInputStreamOperatorTestHarness<>(guard);
        harness.open();
        return harness;
    }

    private static List<String> offsets(OneInputStreamOperatorTestHarness<RowData, RowData> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            @SuppressWarnings("unchecked")
            RowData row = ((StreamRecord<RowData>) o).getValue();
            out.add(row.getInt(1) + "/" + row.getLong(2));
        }
        return out;
    }

    private String stamp(String jobId, long checkpoint, int subtask, int parallelism) {
        CommitWatermarks.Stamps stamps = CommitWatermarks.readStamps(table.io(), ReplayGuard.directory(table), jobId, checkpoint);
        assertThat(stamps.problem).isNull();
        return stamps.bySubtask.get(subtask);
    }

    @Test
    void recordsInTheCommittedRangesAreDroppedAndEverySeenPositionIsStamped() throws Exception {
        table.newAppend().set(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"0\",\"9\"]]}").commit();
        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = harness("main")) {
            for (long offset = 5; offset < 15; offset++) {
                harness.processElement(kafkaRow(0, offset), 0);
            }
            for (long offset = 0; offset < 3; offset++) {
                harness.processElement(kafkaRow(1, offset), 0);
            }

            assertThat(offsets(harness)).containsExactly("0/10", "0/11", "0/12", "0/13", "0/14", "1/0", "1/1", "1/2");
            harness.snapshot(7, 1);
            String jobId = harness.getEnvironment().getJobID().toString();
            assertThat(SourceRanges.fromJson(stamp(jobId, 7, 0, 1))).isEqualTo(SourceRanges.empty()
                    .add("orders|0", BigInteger.valueOf(5), BigInteger.valueOf(14))
                    .add("orders|1", BigInteger.ZERO, BigInteger.valueOf(2)));

            harness.processElement(kafkaRow(1, 3), 0);
            harness.endInput();
            assertThat(SourceRanges.fromJson(stamp(jobId, Long.MAX_VALUE, 0, 1)).ranges("orders|1").get(0))
                    .as("the end-of-input stamp, for the committer's last commit")
                    .containsExactly(BigInteger.ZERO, BigInteger.valueOf(3));
        }
    }

    @Test
    void aBranchAlsoSkipsWhatMainHolds() throws Exception {
        table.newAppend().set(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"100\",\"199\"]]}").commit();
        table.manageSnapshots().createBranch("bf", table.currentSnapshot().snapshotId()).commit();
        table.newAppend().set(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"100\",\"249\"]]}").commit();
        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = harness("bf")) {
            harness.processElement(kafkaRow(0, 99), 0);
            harness.processElement(kafkaRow(0, 150), 0);
            harness.processElement(kafkaRow(0, 220), 0);
            harness.processElement(kafkaRow(0, 250), 0);

            assertThat(offsets(harness)).containsExactly("0/99", "0/250");
        }
    }

    @Test
    void positionsThatAreNotNumbersAreNotGuarded() {
        TableSpec quarantine = QuarantineTable.spec("cdc_kafka_shop_quarantine");
        ReplayKey key = ReplayKey.of(quarantine).orElseThrow();
        GenericRowData row = new GenericRowData(quarantine.schema().columns().size());
        row.setField(0, StringData.fromString("shop.public.orders"));
        row.setField(1, StringData.fromString("public.orders"));
        row.setField(2, StringData.fromString("pg:0000000001A2B3C4"));

        assertThat(key.partitionKey(row)).isEqualTo("shop.public.orders|public.orders");
        assertThat(key.position(row)).isNull();
        row.setField(2, StringData.fromString("42"));
        assertThat(key.position(row)).isEqualTo(BigInteger.valueOf(42));
        assertThat(ReplayKey.of(dev.lakestream.catalog.tables.GoldTables.dailyRevenue(""))).as("gold aggregates").isEmpty();
    }
}
