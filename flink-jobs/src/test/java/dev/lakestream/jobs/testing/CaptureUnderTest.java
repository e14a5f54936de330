package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionJob;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.CdcJob;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.localrun.LocalServicesConfig;
import dev.lakestream.jobs.silver.SilverSettings;
import dev.lakestream.jobs.sink.IcebergTableSink;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One CDC capture built by the test (a capture the pipeline's configuration does not assemble
 * itself) run as the production {@link IngestionJob} runs it: its tables provisioned in the shared
 * local catalog first, the pipeline's environment settings (exactly-once checkpoints every second,
 * RocksDB), the Iceberg sink; submitted to the test's MiniCluster.
 */
public final class CaptureUnderTest {

    private final Configuration config;
    private final CdcCapture capture;

    public CaptureUnderTest(LocalServices services, CdcCapture capture) {
        Map<String, String> raw = LocalServicesConfig.pipelineProperties(services, List.of());
        raw.remove("kafka.topics");
        raw.put("pipeline.checkpoint-interval", "1 s");
        this.config = PipelineConfig.fromMap(raw, IngestionPipeline.options()).configuration();
        this.capture = capture;
    }

    /** The capture's tables: a changelog and a silver table per captured table, and its quarantine table. */
    public List<TableSpec> tables() {
        List<TableSpec> tables = new ArrayList<>();
        for (String table : capture.tables().keySet()) {
            tables.add(capture.changelogTable(table));
            tables.add(capture.silverTable(table));
        }
        tables.add(CdcJob.quarantineTable(capture));
        return tables;
    }

    /** Provisions the tables and submits the job with {@code parallelism}. */
    public JobClient start(int parallelism) throws Exception {
        Catalog catalog = CatalogFactory.open(config);
        try {
            new TableProvisioner(catalog).ensureAll(tables());
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        PipelineEnvironment.configure(env, config);
        new IngestionJob(List.of(), Map.of(), SilverSettings.defaults(), List.of(capture),
                new IcebergTableSink(CatalogFactory.loader(config), "capture-test")).addTo(env);
        return env.executeAsync("capture-test " + capture.name());
    }

    public Table table(TableSpec spec) {
        return CatalogFactory.open(config).loadTable(spec.identifier());
    }
}
