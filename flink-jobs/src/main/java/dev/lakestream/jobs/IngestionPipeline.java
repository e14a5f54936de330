package dev.lakestream.jobs;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.CatalogOptions;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.gold.DailyRevenueJob;
import dev.lakestream.jobs.gold.GoldJob;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.gold.features.FeaturesJob;
import dev.lakestream.watermarks.WatermarkOptions;
import dev.lakestream.cdc.mysql.MySqlCdcOptions;
import dev.lakestream.cdc.mysql.MySqlCdcSources;
import dev.lakestream.cdc.mysql.MySqlTableSchemas;
import dev.lakestream.cdc.postgres.PostgresCdcOptions;
import dev.lakestream.cdc.postgres.PostgresCdcSources;
import dev.lakestream.cdc.postgres.PostgresPublications;
import dev.lakestream.cdc.postgres.PostgresTableSchemas;
import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.CdcJob;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaSources;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.jobs.sink.SinkOptions;
import dev.lakestream.catalog.commits.BackfillBranch;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.jobs.cdc.MySqlSchemaSource;
import dev.lakestream.jobs.cdc.PostgresSchemaSource;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeSources;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeOptions;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeSources;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.config.KafkaSecurityOptions;
import dev.lakestream.jobs.config.PipelineOptions;
import dev.lakestream.jobs.config.SecretsManagerOptions;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverOptions;
import dev.lakestream.jobs.silver.SilverSettings;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The production wiring of the ingestion pipeline, shared by the MSF entry point and the local run:
 * which options exist, which tables must exist, and which sources feed which sinks.
 */
