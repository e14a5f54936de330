package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Maintains one table beside the job that writes it, in this order: compaction (so that the small
 * files it replaces belong to snapshots the expiry can drop), snapshot expiry, orphan-file removal.
 * Each step commits on its own; a step that fails stops the table's run and is retried by the next
 * run (every step is safe to repeat).
 *
 * <p>Guarantees and what they rely on are in {@link DataFileCompaction} (no row lost or resurrected
 * beside concurrent upserts), {@link SnapshotExpiry} (a Flink job can still be restored) and {@link
 * OrphanFiles} (nothing a running or restoring job needs is deleted).
 */
public final class LakehouseMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(LakehouseMaintenance.class);

    private LakehouseMaintenance() {}

    /**
     * Runs {@code policy} on {@code table} as of {@code nowMillis} (the clock snapshot ages and
     * file ages are measured against). Files under {@code keepPrefixes} are never orphans.
     */
    public static MaintenanceReport run(Table table, MaintenancePolicy policy, long nowMillis, List<String> keepPrefixes) {
        long begin = System.nanoTime();
        table.refresh();
        Map<String, Long> before = DataFileCompaction.fileCounts(table);
        DataFileCompaction.Result compaction = null;
        if (policy.compaction()) {
            compaction = DataFileCompaction.run(table, policy.targetFileSizeBytes(), policy.minInputFiles());
        }
        SnapshotExpiry.Result expiry = null;
        if (policy.expireSnapshots()) {
            expiry = SnapshotExpiry.run(table, policy.snapshotMaxAge(), policy.retainLastSnapshots(), nowMillis);
        }
        OrphanFiles.Result orphans = null;
        if (policy.removeOrphanFiles()) {
            orphans = OrphanFiles.run(table, policy.orphanMinAge(), nowMillis, keepPrefixes);
        }
        table.refresh();
        Map<String, Long> after = DataFileCompaction.fileCounts(table);
        Snapshot current = table.currentSnapshot();
        MaintenanceReport report = new MaintenanceReport(table.name(), before.get("data"), after.get("data"),
                before.get("delete"), after.get("delete"),
                compaction == null ? 0 : compaction.partitionsRewritten,
                compaction == null ? 0 : compaction.deleteFilesRemoved,
                compaction == null ? 0 : compaction.rows,
                compaction == null ? 0 : compaction.conflicts,
                expiry == null ? 0 : expiry.expired,
                count(table.snapshots()),
                orphans == null ? List.of() : orphans.deleted,
                current == null ? null : current.snapshotId(),
                (System.nanoTime() - begin) / 1_000_000);
        LOG.info("Maintained {}: {}", table.name(), report);
        return report;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
