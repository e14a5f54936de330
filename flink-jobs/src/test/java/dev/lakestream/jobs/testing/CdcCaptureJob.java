package dev.lakestream.jobs.testing;

import dev.lakestream.localservices.LocalServices;

import dev.lakestream.jobs.localrun.LocalServicesConfig;

import dev.lakestream.jobs.config.PipelineConfig;

import dev.lakestream.jobs.IngestionPipeline;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionJob;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.CdcJob;
import dev.lakestream.jobs.silver.SilverSettings;
import dev.lakestream.jobs.sink.IcebergTableSink;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A job of CDC captures the test builds itself (no bronze sources), assembled as production
 * assembles the pipeline: tables provisioned first, the environment configured by {@link
 * PipelineEnvironment}, the graph built by {@link IngestionJob} writing through the Iceberg sink.
 * Submitted to the test's MiniCluster. Closing it closes its catalog.
 */
public final class CdcCaptureJob implements AutoCloseable {

    private final ReadableConfig config;
    private final List<CdcCapture> captures;
    private final Catalog catalog;

    /** @param config pipeline keys: the catalog and {@code pipeline.*} (checkpoint interval) */
    /** A job of {@code captures} writing to the local services' catalog, checkpointing every second. */
    public static CdcCaptureJob forLocalServices(LocalServices services, List<CdcCapture> captures) {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, List.of());
        raw.remove("kafka.topics");
        raw.put("pipeline.checkpoint-interval", "1 s");
        return new CdcCaptureJob(PipelineConfig.fromMap(raw, IngestionPipeline.options()).configuration(), captures);
    }

    public CdcCaptureJob(ReadableConfig config, List<CdcCapture> captures) {
        this.config = config;
        this.captures = List.copyOf(captures);
        this.catalog = CatalogFactory.open(config);
    }

    /** Every table the captures write: per captured table its changelog and silver table, per capture its quarantine. */
    public List<TableSpec> tables() {
        List<TableSpec> tables = new ArrayList<>();
        for (CdcCapture capture : captures) {
            for (String table : capture.tables().keySet()) {
                tables.add(capture.changelogTable(table));
                tables.add(capture.silverTable(table));
            }
            tables.add(CdcJob.quarantineTable(capture));
        }
        return tables;
    }

    /** Provisions the tables and submits the job with {@code parallelism}. */
    public JobClient start(int parallelism, String jobName) throws Exception {
        new TableProvisioner(catalog).ensureAll(tables());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        IcebergTableSink iceberg = new IcebergTableSink(CatalogFactory.loader(config), jobName);
        new IngestionJob(List.of(), Map.of(), SilverSettings.defaults(), captures, iceberg, iceberg).addTo(env);
        return env.executeAsync(jobName);
    }

    public Table table(TableSpec spec) {
        Table table = catalog.loadTable(spec.identifier());
        table.refresh();
        return table;
    }

    @Override
    public void close() throws IOException {
        if (catalog instanceof Closeable) {
            ((Closeable) catalog).close();
        }
    }
}
