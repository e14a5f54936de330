package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Expires old snapshots (and deletes the files only they referenced) while keeping what a Flink
 * restore needs.
 *
 * <p>Iceberg's Flink committers find out on restore which checkpoints they already committed by
 * walking back from the current snapshot, parent by parent, to the newest snapshot carrying their
 * job's {@code flink.job-id} and {@code flink.max-committed-checkpoint-id}. If that snapshot, or
 * one between it and the current snapshot, were expired, the walk would stop early and the restored
 * job would commit its checkpoint's files a second time (duplicate rows) or fail reading manifests
 * that are gone. So besides the newest {@code retainLast} snapshots and those younger than {@code
 * maxAge}, every snapshot from the current one back to the newest carrying Flink commit markers is
 * kept. Restoring an older checkpoint or savepoint of an earlier job is covered only by {@code
 * maxAge}: keep it at least as long as the oldest savepoint you may restore.
 */
final class SnapshotExpiry {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExpiry.class);

    /** Summary keys every Iceberg Flink committer (FlinkSink, IcebergSink, dynamic sink) sets on its commits. */
    static final String FLINK_JOB_ID = "flink.job-id";
    static final String FLINK_CHECKPOINT_ID = "flink.max-committed-checkpoint-id";

    private SnapshotExpiry() {}

    /** What one run did. */
    static final class Result {
        final int expired;
        final int retained;
        final Long protectedSnapshot;

        Result(int expired, int retained, Long protectedSnapshot) {
            this.expired = expired;
            this.retained = retained;
            this.protectedSnapshot = protectedSnapshot;
        }

        @Override
        public String toString() {
            return expired + " snapshots expired, " + retained + " kept"
                    + (protectedSnapshot == null ? "" : " (back to Flink commit " + protectedSnapshot + ")");
        }
    }

    static Result run(Table table, Duration maxAge, int retainLast, long nowMillis) {
        table.refresh();
        Snapshot head = table.currentSnapshot();
        int before = size(table.snapshots());
        if (head == null) {
            return new Result(0, before, null);
        }
        long cutoff = nowMillis - maxAge.toMillis();
        Snapshot marker = null;
        long oldestOnTheWay = Long.MAX_VALUE;
        for (Snapshot snapshot : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot)) {
            // Expiry keeps ancestors down to the first one older than the cutoff: take the minimum
            // on the way, in case commit clocks went backwards.
            oldestOnTheWay = Math.min(oldestOnTheWay, snapshot.timestampMillis());
            if (hasFlinkCommitMarkers(snapshot.summary())) {
                marker = snapshot;
                break;
            }
        }
        if (marker != null) {
            cutoff = Math.min(cutoff, oldestOnTheWay);
        }
        final long expireBefore = cutoff;
        boolean anyOlder = false;
        for (Snapshot snapshot : table.snapshots()) {
            anyOlder |= snapshot.timestampMillis() < expireBefore;
        }
        if (!anyOlder || before <= retainLast) {
            return new Result(0, before, marker == null ? null : marker.snapshotId());
        }
        table.expireSnapshots()
                .expireOlderThan(expireBefore)
                .retainLast(retainLast)
                .cleanupLevel(ExpireSnapshots.CleanupLevel.ALL)
                .commit();
        table.refresh();
        int after = size(table.snapshots());
        if (marker != null && table.snapshot(marker.snapshotId()) == null) {
            // Cannot happen with the cutoff above; if Iceberg ever changes its retention, say so loudly.
            throw new IllegalStateException("Expiring snapshots of " + table.name() + " removed snapshot "
                    + marker.snapshotId() + " with the Flink commit markers a restore needs");
        }
        LOG.info("Expired {} snapshots of {} older than {} (kept {}, the newest Flink commit: {})", before - after,
                table.name(), java.time.Instant.ofEpochMilli(expireBefore), after,
                marker == null ? "none" : marker.snapshotId());
        return new Result(before - after, after, marker == null ? null : marker.snapshotId());
    }

    static boolean hasFlinkCommitMarkers(Map<String, String> summary) {
        return summary.containsKey(FLINK_JOB_ID) && summary.containsKey(FLINK_CHECKPOINT_ID);
    }

    private static int size(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
