package dev.lakestream.jobs.sink;

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

class WatermarkStampingTableLoaderTest {

    private static final String JOB = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path warehouse;

    private HadoopCatalog catalog;
    private Table table;
    private String directory;
    private TableLoader loader;
    private int files;

    @BeforeEach
    void createTable() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        table = catalog.createTable(TableIdentifier.of(Namespace.of("gold"), "t"),
                new Schema(Types.NestedField.required(1, "id", Types.LongType.get())), PartitionSpec.unpartitioned());
        directory = CommitWatermarks.directory(table);
        loader = new WatermarkStampingTableLoader(TableLoader.fromHadoopTable(table.location(), new Configuration()), directory);
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
        Table proxied = loader.loadTable();
        AppendFiles append = proxied.newAppend();
        append.appendFile(dataFile());
        append.set(CommitWatermarks.CHECKPOINT_ID_PROPERTY, Long.toString(checkpoint));
        append.set(CommitWatermarks.JOB_ID_PROPERTY, JOB);
        append.set("flink.operator-id", "op");
        append.toBranch("main");
        append.commit();
        table.refresh();
        return table.currentSnapshot().summary();
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
}
