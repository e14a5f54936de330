package dev.lakestream.jobs;

import dev.lakestream.jobs.config.PipelineOptions;
import dev.lakestream.jobs.silver.DeduplicateEvents;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.DefaultConfigurableOptionsFactory;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

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

    /**
     * The options factory the environment installs reaches RocksDB: the column family of
     * deduplication's state gets a whole-key memtable bloom filter and a data block hash index, and
     * keeps Flink's SST bloom filter. RocksDB writes the options it opened a column family with to
     * its OPTIONS file, which is read here.
     */
    @Test
    void rocksDbStateGetsMemtableBloomFiltersAndKeepsFlinksTableSettings(@TempDir Path dbPath) throws Exception {
        StreamExecutionEnvironment env =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), new Configuration());
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend()
                .configure(env.getConfiguration(), getClass().getClassLoader());
        backend.setDbStoragePath(dbPath.toString());

        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DeduplicateEvents(Duration.ofHours(1))),
                        row -> row.getString(0).toString(), Types.STRING)) {
            harness.setStateBackend(backend);
            harness.open();
            for (int i = 0; i < 1_000; i++) {
                harness.processElement(GenericRowData.of(StringData.fromString("id-" + (i % 900))), i);
            }
            assertThat(harness.extractOutputValues()).hasSize(900);

            String cf = "first-seen-millis"; // DeduplicateEvents.STATE_NAME, fixed by savepoint compatibility
            Map<String, Map<String, String>> options = latestOptionsFile(dbPath);
            assertThat(options.get("CFOptions \"" + cf + "\""))
                    .containsEntry("memtable_whole_key_filtering", "true")
                    .containsEntry("memtable_prefix_bloom_size_ratio", "0.020000");
            assertThat(options.get("TableOptions/BlockBasedTable \"" + cf + "\""))
                    .containsEntry("filter_policy", "rocksdb.BuiltinBloomFilter")
                    .containsEntry("data_block_index_type", "kDataBlockBinaryAndHash");
        }
    }

    @Test
    void aJobsOwnRocksDbOptionsFactoryIsKept() {
        StreamExecutionEnvironment defaults =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), new Configuration());
        assertThat(defaults.getConfiguration().get(RocksDBOptions.OPTIONS_FACTORY))
                .isEqualTo(PointLookupOptionsFactory.class.getName());

        Configuration job = new Configuration();
        job.set(RocksDBOptions.OPTIONS_FACTORY, DefaultConfigurableOptionsFactory.class.getName());
        StreamExecutionEnvironment own =
                PipelineEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(job), new Configuration());
        assertThat(own.getConfiguration().get(RocksDBOptions.OPTIONS_FACTORY))
                .isEqualTo(DefaultConfigurableOptionsFactory.class.getName());
    }

    /** Sections of the newest RocksDB OPTIONS file under {@code root}: section name to its key=value lines. */
    private static Map<String, Map<String, String>> latestOptionsFile(Path root) throws IOException {
        Path newest;
        try (Stream<Path> files = Files.walk(root)) {
            newest = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                    .max(Comparator.comparing(f -> Long.parseLong(f.getFileName().toString().substring("OPTIONS-".length()))))
                    .orElseThrow(() -> new AssertionError("RocksDB wrote no OPTIONS file under " + root));
        }
        Map<String, Map<String, String>> sections = new HashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(newest)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                current = new HashMap<>();
                sections.put(trimmed.substring(1, trimmed.length() - 1), current);
            } else if (current != null && trimmed.contains("=")) {
                int eq = trimmed.indexOf('=');
                current.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
            }
        }
        return sections;
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
