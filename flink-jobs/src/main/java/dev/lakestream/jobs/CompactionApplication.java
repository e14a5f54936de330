package dev.lakestream.jobs;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.maintenance.DeleteFileCompaction;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the tables that receive equality deletes (the silver current-state tables of the
 * configured CDC captures, and the upserted gold window tables) without delete files
 * ({@link DeleteFileCompaction}), so that Redshift, which may not apply equality deletes, reads
 * them correctly. Same arguments and configuration as {@link IngestionApplication}; run it on a
 * schedule beside the streaming job (it is safe to run while the job commits).
 */
public final class CompactionApplication {

    private static final Logger LOG = LoggerFactory.getLogger(CompactionApplication.class);

    private CompactionApplication() {}

    /** The tables that receive equality deletes: CDC current state, and gold windows (upserted). */
    public static java.util.List<TableIdentifier> tablesToCompact(org.apache.flink.configuration.ReadableConfig config) {
        java.util.List<TableIdentifier> tables = new java.util.ArrayList<>();
        for (CdcCapture capture : IngestionPipeline.captures(config)) {
            capture.tables().keySet().forEach(source -> tables.add(capture.silverTable(source).identifier()));
        }
        IngestionPipeline.tables(config).stream()
                .filter(spec -> "true".equals(spec.properties().get(TableProperties.UPSERT_ENABLED)))
                .forEach(spec -> tables.add(spec.identifier()));
        return tables;
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = IngestionPipeline.validate(IngestionApplication.load(args));
        java.util.List<TableIdentifier> tables = tablesToCompact(config.configuration());
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("No CDC capture and no gold table configured: there are no tables"
                    + " with equality deletes to compact");
        }
        Catalog catalog = CatalogFactory.open(config.configuration());
        try {
            for (TableIdentifier identifier : tables) {
                Table table = catalog.loadTable(identifier);
                long t0 = System.nanoTime();
                DeleteFileCompaction.Result result = DeleteFileCompaction.run(table);
                LOG.info("Compacted {} in {} ms: {}", table.name(), (System.nanoTime() - t0) / 1_000_000, result);
            }
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }
}
