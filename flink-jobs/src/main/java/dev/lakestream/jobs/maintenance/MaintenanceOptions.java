package dev.lakestream.jobs.maintenance;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.maintenance.MaintenancePolicy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link MaintenanceApplication}, one set per layer under {@code maintenance.<layer>.*}
 * (bronze, silver, gold), e.g. {@code maintenance.silver.expire-snapshots.max-age}. The ingestion
 * job does not accept them; the maintenance application accepts them besides the ingestion job's
 * own (it finds the tables the same way).
 */
public final class MaintenanceOptions {

    /** Lakehouse rule 8: compacted files of 128-512 MB. */
    static final MemorySize MIN_TARGET_FILE_SIZE = MemorySize.parse("128 mb");
    static final MemorySize MAX_TARGET_FILE_SIZE = MemorySize.parse("512 mb");

    /** The options of one layer. */
    public static final class LayerOptions {
        public final Layer layer;
        public final ConfigOption<Boolean> compaction;
        public final ConfigOption<MemorySize> targetFileSize;
        public final ConfigOption<Integer> minInputFiles;
        public final ConfigOption<Boolean> expireSnapshots;
        public final ConfigOption<Duration> snapshotMaxAge;
        public final ConfigOption<Integer> retainLast;
        public final ConfigOption<Boolean> orphanFiles;
        public final ConfigOption<Duration> orphanMinAge;

        private LayerOptions(Layer layer) {
            this.layer = layer;
            String prefix = "maintenance." + layer.namespace() + ".";
            String tables = layer.namespace() + " tables";
            compaction = ConfigOptions.key(prefix + "compaction.enabled").booleanType().defaultValue(true)
                    .withDescription("Compact the " + tables + ": per partition, data files smaller than 75 % or larger"
                            + " than 180 % of the target size, and every file with row-level deletes, are rewritten"
                            + " (deletes applied) into files of the target size, and delete files no remaining data"
                            + " file needs are dropped, so a compacted partition has no equality-delete file"
                            + " (Redshift cannot read them). Safe while the job commits.");
            targetFileSize = ConfigOptions.key(prefix + "compaction.target-file-size").memoryType().noDefaultValue()
                    .withDescription("Size of the files compaction writes for the " + tables + ", between "
                            + MIN_TARGET_FILE_SIZE.toString() + " and "
                            + MAX_TARGET_FILE_SIZE.toString() + " (Athena reads those fastest)."
                            + " Default: each table's write.target-file-size-bytes (256 mb on our tables).");
            minInputFiles = ConfigOptions.key(prefix + "compaction.min-input-files").intType().defaultValue(2)
                    .withDescription("A partition of the " + tables + " without deletes is compacted once it has at"
                            + " least this many files outside the target size range (at least 2). A partition with"
                            + " deletes is always compacted.");
            expireSnapshots = ConfigOptions.key(prefix + "expire-snapshots.enabled").booleanType().defaultValue(true)
                    .withDescription("Expire old snapshots of the " + tables + " and delete the files only they"
                            + " referenced. Never expires the newest snapshot carrying a Flink job's commit markers"
                            + " (flink.job-id, flink.max-committed-checkpoint-id) or any snapshot after it: a restore"
                            + " of that job looks for it.");
            snapshotMaxAge = ConfigOptions.key(prefix + "expire-snapshots.max-age").durationType()
                    .defaultValue(Duration.ofDays(3))
                    .withDescription("Snapshots of the " + tables + " younger than this are kept (time travel, and the"
                            + " restore of an older job's checkpoint or savepoint): keep it at least as long as the"
                            + " oldest savepoint you may restore.");
            retainLast = ConfigOptions.key(prefix + "expire-snapshots.retain-last").intType().defaultValue(10)
                    .withDescription("At least this many of the newest snapshots of each of the " + tables
                            + " are kept, whatever their age (at least 1).");
            orphanFiles = ConfigOptions.key(prefix + "orphan-files.enabled").booleanType().defaultValue(true)
                    .withDescription("Delete files under the " + tables + "' locations that no snapshot references"
                            + " (failed commits, aborted rewrites), if older than "
                            + prefix + "orphan-files.min-age. The gold tables' commit-watermark stamps"
                            + " (metadata/lakestream-watermarks/) are never touched.");
            orphanMinAge = ConfigOptions.key(prefix + "orphan-files.min-age").durationType()
                    .defaultValue(Duration.ofDays(3))
                    .withDescription("Files of the " + tables + " younger than this are never deleted as orphans: a"
                            + " running job commits the files it wrote at its next checkpoint, and a job restored"
                            + " from a checkpoint or savepoint commits the files that checkpoint holds. Keep it above"
                            + " the age of the oldest checkpoint or savepoint you may restore (at least 1 d).");
        }

