package dev.lakestream.jobs.maintenance;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.maintenance.LakehouseMaintenance;
import dev.lakestream.catalog.maintenance.MaintenancePolicy;
import dev.lakestream.catalog.maintenance.MaintenanceReport;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.sink.CommitWatermarks;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maintains every table the configured ingestion pipeline writes, beside the running job: per
 * layer ({@link MaintenanceOptions}, {@code maintenance.<layer>.*}) compaction that leaves no
 * delete file in a compacted partition, snapshot expiry that keeps what a restore of the job needs,
 * and orphan-file removal that never touches files younger than the restore window nor the gold
 * tables' commit-watermark stamps ({@link LakehouseMaintenance} states each guarantee).
 *
 * <p>Run it on a schedule (e.g. hourly) with the ingestion job's configuration plus the maintenance
 * keys: {@code --config <file.properties>}, or the MSF runtime property groups. It is not a Flink
 * job: it commits through the Iceberg catalog like any other writer, and its commits never make the
 * streaming job fail (their conflicts are retried by Iceberg on either side). A table that fails is
 * reported at the end and retried by the next run; the others are maintained anyway.
 */
public final class MaintenanceApplication {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceApplication.class);

    private MaintenanceApplication() {}

    /** The ingestion job's options and the maintenance options. */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>(IngestionPipeline.options());
        all.addAll(MaintenanceOptions.all());
        return all;
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = IngestionPipeline.validate(load(args)).check(MaintenanceOptions::problems);
        LOG.info("Maintaining the tables of the pipeline with configuration:\n{}", config.describe());
        Map<String, MaintenanceReport> reports = run(config.configuration(), System.currentTimeMillis());
        LOG.info("Maintained {} tables", reports.size());
    }

    /**
     * Maintains each table of the pipeline that exists, with its layer's policy, as of {@code
     * nowMillis}; returns the reports by table. Throws after all tables if any failed.
     */
    public static Map<String, MaintenanceReport> run(ReadableConfig config, long nowMillis) throws Exception {
        Map<String, MaintenanceReport> reports = new LinkedHashMap<>();
        Map<String, Exception> failures = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        Catalog catalog = CatalogFactory.open(config);
        try {
            for (TableSpec spec : IngestionPipeline.tables(config)) {
                String name = spec.identifier().toString();
                if (!seen.add(name)) {
                    continue;
                }
                if (!catalog.tableExists(spec.identifier())) {
                    LOG.info("Table {} does not exist yet (the job creates it on start): nothing to maintain", name);
                    continue;
                }
                MaintenancePolicy policy = MaintenanceOptions.policy(config, spec.layer());
                try {
                    Table table = catalog.loadTable(spec.identifier());
                    // The stamps hold the watermark of commits in progress; their writer deletes them.
                    List<String> keep = List.of(CommitWatermarks.directory(table));
                    reports.put(name, LakehouseMaintenance.run(table, policy, nowMillis, keep));
                } catch (Exception e) {
                    LOG.warn("Maintenance of {} failed; the next run tries again", name, e);
                    failures.put(name, e);
                }
            }
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("Maintenance failed for " + failures.keySet()
                    + " (the other " + reports.size() + " tables were maintained)");
            failures.values().forEach(failed::addSuppressed);
            throw failed;
        }
        return reports;
    }

    /** Reads {@code --config <file>} when given, the MSF runtime properties otherwise. */
    static PipelineConfig load(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i])) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a file path");
                }
                return PipelineConfig.fromPropertiesFile(Path.of(args[i + 1]), options());
            }
            throw new IllegalArgumentException("Unknown argument '" + args[i] + "'. Usage: [--config <file.properties>]");
        }
        return PipelineConfig.fromRuntimeProperties(options());
    }
}
