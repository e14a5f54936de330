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

    /**
     * Silver-style text coordinates: short decimal positions take the long path, longer ones and
     * non-numbers the general one, and a partition seen both ways is stamped as one range.
     */
    @Test
    void textCoordinatesAreGuardedWhetherTheirPositionsFitALongOrNot() throws Exception {
        TableSpec silver = QuarantineTable.spec("kafka_shop_quarantine");
        Table text = catalog.createTable(TableIdentifier.of(Namespace.of("silver"), "text_coordinates"),
                silver.schema(), PartitionSpec.unpartitioned());
        String big = "100000000000000000000"; // 21 digits: beyond a long
        text.newAppend().set(SourceRanges.SUMMARY_KEY,
                "{\"shop|0\":[[\"0\",\"9\"]],\"shop|1\":[[\"" + big + "\",\"100000000000000000009\"]]}").commit();
        ReplayGuard guard = new ReplayGuard(TableLoader.fromHadoopTable(text.location(), new Configuration()), "main",
                ReplayKey.of(silver).orElseThrow(), text.io(), ReplayGuard.directory(text));
        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = new OneInputStreamOperatorTestHarness<>(guard)) {
            harness.open();
            String[][] rows = {
                {"0", "8"}, {"0", "10"}, {"0", "007"}, {"1", "100000000000000000005"}, {"0", "11"},
                {"1", "100000000000000000010"}, {"0", "99999999999999999999"}, {"0", "x1"}, {"1", "3"},
            };
            for (String[] r : rows) {
                GenericRowData row = new GenericRowData(silver.schema().columns().size());
                row.setField(0, StringData.fromString("shop"));
                row.setField(1, StringData.fromString(r[0]));
                row.setField(2, StringData.fromString(r[1]));
                harness.processElement(row, 0);
            }
            List<String> passed = new ArrayList<>();
            for (Object o : harness.getOutput()) {
                @SuppressWarnings("unchecked")
                RowData row = ((StreamRecord<RowData>) o).getValue();
                passed.add(row.getString(1) + "/" + row.getString(2));
            }
            assertThat(passed).containsExactly("0/10", "0/11", "1/100000000000000000010", "0/99999999999999999999",
                    "0/x1", "1/3");

            harness.snapshot(3, 1);
            String jobId = harness.getEnvironment().getJobID().toString();
            CommitWatermarks.Stamps stamps =
                    CommitWatermarks.readStamps(text.io(), ReplayGuard.directory(text), jobId, 3);
            assertThat(SourceRanges.fromJson(stamps.bySubtask.get(0))).isEqualTo(SourceRanges.empty()
                    .add("shop|0", BigInteger.valueOf(7), new BigInteger("99999999999999999999"))
                    .add("shop|1", BigInteger.valueOf(3), new BigInteger("100000000000000000010")));
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
        assertThat(key.textPartitionsAndPositions()).isTrue();
        assertThat(key.shortDecimalPosition(row)).isEqualTo(42L);
        for (String position : new String[] {"", "pg:1", "-1", "1e3", "1234567890123456789", "\u0664\u0662"}) {
            row.setField(2, StringData.fromString(position));
            assertThat(key.shortDecimalPosition(row)).as("'%s' is left to the general path", position).isEqualTo(-1L);
        }
        row.setField(2, StringData.fromString("000123456789012345"));
        assertThat(key.shortDecimalPosition(row)).isEqualTo(123456789012345L);
        assertThat(ReplayKey.of(BRONZE).orElseThrow().textPartitionsAndPositions()).as("Kafka bronze").isFalse();
        assertThat(ReplayKey.of(dev.lakestream.catalog.tables.GoldTables.dailyRevenue(""))).as("gold aggregates").isEmpty();
    }
}
