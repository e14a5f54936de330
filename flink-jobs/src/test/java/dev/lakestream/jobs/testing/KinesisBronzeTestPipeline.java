package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.CatalogOptions;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.jobs.IngestionJob;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeOptions;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeSources;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.config.PipelineOptions;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Builds the bronze job over Kinesis sources (real KinesisStreamsSource against kinesis-local, real
 * Iceberg sink, configuration validated the production way) against the shared local services,
 * with an optional operator between source and sink for failure injection.
 */
public final class KinesisBronzeTestPipeline {

    private final Configuration config;
    private final List<String> streamArns;

    public KinesisBronzeTestPipeline(LocalServices services, List<String> streamArns, Map<String, String> overrides) {
        // The catalog keys of the local run; the Kafka keys it also carries are not used here.
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, List.of());
        raw.keySet().removeIf(key -> key.startsWith("kafka."));
        raw.putAll(LocalServicesConfig.kinesisProperties(services, streamArns));
        raw.put("pipeline.checkpoint-interval", "1 s");
        raw.putAll(overrides);
        this.config = PipelineConfig.fromMap(raw, options()).check(KinesisBronzeOptions::problems).configuration();
        this.streamArns = streamArns;
    }

    /** The options a Kinesis bronze job accepts: pipeline, Kinesis and catalog. */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>(PipelineOptions.all());
        all.addAll(KinesisBronzeOptions.all());
        all.addAll(CatalogOptions.all());
        return all;
    }

    public Configuration config() {
        return config;
    }

    /** Provisions the tables and submits the job; {@code between} wraps the rows before the sink. */
    public JobClient start(int parallelism, UnaryOperator<DataStream<RowData>> between) throws Exception {
        Catalog catalog = CatalogFactory.open(config);
        try {
            new TableProvisioner(catalog).ensureAll(streamArns.stream()
                    .map(arn -> BronzeKinesisTable.spec(KinesisBronzeOptions.streamName(arn)))
                    .collect(Collectors.toList()));
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        IcebergTableSink iceberg = new IcebergTableSink(CatalogFactory.loader(config), "bronze-kinesis-test");
        TableSink sink = (table, rows) -> iceberg.write(table, between.apply(rows));
        IngestionJob.bronzeOnly(
                        streamArns.stream()
                                .map(arn -> KinesisBronzeSources.bronzeSource(config, arn))
                                .collect(Collectors.toList()),
                        sink)
                .addTo(env);
        return env.executeAsync("bronze-kinesis-test " + streamArns);
    }

    /**
     * Waits until the stream's bronze table has committed {@code produced} rows, then stops the job
     * with a savepoint (Kinesis has no committed positions to compare with, so rows are counted).
     */
    public void catchUpAndStop(JobClient job, String streamArn, long produced, Duration timeout) throws Exception {
        CatchUpThenStop.whenCommitted(table(streamArn), produced)
                .awaitAndStop(job, Files.createTempDirectory("lakestream-savepoints"), timeout, () -> {});
    }

    public Table table(String streamArn) {
        Catalog catalog = CatalogFactory.open(config);
        return catalog.loadTable(BronzeKinesisTable.spec(KinesisBronzeOptions.streamName(streamArn)).identifier());
    }
}
