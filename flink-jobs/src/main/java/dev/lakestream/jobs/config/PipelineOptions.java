package dev.lakestream.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/** Job-wide options: name, checkpointing. Property group {@code pipeline} on MSF. */
public final class PipelineOptions {

    public static final ConfigOption<String> NAME =
            ConfigOptions.key("pipeline.name")
                    .stringType()
                    .defaultValue("lakestream-ingestion")
                    .withDescription("Flink job name, shown in the Flink UI and in Iceberg snapshot summaries.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("pipeline.checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "How often Flink checkpoints. Each checkpoint commits one Iceberg snapshot per table, so this"
                                    + " is the data freshness and sets the number of files written. On MSF the"
                                    + " application's checkpoint configuration wins unless it is set to CUSTOM.");

    public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
            ConfigOptions.key("pipeline.checkpoint-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("A checkpoint that takes longer than this is aborted and retried.");

    private PipelineOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(NAME, CHECKPOINT_INTERVAL, CHECKPOINT_TIMEOUT);
    }
}
