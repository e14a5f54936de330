package dev.lakestream.jobs.testing;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

/** MiniCluster settings shared by the IT classes: fast restarts, checkpoints on local disk. */
public final class MiniClusters {

    private MiniClusters() {}

    public static MiniClusterExtension extension(int taskManagers, int slotsPerTaskManager) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(taskManagers)
                        .setNumberSlotsPerTaskManager(slotsPerTaskManager)
                        .setConfiguration(configuration())
                        .build());
    }

    /** RocksDB's memory per slot (block cache and memtables): about what an MSF KPU's TaskManager gives a slot. */
    public static final MemorySize MANAGED_MEMORY_PER_SLOT = MemorySize.ofMebiBytes(512);

    /**
     * Sizes a local environment's MiniCluster like MSF TaskManagers (a KPU: 1 vCPU, 4 GiB, one slot)
     * instead of its default of 128 MiB managed memory for all slots together: with the full pipeline's
     * dozen RocksDB operators per slot that default starves their block caches and memtables, and the
     * job spends its time flushing, compacting and re-reading tiny SST files (3x the CPU per record in
     * the throughput benchmark).
     */
    public static Configuration sizedLikeMsf(Configuration conf, int slots) {
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(MANAGED_MEMORY_PER_SLOT.getMebiBytes() * slots));
        return conf;
    }

    static Configuration configuration() {
        Configuration conf = new Configuration();
        // Lets tests read the pipeline's own counters (records in, quarantined, duplicates).
        dev.lakestream.jobs.localrun.ProgressReporter.install(conf);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        try {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    Files.createTempDirectory("lakestream-checkpoints").toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return conf;
    }
}
