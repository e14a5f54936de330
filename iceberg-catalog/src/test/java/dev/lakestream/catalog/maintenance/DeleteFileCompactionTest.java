package dev.lakestream.catalog.maintenance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.lakestream.catalog.maintenance.UpsertTable.row;
import static org.assertj.core.api.Assertions.assertThat;

class DeleteFileCompactionTest {

    @TempDir
    Path warehouse;

    @Test
    void noDeleteFileIsLeftNotEvenOnesThatApplyToNoRow() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "throughput");
        t.upsert("EU", row(1, "EU", "a"));
        // An upsert of a new key: its equality delete applies to no row, so no scan task carries it.
        t.upsert("EU", row(2, "EU", "b"));
        t.upsert("EU", row(1, "EU", "c"));
        assertThat(t.liveDeleteFiles()).isEqualTo(3);

        DeleteFileCompaction.Result result = DeleteFileCompaction.run(t.table);

        assertThat(result.deleteFilesRemoved).isEqualTo(3);
        assertThat(t.liveDeleteFiles()).isZero();
        assertThat(t.rows()).isEqualTo(Map.of(1L, "EU c", 2L, "EU b"));
    }
}
