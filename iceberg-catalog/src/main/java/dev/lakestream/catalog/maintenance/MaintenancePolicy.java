package dev.lakestream.catalog.maintenance;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link LakehouseMaintenance} does to a table: compaction (bin-pack that applies and removes
 * delete files), snapshot expiry and orphan-file removal, each of which can be off. Built with
 * {@link #builder()}; the defaults keep three days of snapshots and files, the restore window.
 */
public final class MaintenancePolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Orphan files younger than this are never deleted: a running or restoring job may still commit them. */
    public static final Duration MIN_ORPHAN_AGE = Duration.ofDays(1);

    private final boolean compaction;
    private final long targetFileSizeBytes;
    private final int minInputFiles;
    private final boolean expireSnapshots;
    private final Duration snapshotMaxAge;
    private final int retainLastSnapshots;
    private final boolean removeOrphanFiles;
    private final Duration orphanMinAge;

    private MaintenancePolicy(Builder b) {
        this.compaction = b.compaction;
        this.targetFileSizeBytes = b.targetFileSizeBytes;
        this.minInputFiles = b.minInputFiles;
        this.expireSnapshots = b.expireSnapshots;
        this.snapshotMaxAge = b.snapshotMaxAge;
        this.retainLastSnapshots = b.retainLastSnapshots;
        this.removeOrphanFiles = b.removeOrphanFiles;
        this.orphanMinAge = b.orphanMinAge;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean compaction() {
        return compaction;
    }

    /** Target size of compacted files; 0: the table's {@code write.target-file-size-bytes}. */
    public long targetFileSizeBytes() {
        return targetFileSizeBytes;
    }

    public int minInputFiles() {
        return minInputFiles;
    }

    public boolean expireSnapshots() {
        return expireSnapshots;
    }

    public Duration snapshotMaxAge() {
        return snapshotMaxAge;
    }

    public int retainLastSnapshots() {
        return retainLastSnapshots;
    }

    public boolean removeOrphanFiles() {
        return removeOrphanFiles;
    }

    public Duration orphanMinAge() {
        return orphanMinAge;
    }

    @Override
    public String toString() {
        return "compaction " + (compaction ? "on (target " + (targetFileSizeBytes > 0 ? targetFileSizeBytes + " bytes"
                : "of the table") + ", at least " + minInputFiles + " files)" : "off")
                + ", snapshot expiry " + (expireSnapshots ? "on (older than " + snapshotMaxAge + ", keeping "
                + retainLastSnapshots + ")" : "off")
                + ", orphan files " + (removeOrphanFiles ? "on (older than " + orphanMinAge + ")" : "off");
    }

    /** Builds a {@link MaintenancePolicy}; {@link #build()} checks the values. */
    public static final class Builder {
        private boolean compaction = true;
        private long targetFileSizeBytes;
        private int minInputFiles = 2;
        private boolean expireSnapshots = true;
        private Duration snapshotMaxAge = Duration.ofDays(3);
        private int retainLastSnapshots = 10;
        private boolean removeOrphanFiles = true;
        private Duration orphanMinAge = Duration.ofDays(3);

        private Builder() {}

        public Builder compaction(boolean enabled) {
            this.compaction = enabled;
            return this;
        }

        /** 0 takes the table's {@code write.target-file-size-bytes}. */
        public Builder targetFileSizeBytes(long bytes) {
            this.targetFileSizeBytes = bytes;
            return this;
        }

        public Builder minInputFiles(int files) {
            this.minInputFiles = files;
            return this;
        }

        public Builder expireSnapshots(boolean enabled) {
            this.expireSnapshots = enabled;
            return this;
        }

        public Builder snapshotMaxAge(Duration age) {
            this.snapshotMaxAge = Objects.requireNonNull(age);
            return this;
        }

        public Builder retainLastSnapshots(int snapshots) {
            this.retainLastSnapshots = snapshots;
            return this;
        }

        public Builder removeOrphanFiles(boolean enabled) {
            this.removeOrphanFiles = enabled;
            return this;
        }

        public Builder orphanMinAge(Duration age) {
            this.orphanMinAge = Objects.requireNonNull(age);
            return this;
        }

        public MaintenancePolicy build() {
            if (targetFileSizeBytes < 0) {
                throw new IllegalArgumentException("target file size must be positive, or 0 for the table's, got "
                        + targetFileSizeBytes);
            }
            if (minInputFiles < 2) {
                throw new IllegalArgumentException("min input files must be at least 2, got " + minInputFiles);
            }
            if (snapshotMaxAge.isNegative()) {
                throw new IllegalArgumentException("snapshot max age must not be negative, got " + snapshotMaxAge);
            }
            if (retainLastSnapshots < 1) {
                throw new IllegalArgumentException("retain last must be at least 1, got " + retainLastSnapshots);
            }
            if (orphanMinAge.compareTo(MIN_ORPHAN_AGE) < 0) {
                throw new IllegalArgumentException("orphan min age must be at least " + MIN_ORPHAN_AGE + ", got "
                        + orphanMinAge);
            }
            return new MaintenancePolicy(this);
        }
    }
}
