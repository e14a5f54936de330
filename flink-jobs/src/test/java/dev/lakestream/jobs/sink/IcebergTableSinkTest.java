package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IcebergTableSinkTest {

    private static final TableSpec SESSIONS = GoldTables.userSessions("t_");
    private static final TableSpec THROUGHPUT = GoldTables.facilityThroughputHourly("t_");

    @TempDir
    Path warehouse;

    private CatalogLoader catalogLoader;

    @BeforeEach
    void provision() throws Exception {
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        Map<String, String> properties = Map.of("warehouse", warehouse.toUri().toString());
        try (HadoopCatalog catalog = new HadoopCatalog()) {
            catalog.setConf(hadoop);
            catalog.initialize("test", properties);
            new TableProvisioner(catalog).ensureAll(List.of(SESSIONS, THROUGHPUT));
        }
        catalogLoader = CatalogLoader.hadoop("test", hadoop, properties);
    }

    /** Rows of {@code table} at parallelism 3 (the graph is only built, never run). */
    private static DataStream<RowData> rows(StreamExecutionEnvironment env, TableSpec table) {
        int arity = table.schema().columns().size();
        return env.fromSequence(1, 2)
                .map(i -> (RowData) new GenericRowData(arity))
                .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(table.schema())))
                .setParallelism(3);
    }

    @Test
    void goldTablesGetAWatermarkStampWithTheRowsParallelismAndTheUsualWriterAndCommitterUids() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        IcebergTableSink sink = new IcebergTableSink(catalogLoader, "test");

        sink.write(SESSIONS, rows(env, SESSIONS));
        sink.write(THROUGHPUT, rows(env, THROUGHPUT));

        Map<String, StreamNode> byUid = env.getStreamGraph(false).getStreamNodes().stream()
                .filter(n -> n.getTransformationUID() != null)
                .collect(Collectors.toMap(StreamNode::getTransformationUID, n -> n));
        for (TableSpec table : List.of(SESSIONS, THROUGHPUT)) {
            String prefix = IcebergTableSink.uidPrefix(table);
            assertThat(byUid).containsKeys(prefix + "-watermark-stamp", prefix + "-writer", prefix + "-committer");
            StreamNode stamp = byUid.get(prefix + "-watermark-stamp");
            assertThat(stamp.getParallelism()).isEqualTo(3);
            assertThat(stamp.getOperatorFactory().getChainingStrategy().name()).isEqualTo("ALWAYS");
            assertThat(byUid.get(prefix + "-writer").getParallelism()).isEqualTo(3);
        }
    }

    @Test
    void aTableDeclaringOnlySomeReplayColumnsFailsTheBuild() {
        TableSpec halfDeclared = TableSpec.builder(Layer.GOLD, "t_sessions_v0")
                .schema(SESSIONS.schema())
                .property(GoldTables.REPLAY_KEY, GoldTables.USER_ID + "," + GoldTables.SESSION_START)
                .property(GoldTables.REPLAY_TIME, GoldTables.SESSION_END)
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        assertThatThrownBy(() -> new IcebergTableSink(catalogLoader, "test").write(halfDeclared, rows(env, halfDeclared)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(halfDeclared.identifier().toString())
                .hasMessageContaining(GoldTables.REPLAY_START + "=null");
    }

    @Test
    void unalignedCheckpointsFailTheBuildOfAGoldSink() {
        Configuration config = new Configuration();
        config.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.enableCheckpointing(1_000);

        assertThatThrownBy(() -> new IcebergTableSink(catalogLoader, "test").write(THROUGHPUT, rows(env, THROUGHPUT)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(THROUGHPUT.identifier().toString())
                .hasMessageContaining("aligned checkpoints");
    }
}
