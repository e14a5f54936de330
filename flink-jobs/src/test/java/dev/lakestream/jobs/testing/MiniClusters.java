package dev.lakestream.jobs.testing;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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
