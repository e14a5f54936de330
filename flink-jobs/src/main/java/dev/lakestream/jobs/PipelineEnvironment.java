package dev.lakestream.jobs;

import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.config.PipelineOptions;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what every job of this project relies on: exactly-once checkpoints (Iceberg commits are
 * bound to them), the RocksDB state backend with incremental checkpoints (keyed state grows to
 * months of features; only changed SST files are uploaded per checkpoint, bloom filters for
 * lookups of keys not there) and object reuse.
 */
public final class PipelineEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineEnvironment.class);

    private PipelineEnvironment() {}

    public static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, ReadableConfig config) {
        Configuration defaults = new Configuration();
        defaults.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        defaults.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Chained operators hand each record on instead of deep-copying it (a copy per chained edge was
        // 9% of bronze's CPU). Safe because no operator of ours modifies a record it received, nor keeps
        // one past the call: keyed state is RocksDB, which serializes on every write, and sources build a
        // new row per record. A new operator must keep to both rules.
        defaults.set(org.apache.flink.configuration.PipelineOptions.OBJECT_REUSE, true);
        // Deduplication looks up every event id, and nearly all are new: without bloom filters each miss
        // searched every SST file of the level it could be in. With them: 11% more records/s and 10% less
        // CPU per record for the full pipeline (benchmarks: interleaved A/B, 3 repetitions).
        defaults.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // Set either way, so a cluster-wide HEAP cannot reach a job whose checks refused it.
        defaults.set(RocksDBOptions.TIMER_SERVICE_FACTORY,
                EmbeddedRocksDBStateBackend.PriorityQueueStateType.valueOf(config.get(PipelineOptions.TIMERS).name()));
        env.configure(defaults);

        if (config.get(KafkaBronzeOptions.STOPPING_OFFSETS) != KafkaBronzeOptions.StoppingOffsets.NONE) {
            // A bounded run (backfill, replay) commits once, at the end of its input. Iceberg 1.11's
            // FlinkSink committer loses a writer's last files when a checkpoint lands while writers
            // finish one after another; without checkpoints there is only the end-of-input commit. A
            // failed bounded run commits nothing and is simply run again (the replay guard skips what
            // an earlier attempt did commit).
            // Also when the cluster's configuration turns them on (a Kubernetes FlinkDeployment's
            // execution.checkpointing.interval). On MSF the application's CheckpointConfiguration must
            // be CUSTOM with checkpointing disabled: DEFAULT forces 60 s checkpoints over any code.
            env.getCheckpointConfig().disableCheckpointing();
            LOG.info("Bounded run ({} = {}): no periodic checkpoints; every table commits once at the end of input",
                    KafkaBronzeOptions.STOPPING_OFFSETS.key(), config.get(KafkaBronzeOptions.STOPPING_OFFSETS));
            return env;
        }
        env.enableCheckpointing(config.get(PipelineOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(config.get(PipelineOptions.CHECKPOINT_TIMEOUT).toMillis());
        // Keep the last checkpoint when the job is cancelled, so a redeploy can resume from it.
        checkpoints.setExternalizedCheckpointRetention(
                org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return env;
    }
}
