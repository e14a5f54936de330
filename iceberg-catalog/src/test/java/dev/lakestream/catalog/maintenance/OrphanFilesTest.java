package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.io.PositionOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.lakestream.catalog.maintenance.UpsertTable.row;
import static org.assertj.core.api.Assertions.assertThat;

class OrphanFilesTest {

    @TempDir
    Path warehouse;

    private static String write(UpsertTable t, String location) throws Exception {
        try (PositionOutputStream out = t.table.io().newOutputFile(location).createOrOverwrite()) {
            out.write("x".getBytes(StandardCharsets.US_ASCII));
        }
        return location;
    }

    @Test
    void onlyOldUnreferencedFilesOutsideTheKeptPrefixesGo() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "throughput");
        UpsertTable sibling = new UpsertTable(warehouse, "throughput_archive");
        t.upsert("EU", row(1, "EU", "a"));
        t.upsert("EU", row(1, "EU", "b"));
        sibling.upsert("EU", row(7, "EU", "s"));
        String location = t.table.location();
        String orphan = write(t, location + "/data/region=EU/00000-0-left-by-a-failed-commit.parquet");
        String stamps = location + "/metadata/lakestream-watermarks";
        String stamp = write(t, stamps + "/0f3a/17/0-of-2");
        long filesBefore = countFiles(warehouse);

        OrphanFiles.Result young = OrphanFiles.run(t.table, Duration.ofDays(3), System.currentTimeMillis(), List.of(stamps));
        assertThat(young.deleted).as("nothing is older than three days").isEmpty();

        long inFourDays = System.currentTimeMillis() + Duration.ofDays(4).toMillis();
        OrphanFiles.Result result = OrphanFiles.run(t.table, Duration.ofDays(3), inFourDays, List.of(stamps));

        assertThat(result.deleted).extracting(OrphanFiles::key).containsExactly(OrphanFiles.key(orphan));
        assertThat(t.table.io().newInputFile(stamp).exists()).as("a commit-watermark stamp").isTrue();
        assertThat(countFiles(warehouse)).as("only the orphan is gone; the sibling table's files stay")
                .isEqualTo(filesBefore - 1);
        assertThat(t.rows()).containsOnlyKeys(1L);
        assertThat(sibling.rows()).containsOnlyKeys(7L);
    }

    @Test
    void filesOnlyExpiredSnapshotsReferencedAreOrphansAndNothingElse() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "orders");
        for (int i = 0; i < 4; i++) {
            t.upsert("EU", row(1, "EU", "v" + i), row(2 + i, "EU", "w"));
        }
        // The data and delete files of the four commits: the compaction replaces them all.
        List<String> replaced = new java.util.ArrayList<>();
        try (var files = Files.walk(Path.of(java.net.URI.create(t.table.location() + "/data")))) {
            files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".parquet"))
                    .forEach(p -> replaced.add(OrphanFiles.key(p.toUri().toString())));
        }
        assertThat(replaced).hasSize(8);
        long inFourDays = System.currentTimeMillis() + Duration.ofDays(4).toMillis();
        DataFileCompaction.run(t.table, 0, 2);
        SnapshotExpiry.run(t.table, Duration.ofDays(3), 1, inFourDays);

        // Iceberg's expiry deletes a replaced file only once the snapshot that replaced it expires;
        // until then no snapshot left reads it, so it is an orphan.
        OrphanFiles.Result result = OrphanFiles.run(t.table, Duration.ofDays(3), inFourDays, List.of());

        assertThat(result.deleted).extracting(OrphanFiles::key).containsExactlyInAnyOrderElementsOf(replaced);
        assertThat(t.rows()).containsOnlyKeys(1L, 2L, 3L, 4L, 5L);
        assertThat(OrphanFiles.run(t.table, Duration.ofDays(3), inFourDays, List.of()).deleted).isEmpty();
    }

    private static long countFiles(Path root) throws Exception {
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc")).count();
        }
    }
}
