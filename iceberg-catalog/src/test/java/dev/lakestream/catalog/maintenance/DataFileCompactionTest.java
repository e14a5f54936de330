package dev.lakestream.catalog.maintenance;

import dev.lakestream.catalog.tables.ParquetTestFiles;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.lakestream.catalog.maintenance.UpsertTable.row;
import static org.assertj.core.api.Assertions.assertThat;

class DataFileCompactionTest {

    private static final long TARGET = 256L * 1024 * 1024;

    @TempDir
    Path warehouse;

    /** Ten upsert commits over two partitions: inserts, updates and deletes. */
    private static Map<Long, String> tenCommits(UpsertTable t) throws Exception {
        Map<Long, String> expected = new TreeMap<>();
        for (int commit = 0; commit < 10; commit++) {
            String region = commit % 2 == 0 ? "EU" : "NA";
            long id = 10L * (commit % 2) + commit / 2;
            t.upsert(region, row(id, region, "v" + commit), row(id + 100, region, "w" + commit));
            expected.put(id, region + " v" + commit);
            expected.put(id + 100, region + " w" + commit);
            if (commit >= 2) {
                // An update of a key written two commits ago, in the same partition.
                long earlier = 10L * (commit % 2) + (commit - 2) / 2;
                t.upsert(region, row(earlier, region, "u" + commit));
                expected.put(earlier, region + " u" + commit);
            }
        }
        t.delete("EU", 100);
        expected.remove(100L);
        return expected;
    }

    @Test
    void eachPartitionEndsWithOneDataFileAndNoDeleteFiles() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        Map<Long, String> expected = tenCommits(t);
        assertThat(t.dataFilesByRegion()).containsEntry("EU", 9).containsEntry("NA", 9);
        assertThat(t.liveDeleteFiles()).isEqualTo(19);
        assertThat(t.rows()).isEqualTo(expected);

        DataFileCompaction.Result result = DataFileCompaction.run(t.table, TARGET, 2);

        assertThat(result.partitionsRewritten).isEqualTo(2);
        assertThat(result.deleteFilesRemoved).isEqualTo(19);
        assertThat(t.dataFilesByRegion()).containsOnly(Map.entry("EU", 1), Map.entry("NA", 1));
        assertThat(t.liveDeleteFiles()).isZero();
        assertThat(t.rows()).isEqualTo(expected);
        assertThat(t.table.currentSnapshot().summary()).containsEntry("lakestream.maintenance", "compaction");

        assertThat(DataFileCompaction.run(t.table, TARGET, 2).partitionsRewritten).as("nothing left to do").isZero();
    }

    /**
     * Streaming files are written with a small dictionary limit; compaction writes with Iceberg's
     * default: a column with 2,000 distinct values (about 88 KB) keeps its dictionary in the
     * compacted file, where each streaming file had 1,000 (44 KB, under the 64 KiB limit).
     */
    @Test
    void compactedFilesGetIcebergsDefaultDictionaryLimitNotTheStreamingOne() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        t.table.updateProperties().set(TableProperties.PARQUET_DICT_SIZE_BYTES, "65536").commit();
        for (int f = 0; f < 2; f++) {
            Record[] rows = new Record[3000];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = row(f * 10_000L + i, "EU", String.format("value-%034d", f * 1000 + i % 1000));
            }
            t.table.newAppend().appendFile(t.dataFile("EU", rows)).commit();
        }
        for (org.apache.iceberg.FileScanTask task : t.table.newScan().planFiles()) {
            assertThat(ParquetTestFiles.dictionaryColumns(URI.create(task.file().location()))).contains("value");
        }

        assertThat(DataFileCompaction.run(t.table, TARGET, 2).partitionsRewritten).isEqualTo(1);

        List<org.apache.iceberg.FileScanTask> compacted = new ArrayList<>();
        t.table.newScan().planFiles().forEach(compacted::add);
        assertThat(compacted).singleElement().satisfies(task ->
                assertThat(ParquetTestFiles.dictionaryColumns(URI.create(task.file().location()))).contains("value"));
        assertThat(t.rows()).hasSize(6000);
    }

    @Test
    void aConcurrentUpsertStillAppliesToTheRewrittenRows() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        Map<Long, String> expected = tenCommits(t);
        long startSequence = t.table.currentSnapshot().sequenceNumber();

        // While the rewrite runs, the writer updates key 0 and deletes key 104: both rows are in the
        // files being rewritten.
        DataFileCompaction.Result result = DataFileCompaction.run(t.table, TARGET, 2, table -> {
            try {
                t.upsert("EU", row(0, "EU", "concurrent"));
                t.delete("EU", 104);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        expected.put(0L, "EU concurrent");
        expected.remove(104L);

        assertThat(result.conflicts).as("equality deletes never conflict with the rewrite").isZero();
        assertThat(t.rows()).as("no old version resurrected, no row lost").isEqualTo(expected);
        Snapshot compaction = t.table.currentSnapshot();
        try (var tasks = t.table.newScan().planFiles()) {
            for (var task : tasks) {
                if (task.file().partition().get(0, String.class).equals("EU") && task.file().recordCount() > 1) {
                    assertThat(task.file().dataSequenceNumber()).as("rewritten rows keep the start's sequence number")
                            .isEqualTo(startSequence);
                    assertThat(task.deletes()).as("the concurrent deletes apply to the rewritten file").hasSize(2);
                }
            }
        }
        assertThat(compaction.summary()).containsEntry("lakestream.maintenance", "compaction");
        assertThat(t.liveDeleteFiles()).as("only the concurrent commits' deletes are left").isEqualTo(2);

        DataFileCompaction.run(t.table, TARGET, 2);
        assertThat(t.liveDeleteFiles()).isZero();
        assertThat(t.dataFilesByRegion()).containsOnly(Map.entry("EU", 1), Map.entry("NA", 1));
        assertThat(t.rows()).isEqualTo(expected);
    }

    @Test
    void aConcurrentPositionDeleteOnARewrittenFileMakesTheRunPlanAgain() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        DataFile first = t.dataFile("EU", row(1, "EU", "a"), row(2, "EU", "b"));
        t.table.newAppend().appendFile(first).commit();
        t.table.newAppend().appendFile(t.dataFile("EU", row(3, "EU", "c"))).commit();
        boolean[] once = {false};

        DataFileCompaction.Result result = DataFileCompaction.run(t.table, TARGET, 2, table -> {
            if (!once[0]) {
                once[0] = true;
                try {
                    table.newRowDelta().addDeletes(t.positionDelete(first, "EU", 0)).commit();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });

        assertThat(result.conflicts).isEqualTo(1);
        assertThat(t.rows()).containsOnlyKeys(2L, 3L);
        assertThat(t.dataFilesByRegion()).containsOnly(Map.entry("EU", 1));
        assertThat(t.liveDeleteFiles()).isZero();
    }

    @Test
    void aLoneSmallFileWithoutDeletesStaysAndDeletesThatApplyToNothingGo() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        t.table.newAppend().appendFile(t.dataFile("EU", row(1, "EU", "a"))).commit();
        t.delete("EU", 42);
        String file = t.table.newScan().planFiles().iterator().next().file().location();

        DataFileCompaction.Result result = DataFileCompaction.run(t.table, TARGET, 2);

        assertThat(result.partitionsRewritten).isZero();
        assertThat(result.deleteFilesRemoved).isEqualTo(1);
        assertThat(t.liveDeleteFiles()).isZero();
        assertThat(t.table.newScan().planFiles().iterator().next().file().location()).isEqualTo(file);
        assertThat(t.rows()).containsOnlyKeys(1L);
    }
}