        List<ConfigOption<?>> all() {
            return List.of(compaction, targetFileSize, minInputFiles, expireSnapshots, snapshotMaxAge, retainLast,
                    orphanFiles, orphanMinAge);
        }
    }

    public static final LayerOptions BRONZE = new LayerOptions(Layer.BRONZE);
    public static final LayerOptions SILVER = new LayerOptions(Layer.SILVER);
    public static final LayerOptions GOLD = new LayerOptions(Layer.GOLD);

    private MaintenanceOptions() {}

    public static LayerOptions forLayer(Layer layer) {
        switch (layer) {
            case BRONZE:
                return BRONZE;
            case SILVER:
                return SILVER;
            case GOLD:
                return GOLD;
            default:
                throw new IllegalArgumentException("No maintenance options for layer " + layer);
        }
    }

    /** Every maintenance option, for key validation and documentation. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new ArrayList<>();
        for (Layer layer : Layer.values()) {
            all.addAll(forLayer(layer).all());
        }
        return all;
    }

    /** Values that parse but are out of range, each naming its key and what is allowed. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        for (Layer layer : Layer.values()) {
            LayerOptions o = forLayer(layer);
            config.getOptional(o.targetFileSize).ifPresent(size -> {
                if (size.compareTo(MIN_TARGET_FILE_SIZE) < 0 || size.compareTo(MAX_TARGET_FILE_SIZE) > 0) {
                    problems.add("invalid value '" + size.toString() + "' for key '" + o.targetFileSize.key()
                            + "': allowed values are sizes from " + MIN_TARGET_FILE_SIZE.toString() + " to "
                            + MAX_TARGET_FILE_SIZE.toString() + ", e.g. '256 mb'");
                }
            });
            if (config.get(o.minInputFiles) < 2) {
                problems.add("invalid value '" + config.get(o.minInputFiles) + "' for key '" + o.minInputFiles.key()
                        + "': allowed values are whole numbers from 2");
            }
            if (config.get(o.snapshotMaxAge).isNegative()) {
                problems.add("invalid value for key '" + o.snapshotMaxAge.key() + "': must not be negative, e.g. '3 d'");
            }
            if (config.get(o.retainLast) < 1) {
                problems.add("invalid value '" + config.get(o.retainLast) + "' for key '" + o.retainLast.key()
                        + "': allowed values are whole numbers from 1");
            }
            if (config.get(o.orphanMinAge).compareTo(MaintenancePolicy.MIN_ORPHAN_AGE) < 0) {
                problems.add("invalid value for key '" + o.orphanMinAge.key() + "': allowed values are durations of at"
                        + " least 1 d, e.g. '3 d' (younger files may belong to a commit in progress or a restore)");
            }
        }
        return problems;
    }

    /** The policy of {@code layer}'s tables; {@link #problems} must have passed. */
    public static MaintenancePolicy policy(ReadableConfig config, Layer layer) {
        LayerOptions o = forLayer(layer);
        return MaintenancePolicy.builder()
                .compaction(config.get(o.compaction))
                .targetFileSizeBytes(config.getOptional(o.targetFileSize).map(MemorySize::getBytes).orElse(0L))
                .minInputFiles(config.get(o.minInputFiles))
                .expireSnapshots(config.get(o.expireSnapshots))
                .snapshotMaxAge(config.get(o.snapshotMaxAge))
                .retainLastSnapshots(config.get(o.retainLast))
                .removeOrphanFiles(config.get(o.orphanFiles))
                .orphanMinAge(config.get(o.orphanMinAge))
                .build();
    }
}
