package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.lakestream.catalog.maintenance.UpsertTable.row;
import static org.assertj.core.api.Assertions.assertThat;

class SnapshotExpiryTest {

    private static final String JOB = "4f1c2b0d9e8a7f6e5d4c3b2a19080706";

    @TempDir
    Path warehouse;

    /** A commit as Iceberg's Flink committer makes it. */
    private static void flinkCommit(UpsertTable t, long checkpoint) throws Exception {
        t.table.newAppend().appendFile(t.dataFile("EU", row(checkpoint, "EU", "c" + checkpoint)))
                .set("flink.job-id", JOB).set("flink.operator-id", "op").set("flink.max-committed-checkpoint-id",
                        Long.toString(checkpoint))
                .commit();
    }

    /** What Iceberg's Flink committer finds on restore: the newest checkpoint committed for {@code job}. */
    private static long maxCommittedCheckpoint(Table table, String job) {
        table.refresh();
        for (Snapshot s : SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
            if (job.equals(s.summary().get("flink.job-id"))) {
                return Long.parseLong(s.summary().get("flink.max-committed-checkpoint-id"));
            }
        }
        return -1;
    }

    @Test
    void theNewestFlinkCommitAndEverythingAfterItStay() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "events");
        for (long checkpoint = 1; checkpoint <= 5; checkpoint++) {
            flinkCommit(t, checkpoint);
        }
        // Commits after the job stopped, without Flink markers: a compaction and another writer's append.
        DataFileCompaction.run(t.table, 0, 2);
        t.table.newAppend().appendFile(t.dataFile("NA", row(99, "NA", "x"))).commit();
        assertThat(maxCommittedCheckpoint(t.table, JOB)).isEqualTo(5);
        long later = System.currentTimeMillis() + Duration.ofDays(10).toMillis();

        SnapshotExpiry.Result result = SnapshotExpiry.run(t.table, Duration.ofDays(3), 1, later);

        assertThat(result.expired).as("checkpoints 1 to 4").isEqualTo(4);
        assertThat(result.retained).as("checkpoint 5 and the two commits after it").isEqualTo(3);
        assertThat(maxCommittedCheckpoint(t.table, JOB)).as("a restore still finds its last commit").isEqualTo(5);
        assertThat(t.rows()).hasSize(6);
    }

    @Test
    void withoutFlinkCommitsTheAgeAndCountDecide() throws Exception {
        UpsertTable t = new UpsertTable(warehouse, "events");
        for (long i = 1; i <= 5; i++) {
            t.table.newAppend().appendFile(t.dataFile("EU", row(i, "EU", "v"))).commit();
        }
        assertThat(SnapshotExpiry.run(t.table, Duration.ofDays(3), 1, System.currentTimeMillis()).expired)
                .as("all younger than the max age").isZero();

        SnapshotExpiry.Result result =
                SnapshotExpiry.run(t.table, Duration.ofDays(3), 2, System.currentTimeMillis() + Duration.ofDays(4).toMillis());

        assertThat(result.expired).isEqualTo(3);
        assertThat(result.retained).isEqualTo(2);
        assertThat(result.protectedSnapshot).isNull();
        assertThat(t.rows()).hasSize(5);
    }
}