public final class IngestionPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(IngestionPipeline.class);

    private IngestionPipeline() {}

    /** Every option the pipeline accepts; any other key stops the job. */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.addAll(PipelineOptions.all());
        all.addAll(KafkaBronzeOptions.all());
        all.addAll(KafkaSecurityOptions.all());
        all.addAll(KinesisBronzeOptions.all());
        all.addAll(PostgresCdcOptions.all());
        all.addAll(MySqlCdcOptions.all());
        all.addAll(DebeziumKafkaOptions.all());
        all.addAll(SilverOptions.all());
        all.addAll(GoldOptions.all());
        all.addAll(WatermarkOptions.all());
        all.addAll(CatalogOptions.all());
        all.addAll(SecretsManagerOptions.all());
        all.addAll(SinkOptions.all());
        return all;
    }

    /** Cross-field checks; throws one exception naming every problem. */
    public static PipelineConfig validate(PipelineConfig config) {
        return config.check(
                IngestionPipeline::sourceProblems,
                c -> topics(c).isEmpty() ? List.of() : KafkaBronzeOptions.problems(c),
                c -> topics(c).isEmpty() && DebeziumKafkaOptions.topics(c).isEmpty() ? List.of()
                        : KafkaBronzeOptions.consumerProblems(c),
                KafkaSecurityOptions::problems,
                SecretsManagerOptions::problems,
                KinesisBronzeOptions::problems,
                PostgresCdcOptions::problems,
                MySqlCdcOptions::problems,
                DebeziumKafkaOptions::problems,
                c -> SilverOptions.problems(c, sourceNames(c)),
                GoldOptions::problems,
                c -> DailyRevenueJob.problems(c, capturedTables(c)),
                c -> FeaturesJob.problems(c, capturedTables(c)),
                WatermarkOptions::problems,
                SinkOptions::problems,
                IngestionPipeline::boundedProblems,
                IngestionPipeline::timerProblems,
                IngestionPipeline::catalogProblems);
    }

    /** A bounded run (backfill) ends only when every source ends: Kafka topics only. */
    private static List<String> boundedProblems(ReadableConfig config) {
        if (config.get(KafkaBronzeOptions.STOPPING_OFFSETS) == KafkaBronzeOptions.StoppingOffsets.NONE) {
            return List.of();
        }
        List<String> unbounded = new ArrayList<>();
        if (!kinesisStreams(config).isEmpty()) {
            unbounded.add(KinesisBronzeOptions.STREAMS.key());
        }
        if (!PostgresCdcOptions.tables(config).isEmpty()) {
            unbounded.add(PostgresCdcOptions.TABLES.key());
        }
        if (!MySqlCdcOptions.tables(config).isEmpty()) {
            unbounded.add(MySqlCdcOptions.TABLES.key());
        }
        if (!DebeziumKafkaOptions.topics(config).isEmpty()) {
            unbounded.add(DebeziumKafkaOptions.TOPICS.key());
        }
        if (unbounded.isEmpty()) {
            return List.of();
        }
        return List.of("key '" + KafkaBronzeOptions.STOPPING_OFFSETS.key() + "' = " + config.get(KafkaBronzeOptions.STOPPING_OFFSETS)
                + " makes a bounded run, but " + unbounded + " configure sources that never end: the job would not finish."
                + " Run the backfill with Kafka topics only");
    }

    /** Heap timers keep the key object they are given: safe for our operators' immutable keys only. */
    private static List<String> timerProblems(ReadableConfig config) {
        if (config.get(PipelineOptions.TIMERS) != PipelineOptions.Timers.HEAP || !config.get(GoldOptions.ENABLED)
                || DailyRevenueJob.input(config, captures(config)).isEmpty()) {
            return List.of();
        }
        return List.of("key '" + PipelineOptions.TIMERS.key() + "' = HEAP cannot be used with gold daily revenue (captured"
                + " orders and customers tables): its Flink SQL operators reuse key objects that heap timers would keep"
                + " (FLINK-38558). Allowed value for a job with daily revenue: ROCKSDB");
    }

    private static List<String> sourceProblems(ReadableConfig config) {
        List<String> names = new ArrayList<>(topics(config));
        kinesisStreams(config).stream().filter(KinesisBronzeOptions::isStreamArn)
                .map(KinesisBronzeOptions::streamName).forEach(names::add);
        List<String> repeated = names.stream().filter(n -> names.indexOf(n) != names.lastIndexOf(n)).distinct()
                .collect(Collectors.toList());
        if (!repeated.isEmpty()) {
            return List.of("source names " + repeated + " appear more than once in '" + KafkaBronzeOptions.TOPICS.key()
                    + "' and the stream names of '" + KinesisBronzeOptions.STREAMS.key()
                    + "': each source needs its own name (its bronze table and silver binding use it)");
        }
        if (sourceNames(config).isEmpty() && kinesisStreams(config).isEmpty() && PostgresCdcOptions.tables(config).isEmpty()
                && MySqlCdcOptions.tables(config).isEmpty() && DebeziumKafkaOptions.topics(config).isEmpty()) {
            return List.of("no source configured: set key '" + KafkaBronzeOptions.TOPICS.key() + "' (Kafka topics), '"
                    + KinesisBronzeOptions.STREAMS.key() + "' (Kinesis stream ARNs), '" + PostgresCdcOptions.TABLES.key()
                    + "' (PostgreSQL tables to capture), '" + MySqlCdcOptions.TABLES.key() + "' (MySQL tables to capture)"
                    + " or '" + DebeziumKafkaOptions.TOPICS.key() + "' (Debezium topics on Kafka)");
        }
        return List.of();
    }

    /** Every table a CDC source captures, as {@code schema.table} (PostgreSQL, Debezium) or {@code database.table} (MySQL). */
    static List<String> capturedTables(ReadableConfig config) {
        List<String> tables = new ArrayList<>(PostgresCdcOptions.tables(config));
        tables.addAll(MySqlCdcOptions.tables(config));
        tables.addAll(DebeziumKafkaOptions.tables(config));
        return tables;
    }

    /** Names of every source the pipeline reads: Kafka topics, then Kinesis stream names. */
    static List<String> sourceNames(ReadableConfig config) {
        return new ArrayList<>(bronzeTables(config).keySet());
    }

    private static List<String> catalogProblems(ReadableConfig config) {
        try {
            CatalogFactory.catalogProperties(config);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
    }

    /** Specs of the tables the configured pipeline writes. */
    public static List<TableSpec> tables(ReadableConfig config) {
        List<TableSpec> tables = new ArrayList<>(bronzeTables(config).values());
        for (CdcCapture capture : captures(config)) {
            for (String table : capture.tables().keySet()) {
                tables.add(capture.changelogTable(table));
                tables.add(capture.silverTable(table));
            }
            tables.add(CdcJob.quarantineTable(capture));
        }
        for (SilverDataset dataset : SilverOptions.datasetsBySource(config).values()) {
            tables.add(dataset.silverTable());
            tables.add(dataset.quarantineTable());
        }
        java.util.Set<String> datasets = new java.util.HashSet<>();
        SilverOptions.datasetsBySource(config).values().forEach(d -> datasets.add(d.name()));
        tables.addAll(GoldJob.tables(config, datasets, captures(config)));
        return tables;
    }

    /** The bronze table of each source, by source name (topic or stream name). */
    public static Map<String, TableSpec> bronzeTables(ReadableConfig config) {
        Map<String, TableSpec> tables = new LinkedHashMap<>();
        topics(config).forEach(t -> tables.put(t, BronzeKafkaTable.spec(t)));
        for (String arn : kinesisStreams(config)) {
            // A malformed ARN is reported by KinesisBronzeOptions.problems; it has no table.
            if (KinesisBronzeOptions.isStreamArn(arn)) {
                String name = KinesisBronzeOptions.streamName(arn);
                tables.put(name, BronzeKinesisTable.spec(name));
            }
        }
        return tables;
    }

    /** Creates missing tables and evolves existing ones, before any job runs. */
    public static void provisionTables(ReadableConfig config) throws Exception {
        if (!PostgresCdcOptions.tables(config).isEmpty()) {
            PostgresPublications.ensure(config);
        }
        Catalog catalog = CatalogFactory.open(config);
        try {
            List<TableSpec> specs = tables(config);
            new TableProvisioner(catalog).ensureAll(specs);
            if (SinkOptions.writesToBranch(config)) {
                String branch = config.get(SinkOptions.BRANCH);
                for (TableSpec spec : specs) {
                    if (BackfillBranch.of(catalog.loadTable(spec.identifier()), branch).ensure()) {
                        LOG.info("Created branch {} of {} at the head of main", branch, spec.identifier());
                    }
                }
            }
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }

    /** Adds the configured pipeline to {@code env}, writing to the configured catalog. */
    public static void build(StreamExecutionEnvironment env, ReadableConfig config) {
        PipelineEnvironment.configure(env, config);
        IcebergTableSink iceberg = new IcebergTableSink(CatalogFactory.loader(config), config.get(PipelineOptions.NAME),
                config.get(SinkOptions.BRANCH), GoldOptions.replayHorizon(config));
        job(config, iceberg, iceberg).addTo(env);
    }

    /**
     * The configured job graph, writing append tables through {@code sink} and CDC current-state
     * tables through {@code currentState} (tests wrap the Iceberg sink).
     */
    public static IngestionJob job(ReadableConfig config, TableSink sink, CurrentStateSink currentState) {
        List<BronzeSource> sources = new ArrayList<>();
        topics(config).forEach(t -> sources.add(KafkaBronzeSources.bronzeSource(config, t)));
        kinesisStreams(config).forEach(arn -> sources.add(KinesisBronzeSources.bronzeSource(config, arn)));
        Map<String, SilverDataset> silver = SilverOptions.datasetsBySource(config);
        List<CdcCapture> captures = captures(config);
        LOG.info("Ingesting {} into bronze; silver datasets by source: {}; CDC of {}",
                sources.stream().map(BronzeSource::name).collect(Collectors.toList()), silver,
                captures.stream().map(c -> c.tables().keySet()).collect(Collectors.toList()));
        return new IngestionJob(sources, silver, SilverSettings.from(config), captures, sink, currentState).withGold(config);
    }

    /** Every configured CDC capture: PostgreSQL through Flink CDC, Debezium topics on Kafka. */
    public static List<CdcCapture> captures(ReadableConfig config) {
        List<CdcCapture> captures = new ArrayList<>();
        postgresCapture(config).ifPresent(captures::add);
        mySqlCapture(config).ifPresent(captures::add);
        DebeziumKafkaSources.capture(config).ifPresent(captures::add);
        return captures;
    }

    /** The MySQL capture, when tables are configured; columns and keys read from the database. */
    public static java.util.Optional<CdcCapture> mySqlCapture(ReadableConfig config) {
        if (MySqlCdcOptions.tables(config).isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new CdcCapture(
                "mysql_" + config.get(MySqlCdcOptions.DATABASE),
                MySqlCdcSources.sourceUid(config),
                MySqlCdcSources.forTables(config),
                MySqlTableSchemas.read(config),
                MySqlCdcOptions.silverPartitionColumns(config),
                config.get(MySqlCdcOptions.TABLE_PREFIX),
                new MySqlSchemaSource(config)));
    }

    /**
     * The PostgreSQL capture, when tables are configured. Reads the tables' columns and keys from
     * the database, so the silver tables follow the source's current columns.
     */
    public static java.util.Optional<CdcCapture> postgresCapture(ReadableConfig config) {
        if (PostgresCdcOptions.tables(config).isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new CdcCapture(
                "postgres_" + config.get(PostgresCdcOptions.DATABASE),
                PostgresCdcSources.sourceUid(config),
                PostgresCdcSources.forTables(config),
                PostgresTableSchemas.read(config),
                PostgresCdcOptions.silverPartitionColumns(config),
                config.get(PostgresCdcOptions.TABLE_PREFIX),
                new PostgresSchemaSource(config)));
    }

    static List<String> kinesisStreams(ReadableConfig config) {
        return KinesisBronzeOptions.streams(config);
    }

    static List<String> topics(ReadableConfig config) {
        return config.getOptional(KafkaBronzeOptions.TOPICS).orElse(List.of()).stream()
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .distinct()
                .collect(Collectors.toList());
    }
}
