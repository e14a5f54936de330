package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
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

/**
 * The production pipeline (configuration path, job graph, Iceberg sink) against the shared local
 * services, submitted to the test's MiniCluster. Tests may wrap the sink, e.g. to put a failing
 * operator in front of one table.
 */
public final class PipelineUnderTest {

    private final Configuration config;
    private final List<String> kafkaTopics;
    private Catalog catalog;

    /** {@code settings} are pipeline keys on top of the local services' connection settings. */
    public PipelineUnderTest(LocalServices services, List<String> kafkaTopics, Map<String, String> settings) {
        this.kafkaTopics = List.copyOf(kafkaTopics);
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, kafkaTopics);
        if (kafkaTopics.isEmpty()) {
            raw.remove("kafka.topics");
        }
        raw.put("kafka.starting-offsets", "EARLIEST");
        raw.put("kafka.group-id", services.uniqueName("group"));
        raw.put("pipeline.checkpoint-interval", "1 s");
        // Gold tables of the shared catalog stay apart per test.
        raw.put("gold.table-prefix", services.uniqueName("g") + "_");
        raw.putAll(settings);
        this.config = IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    /** A pipeline over Kinesis streams only. */
    public static PipelineUnderTest kinesis(LocalServices services, List<String> streamArns, Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(LocalServicesConfig.kinesisProperties(services, streamArns));
        all.putAll(settings);
        return new PipelineUnderTest(services, List.of(), all);
    }

    /** A pipeline capturing tables of {@code database} on the local PostgreSQL; {@code settings} name the tables. */
    public static PipelineUnderTest postgresCdc(LocalServices services, String database, Map<String, String> settings) {
        String prefix = database.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_";
        // Silver and bronze table names of the shared catalog stay apart per test; so do slots.
        Map<String, String> all = new java.util.HashMap<>(LocalServicesConfig.postgresCdcProperties(services, database,
                List.of(), services.uniqueName("slot").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_"), prefix));
        all.remove("cdc.postgres.tables");
        all.putAll(settings);
        return new PipelineUnderTest(services, List.of(), all);
    }

    /** The PostgreSQL capture as the pipeline builds it (its tables read from the database). */
    public dev.lakestream.jobs.cdc.CdcCapture postgresCapture() {
        return IngestionPipeline.postgresCapture(config).orElseThrow();
    }

    public Configuration config() {
        return config;
    }

    /** Submits the job with {@code between} applied to the rows of every table before its sink. */
    public JobClient startWithRowsBetween(int parallelism, UnaryOperator<DataStream<RowData>> between) throws Exception {
        return start(parallelism, iceberg -> (table, rows) -> iceberg.write(table, between.apply(rows)));
    }

    /** Waits until the job has read and checkpointed everything produced to its topics so far, then stops it with a savepoint. */
    public String catchUpAndStop(JobClient job, Duration timeout) throws Exception {
        return CatchUpThenStop.atCurrentEnd(config.get(KafkaBronzeOptions.BOOTSTRAP_SERVERS),
                        config.get(KafkaBronzeOptions.GROUP_ID), kafkaTopics)
                .awaitAndStop(job, Files.createTempDirectory("lakestream-savepoints"), timeout, () -> {});
    }

    /**
     * Waits until the bronze table of {@code source} has committed {@code rows} rows, then stops the
     * job with a savepoint (Kinesis has no committed positions to compare with, so rows are counted).
     */
    public String stopWhenCommitted(JobClient job, String source, long rows, Duration timeout) throws Exception {
        return CatchUpThenStop.whenCommitted(bronzeTable(source), rows)
                .awaitAndStop(job, Files.createTempDirectory("lakestream-savepoints"), timeout, () -> {});
    }

    /** The bronze table of a source (topic or stream name). */
    public Table bronzeTable(String source) {
        TableSpec spec = IngestionPipeline.bronzeTables(config).get(source);
        if (spec == null) {
            throw new IllegalArgumentException("No source " + source + " in " + IngestionPipeline.bronzeTables(config).keySet());
        }
        return table(spec);
    }

    /** Provisions the tables and submits the job with {@code parallelism}, through {@code wrap(icebergSink)}. */
    public JobClient start(int parallelism, UnaryOperator<TableSink> wrap) throws Exception {
        return start(parallelism, wrap, null);
    }

    /** As {@link #start(int, UnaryOperator)}, restoring from {@code savepoint} when it is not null. */
    public JobClient start(int parallelism, UnaryOperator<TableSink> wrap, String savepoint) throws Exception {
        return start(parallelism, wrap, UnaryOperator.identity(), savepoint);
    }

    /** As {@link #start(int, UnaryOperator, String)}, also wrapping the CDC current-state sink. */
    public JobClient start(int parallelism, UnaryOperator<TableSink> wrap, UnaryOperator<CurrentStateSink> wrapCurrentState,
            String savepoint) throws Exception {
        IngestionPipeline.provisionTables(config);
        Configuration restore = new Configuration();
        if (savepoint != null) {
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        IcebergTableSink iceberg = new IcebergTableSink(CatalogFactory.loader(config), "pipeline-test",
                config.get(dev.lakestream.jobs.sink.SinkOptions.BRANCH), dev.lakestream.jobs.gold.GoldOptions.replayHorizon(config));
        IngestionPipeline.job(config, wrap.apply(iceberg), wrapCurrentState.apply(iceberg)).addTo(env);
        return env.executeAsync("pipeline-test");
    }

    /** A table of the pipeline, through one catalog per pipeline (each catalog holds catalog-database connections). */
    public Table table(TableSpec spec) {
        if (catalog == null) {
            catalog = CatalogFactory.open(config);
        }
        return catalog.loadTable(spec.identifier());
    }
}
