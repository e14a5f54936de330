package dev.lakestream.jobs;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.maintenance.DeleteFileCompaction;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the silver current-state tables of the configured CDC captures without delete files
 * ({@link DeleteFileCompaction}), so that Redshift, which may not apply equality deletes, reads
 * them correctly. Same arguments and configuration as {@link IngestionApplication}; run it on a
 * schedule beside the streaming job (it is safe to run while the job commits).
 */
public final class CompactionApplication {

    private static final Logger LOG = LoggerFactory.getLogger(CompactionApplication.class);

    private CompactionApplication() {}

    public static void main(String[] args) throws Exception {
        PipelineConfig config = IngestionPipeline.validate(IngestionApplication.load(args));
        java.util.List<CdcCapture> captures = IngestionPipeline.captures(config.configuration());
        if (captures.isEmpty()) {
            throw new IllegalArgumentException("No CDC capture configured (cdc.postgres.tables or cdc.kafka.topics):"
                    + " there are no current-state tables to compact");
        }
        Catalog catalog = CatalogFactory.open(config.configuration());
        try {
            for (CdcCapture capture : captures) {
                for (String source : capture.tables().keySet()) {
                    Table table = catalog.loadTable(capture.silverTable(source).identifier());
                    long t0 = System.nanoTime();
                    DeleteFileCompaction.Result result = DeleteFileCompaction.run(table);
                    LOG.info("Compacted {} in {} ms: {}", table.name(), (System.nanoTime() - t0) / 1_000_000, result);
                }
            }
        } finally {
            if (catalog instanceof AutoCloseable) {
                ((AutoCloseable) catalog).close();
            }
        }
    }
}
