package dev.lakestream.catalog.maintenance;

import java.util.List;

/** What one {@link LakehouseMaintenance} run did to a table. */
public final class MaintenanceReport {

    private final String table;
    private final long dataFilesBefore;
    private final long dataFilesAfter;
    private final long deleteFilesBefore;
    private final long deleteFilesAfter;
    private final int partitionsCompacted;
    private final int deleteFilesRemoved;
    private final long rowsRewritten;
    private final int commitConflicts;
    private final int snapshotsExpired;
    private final int snapshotsKept;
    private final List<String> orphanFilesDeleted;
    private final Long currentSnapshot;
    private final long millis;

    MaintenanceReport(String table, long dataFilesBefore, long dataFilesAfter, long deleteFilesBefore,
            long deleteFilesAfter, int partitionsCompacted, int deleteFilesRemoved, long rowsRewritten, int commitConflicts,
            int snapshotsExpired, int snapshotsKept, List<String> orphanFilesDeleted, Long currentSnapshot, long millis) {
        this.table = table;
        this.dataFilesBefore = dataFilesBefore;
        this.dataFilesAfter = dataFilesAfter;
        this.deleteFilesBefore = deleteFilesBefore;
        this.deleteFilesAfter = deleteFilesAfter;
        this.partitionsCompacted = partitionsCompacted;
        this.deleteFilesRemoved = deleteFilesRemoved;
        this.rowsRewritten = rowsRewritten;
        this.commitConflicts = commitConflicts;
        this.snapshotsExpired = snapshotsExpired;
        this.snapshotsKept = snapshotsKept;
        this.orphanFilesDeleted = List.copyOf(orphanFilesDeleted);
        this.currentSnapshot = currentSnapshot;
        this.millis = millis;
    }

    public String table() {
        return table;
    }

    /** Live data files before the run (concurrent commits count too). */
    public long dataFilesBefore() {
        return dataFilesBefore;
    }

    public long dataFilesAfter() {
        return dataFilesAfter;
    }

    /** Live delete files (equality and position) before the run. */
    public long deleteFilesBefore() {
        return deleteFilesBefore;
    }

    public long deleteFilesAfter() {
        return deleteFilesAfter;
    }

    public int partitionsCompacted() {
        return partitionsCompacted;
    }

    public int deleteFilesRemoved() {
        return deleteFilesRemoved;
    }

    public long rowsRewritten() {
        return rowsRewritten;
    }

    /** Compaction commits that conflicted with a concurrent commit and were planned again. */
    public int commitConflicts() {
        return commitConflicts;
    }

    public int snapshotsExpired() {
        return snapshotsExpired;
    }

    public int snapshotsKept() {
        return snapshotsKept;
    }

    public List<String> orphanFilesDeleted() {
        return orphanFilesDeleted;
    }

    /** The table's current snapshot after the run; null for a table without any. */
    public Long currentSnapshot() {
        return currentSnapshot;
    }

    public long millis() {
        return millis;
    }

    @Override
    public String toString() {
        return "data files " + dataFilesBefore + " -> " + dataFilesAfter + ", delete files " + deleteFilesBefore + " -> "
                + deleteFilesAfter + " (" + partitionsCompacted + " partitions compacted, " + rowsRewritten
                + " rows rewritten, " + deleteFilesRemoved + " delete files removed"
                + (commitConflicts > 0 ? ", " + commitConflicts + " commit conflicts retried" : "") + "), "
                + snapshotsExpired + " snapshots expired, " + snapshotsKept + " kept, " + orphanFilesDeleted.size()
                + " orphan files deleted, in " + millis + " ms";
    }
}
