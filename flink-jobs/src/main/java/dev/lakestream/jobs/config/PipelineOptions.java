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

    /** Where the keyed operators' event-time timers live. */
    public enum Timers {
        /** In RocksDB, beside the keyed state: bounded by disk, not by the heap. */
        ROCKSDB,
        /** On the JVM heap: no RocksDB access per timer. */
        HEAP
    }

    public static final ConfigOption<Timers> TIMERS =
            ConfigOptions.key("pipeline.timers")
                    .enumType(Timers.class)
                    .defaultValue(Timers.ROCKSDB)
                    .withDescription(
                            "Where event-time timers live (sets Flink's state.backend.rocksdb.timer-service.factory for"
                                    + " the job). ROCKSDB: in RocksDB with the keyed state, bounded by disk. HEAP: on the"
                                    + " JVM heap, no RocksDB access per timer, but every pending timer is held in memory"
                                    + " (one per user with an open session, one per facility, and per feature entity one"
                                    + " per pending event time plus one per bucket and window) and written into every"
                                    + " checkpoint. The benchmarks measured no gain for the event pipeline (its windows"
                                    + " keep one timer per key); choose HEAP for jobs with many timer firings per key"
                                    + " and a bounded number of keys. HEAP is refused when the job computes daily"
                                    + " revenue: its Flink SQL window and join operators hand the timer service key"
                                    + " objects they reuse (FLINK-38558, FLINK-39589), which heap timers would keep.");

    private PipelineOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(NAME, CHECKPOINT_INTERVAL, CHECKPOINT_TIMEOUT, TIMERS);
    }
}
