package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.commits.SourceRanges;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

class CommitStampingTableLoaderTest {

    private static final String JOB = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path warehouse;

    private HadoopCatalog catalog;
    private Table table;
    private String directory;
    private String ranges;
    private TableLoader loader;
    private int files;

    @BeforeEach
    void createTable() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        table = catalog.createTable(TableIdentifier.of(Namespace.of("gold"), "t"),
                new Schema(Types.NestedField.required(1, "id", Types.LongType.get())), PartitionSpec.unpartitioned());
        directory = CommitWatermarks.directory(table);
        ranges = ReplayGuard.directory(table);
        loader = new CommitStampingTableLoader(TableLoader.fromHadoopTable(table.location(), new Configuration()), directory, ranges);
        loader.open();
    }

    @AfterEach
    void close() throws IOException {
        loader.close();
        catalog.close();
    }

    private void stamp(long checkpoint, int subtask, int parallelism, long watermark) throws IOException {
        CommitWatermarks.write(table.io(), CommitWatermarks.stampPath(directory, JOB, checkpoint, subtask, parallelism), watermark);
    }

    private DataFile dataFile() {
        files++;
        return DataFiles.builder(PartitionSpec.unpartitioned()).withPath(table.location() + "/data/f" + files + ".parquet")
                .withFormat(FileFormat.PARQUET).withFileSizeInBytes(100).withRecordCount(1).build();
    }

    /** Commits one file as Iceberg's Flink committer does, through the loader's table. */
    private Map<String, String> commitAsFlinkCommitter(long checkpoint) {
        return commitAsFlinkCommitter(checkpoint, "main");
    }

    private Map<String, String> commitAsFlinkCommitter(long checkpoint, String branch) {
        Table proxied = loader.loadTable();
        AppendFiles append = proxied.newAppend();
        append.appendFile(dataFile());
        append.set(CommitWatermarks.CHECKPOINT_ID_PROPERTY, Long.toString(checkpoint));
        append.set(CommitWatermarks.JOB_ID_PROPERTY, JOB);
        append.set("flink.operator-id", "op");
        append.toBranch(branch);
        append.commit();
        table.refresh();
        return table.snapshot(branch).summary();
    }

    @Test
    void aCommitRecordsTheMinimumWatermarkOfItsCheckpointsStampsAndDeletesThemAfterwards() throws IOException {
        stamp(2, 0, 2, 500);
        stamp(3, 0, 2, 1_795_169_760_000L);
        stamp(3, 1, 2, 1_795_169_700_000L);
        stamp(4, 0, 2, 1_795_169_800_000L);

        Map<String, String> summary = commitAsFlinkCommitter(3);

        assertThat(summary)
                .containsEntry(CommitWatermarks.WATERMARK, "2026-11-20T10:15:00Z")
                .containsEntry(CommitWatermarks.WATERMARK_MS, "1795169700000")
                .containsEntry(CommitWatermarks.CHECKPOINT_ID_PROPERTY, "3")
                .containsEntry("added-data-files", "1");
        assertThat(CommitWatermarks.read(table.io(), directory, JOB, 3).problem()).as("stamps of 3 deleted").startsWith("no stamp");
        assertThat(CommitWatermarks.read(table.io(), directory, JOB, 2).problem()).as("stamps of 2 deleted").startsWith("no stamp");
        assertThat(CommitWatermarks.read(table.io(), directory, JOB, 4).problem()).as("stamps of 4 kept").contains("missing");
    }

    @Test
    void aMissingStampCommitsWithoutTheWatermark() throws IOException {
        stamp(3, 0, 2, 1_795_169_760_000L);

        Map<String, String> summary = commitAsFlinkCommitter(3);

        assertThat(summary).doesNotContainKeys(CommitWatermarks.WATERMARK, CommitWatermarks.WATERMARK_MS)
                .containsEntry(CommitWatermarks.CHECKPOINT_ID_PROPERTY, "3")
                .containsEntry("added-data-files", "1");
    }

    @Test
    void noWatermarkYetCommitsWithoutIt() throws IOException {
        stamp(5, 0, 2, 1_795_169_760_000L);
        stamp(5, 1, 2, Long.MIN_VALUE);

        assertThat(commitAsFlinkCommitter(5)).doesNotContainKeys(CommitWatermarks.WATERMARK, CommitWatermarks.WATERMARK_MS);
    }

    @Test
    void endOfInputIsRecordedAsSuch() throws IOException {
        stamp(6, 0, 1, Long.MAX_VALUE);

        assertThat(commitAsFlinkCommitter(6)).containsEntry(CommitWatermarks.WATERMARK, CommitWatermarks.END_OF_INPUT)
                .containsEntry(CommitWatermarks.WATERMARK_MS, Long.toString(Long.MAX_VALUE));
    }

    @Test
    void commitsOfOthersThanTheFlinkCommitterPassUnchanged() throws IOException {
        stamp(3, 0, 1, 1_000);
        Table proxied = loader.loadTable();

        proxied.newAppend().appendFile(dataFile()).commit();
        table.refresh();

        assertThat(table.currentSnapshot().summary()).doesNotContainKeys(CommitWatermarks.WATERMARK);
        assertThat(CommitWatermarks.read(table.io(), directory, JOB, 3).watermark()).hasValue(1_000);
    }

    @Test
    void theProxyKeepsTheTablesInterfacesAndFluentCallsKeepTheProxy() {
        Table proxied = loader.loadTable();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            AppendFiles append = proxied.newAppend();
            assertThat(append.scanManifestsWith(pool)).isSameAs(append);
            assertThat(append.set("k", "v")).isSameAs(append);
            assertThat(append).isEqualTo(append).isNotEqualTo(proxied.newAppend());
        } finally {
            pool.shutdown();
        }
        assertThat(proxied).isInstanceOf(HasTableOperations.class);
        assertThat(((HasTableOperations) proxied).operations().current().location()).isEqualTo(table.location());
        assertThat(proxied.location()).isEqualTo(table.location());
        assertThat(proxied.newRowDelta()).isInstanceOf(org.apache.iceberg.RowDelta.class);
        assertThat(proxied.newReplacePartitions()).isInstanceOf(org.apache.iceberg.ReplacePartitions.class);
    }

    private void rangeStamp(long checkpoint, int subtask, int parallelism, String json) throws IOException {
        CommitWatermarks.write(table.io(), CommitWatermarks.stampPath(ranges, JOB, checkpoint, subtask, parallelism), json);
    }

    @Test
    void aCommitRecordsItsParentsSourceRangesPlusTheHullOfItsCheckpointsStamps() throws IOException {
        rangeStamp(1, 0, 1, "{\"orders|0\":[[\"0\",\"9\"]]}");
        assertThat(commitAsFlinkCommitter(1)).containsEntry(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"0\",\"9\"]]}");

        // Two subtasks of a keyed table each saw part of partition 0; partition 1 is new.
        rangeStamp(2, 0, 2, "{\"orders|0\":[[\"12\",\"20\"]],\"orders|1\":[[\"0\",\"5\"]]}");
        rangeStamp(2, 1, 2, "{\"orders|0\":[[\"15\",\"30\"]]}");
        Map<String, String> summary = commitAsFlinkCommitter(2);

        assertThat(SourceRanges.fromJson(summary.get(SourceRanges.SUMMARY_KEY)))
                .isEqualTo(SourceRanges.empty()
                        .add("orders|0", java.math.BigInteger.ZERO, java.math.BigInteger.valueOf(9))
                        .add("orders|0", java.math.BigInteger.valueOf(12), java.math.BigInteger.valueOf(30))
                        .add("orders|1", java.math.BigInteger.ZERO, java.math.BigInteger.valueOf(5)));
        assertThat(CommitWatermarks.readStamps(table.io(), ranges, JOB, 2).problem).as("stamps deleted").startsWith("no stamp");
    }

    @Test
    void aMissingRangeStampKeepsTheParentsRanges() throws IOException {
        rangeStamp(1, 0, 1, "{\"orders|0\":[[\"0\",\"9\"]]}");
        commitAsFlinkCommitter(1);
        rangeStamp(2, 0, 2, "{\"orders|0\":[[\"10\",\"20\"]]}");

        assertThat(commitAsFlinkCommitter(2)).containsEntry(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"0\",\"9\"]]}");
    }

    @Test
    void aBranchCommitAddsToTheBranchsRangesNotMains() throws IOException {
        rangeStamp(1, 0, 1, "{\"orders|0\":[[\"100\",\"199\"]]}");
        commitAsFlinkCommitter(1);
        table.manageSnapshots().createBranch("backfill", table.currentSnapshot().snapshotId()).commit();
        rangeStamp(2, 0, 1, "{\"orders|0\":[[\"200\",\"299\"]]}");
        commitAsFlinkCommitter(2);
        rangeStamp(3, 0, 1, "{\"orders|0\":[[\"0\",\"99\"]]}");

        assertThat(commitAsFlinkCommitter(3, "backfill")).containsEntry(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"0\",\"199\"]]}");
        assertThat(table.snapshot("main").summary()).containsEntry(SourceRanges.SUMMARY_KEY, "{\"orders|0\":[[\"100\",\"299\"]]}");
    }
}
