package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.jobs.IngestionJob;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeSources;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Builds the production bronze job (real Kafka sources, real Iceberg sink, the production
 * configuration path) against the shared local services, with an optional operator between
 * source and sink for failure injection.
 */
public final class BronzeTestPipeline {

    private final Configuration config;
    private final List<String> topics;

    public BronzeTestPipeline(LocalServices services, List<String> topics, Map<String, String> overrides) {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, topics);
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("kafka.group-id", services.uniqueName("group"));
        raw.put("pipeline.checkpoint-interval", "1 s");
        raw.putAll(overrides);
        this.config = IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
        this.topics = topics;
    }

    public Configuration config() {
        return config;
    }

    /** Provisions the tables and submits the job; {@code between} wraps the rows before the sink. */
    public JobClient start(int parallelism, UnaryOperator<DataStream<RowData>> between) throws Exception {
        IngestionPipeline.provisionTables(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        IcebergTableSink iceberg = new IcebergTableSink(CatalogFactory.loader(config), "bronze-test");
        TableSink sink = (table, rows) -> iceberg.write(table, between.apply(rows));
        IngestionJob.bronzeOnly(
                        topics.stream().map(t -> KafkaBronzeSources.bronzeSource(config, t)).collect(Collectors.toList()),
                        sink)
                .addTo(env);
        return env.executeAsync("bronze-test " + topics);
    }

    /** Waits until the job has read and checkpointed everything produced so far, then stops it with a savepoint. */
    public void catchUpAndStop(JobClient job, Duration timeout) throws Exception {
        CatchUpThenStop.atCurrentEnd(
                        config.get(KafkaBronzeOptions.BOOTSTRAP_SERVERS), config.get(KafkaBronzeOptions.GROUP_ID), topics)
                .awaitAndStop(job, Files.createTempDirectory("lakestream-savepoints"), timeout, () -> {});
    }

    public Table table(String topic) {
        Catalog catalog = CatalogFactory.open(config);
        return catalog.loadTable(BronzeKafkaTable.spec(topic).identifier());
    }
}
