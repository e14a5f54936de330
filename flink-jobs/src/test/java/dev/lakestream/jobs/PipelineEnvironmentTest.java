package dev.lakestream.jobs;

import dev.lakestream.jobs.config.PipelineOptions;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineEnvironmentTest {

    @Test
    void exactlyOnceCheckpointsOnIncrementalRocksDb() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(30));

        StreamExecutionEnvironment env =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), config);

        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(30_000L);
        assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
        assertThat(env.getConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(env.getConfiguration().get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
    }

    @Test
    void heapTimersWhenConfiguredAndRocksDbTimersOverAClusterWideHeap() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.TIMERS, PipelineOptions.Timers.HEAP);
        StreamExecutionEnvironment env =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), config);
        assertThat(env.getConfiguration().get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);

        Configuration cluster = new Configuration();
        cluster.set(RocksDBOptions.TIMER_SERVICE_FACTORY, EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        StreamExecutionEnvironment defaults =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(cluster), new Configuration());
        assertThat(defaults.getConfiguration().get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
    }

    @Test
    void aBoundedRunTakesNoCheckpointsEvenWhenTheClusterTurnsThemOn() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(60));
        Configuration config = new Configuration();
        config.set(dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions.STOPPING_OFFSETS,
                dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions.StoppingOffsets.LATEST);

        StreamExecutionEnvironment env =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(cluster), config);

        assertThat(env.getCheckpointConfig().isCheckpointingEnabled()).isFalse();
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    }
}
