package dev.lakestream.jobs.testing;

import dev.lakestream.jobs.sink.CommitWatermarks;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit watermarks of a gold table written by one test job, checked on the way. */
public final class SnapshotWatermarks {

    /** One snapshot and the watermark its summary records. */
    public static final class Entry {
        public final long snapshotId;
        public final long watermark;

        Entry(long snapshotId, long watermark) {
            this.snapshotId = snapshotId;
            this.watermark = watermark;
        }

        @Override
        public String toString() {
            return "snapshot " + snapshotId + " at watermark " + Instant.ofEpochMilli(watermark);
        }
    }

    private SnapshotWatermarks() {}

    /**
     * Every snapshot a Flink job committed to {@code table}, oldest first, with its watermark; asserts that each carries
     * both keys, that they agree, and that the watermark never goes back from one commit to the next.
     */
    public static List<Entry> ofEverySnapshot(Table table) {
        table.refresh();
        List<Snapshot> snapshots = new ArrayList<>();
        // The job's commits; not e.g. the empty snapshot the provisioner gives a keyed table's main branch.
        table.snapshots().forEach(s -> {
            if (s.summary().containsKey("flink.job-id")) {
                snapshots.add(s);
            }
        });
        snapshots.sort(Comparator.comparingLong(Snapshot::sequenceNumber));
        assertThat(snapshots).as("snapshots of %s committed by a Flink job", table.name()).isNotEmpty();
        List<Entry> out = new ArrayList<>();
        for (Snapshot s : snapshots) {
            Map<String, String> summary = s.summary();
            assertThat(summary).as("summary of snapshot %d of %s", s.snapshotId(), table.name())
                    .containsKeys(CommitWatermarks.WATERMARK_MS, CommitWatermarks.WATERMARK);
            long watermark = Long.parseLong(summary.get(CommitWatermarks.WATERMARK_MS));
            assertThat(Instant.parse(summary.get(CommitWatermarks.WATERMARK)).toEpochMilli())
                    .as("ISO and millis of snapshot %d", s.snapshotId()).isEqualTo(watermark);
            if (!out.isEmpty()) {
                assertThat(watermark).as("watermark of snapshot %d after %s", s.snapshotId(), out.get(out.size() - 1))
                        .isGreaterThanOrEqualTo(out.get(out.size() - 1).watermark);
            }
            out.add(new Entry(s.snapshotId(), watermark));
        }
        return out;
    }

    /** Asserts that no stamp file of a checkpoint the job committed is left (they are deleted after each commit). */
    public static void assertCommittedStampsDeleted(Table table) {
        table.refresh();
        Map<String, String> last = table.currentSnapshot().summary();
        String job = last.get("flink.job-id");
        long committed = Long.parseLong(last.get("flink.max-committed-checkpoint-id"));
        String jobDirectory = CommitWatermarks.directory(table) + "/" + job + "/";
        List<String> left = StreamSupport.stream(((SupportsPrefixOperations) table.io()).listPrefix(jobDirectory).spliterator(), false)
                .map(FileInfo::location)
                .filter(l -> Long.parseLong(l.substring(l.lastIndexOf("/" + job + "/") + job.length() + 2).split("/")[0]) <= committed)
                .collect(Collectors.toList());
        assertThat(left).as("stamps of checkpoints up to %d of job %s", committed, job).isEmpty();
    }
}
