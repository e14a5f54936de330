package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The production pipeline (configuration path, job graph, Iceberg sink) against the shared local
 * services, submitted to the test's MiniCluster. Tests may wrap the sink, e.g. to put a failing
 * operator in front of one table.
 */
public final class PipelineUnderTest {

    private final Configuration config;

    /** {@code settings} are pipeline keys on top of the local services' connection settings. */
    public PipelineUnderTest(LocalServices services, List<String> kafkaTopics, Map<String, String> settings) {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, kafkaTopics);
        if (kafkaTopics.isEmpty()) {
            raw.remove("kafka.topics");
        }
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("kafka.group-id", services.uniqueName("group"));
        raw.put("pipeline.checkpoint-interval", "1 s");
        raw.putAll(settings);
        this.config = IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    public Configuration config() {
        return config;
    }

    /** Provisions the tables and submits the job with {@code parallelism}, through {@code wrap(icebergSink)}. */
    public JobClient start(int parallelism, UnaryOperator<TableSink> wrap) throws Exception {
        return start(parallelism, wrap, null);
    }

    /** As {@link #start(int, UnaryOperator)}, restoring from {@code savepoint} when it is not null. */
    public JobClient start(int parallelism, UnaryOperator<TableSink> wrap, String savepoint) throws Exception {
        IngestionPipeline.provisionTables(config);
        Configuration restore = new Configuration();
        if (savepoint != null) {
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        IngestionPipeline.job(config, wrap.apply(new IcebergTableSink(CatalogFactory.loader(config), "pipeline-test")))
                .addTo(env);
        return env.executeAsync("pipeline-test");
    }

    public Table table(TableSpec spec) {
        Catalog catalog = CatalogFactory.open(config);
        return catalog.loadTable(spec.identifier());
    }
}
