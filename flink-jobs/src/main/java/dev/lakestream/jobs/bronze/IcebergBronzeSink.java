package dev.lakestream.jobs.bronze;

import dev.lakestream.catalog.tables.BronzeKafkaTable;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;

/**
 * Appends bronze rows to {@code bronze.kafka_<topic>} through Iceberg's Flink sink.
 *
 * <p>Exactly-once: data files are written between checkpoints and committed as one Iceberg
 * snapshot after the checkpoint completes. The committer records the Flink job id, its operator id
 * and the checkpoint id in the snapshot summary and, on restore, commits a checkpoint's files only
 * if no snapshot holds that checkpoint yet; the Kafka offsets restored with it are the ones the
 * snapshot covers. This holds as long as the committer's uid stays the same: changing
 * {@link #uidPrefix(String)} on an existing job makes the restore lose the pending commit.
 *
 * <p>The table must exist (the catalog module provisions it); the sink never creates tables.
 */
public final class IcebergBronzeSink implements BronzeSink {

    /** Snapshot summary key naming the job that wrote a snapshot. */
    public static final String SNAPSHOT_JOB_PROPERTY = "lakestream.job";

    private final CatalogLoader catalogLoader;
    private final String jobName;

    public IcebergBronzeSink(CatalogLoader catalogLoader, String jobName) {
        this.catalogLoader = catalogLoader;
        this.jobName = jobName;
    }

    /** Stable uid prefix of the writer and committer operators of a topic's bronze sink. */
    public static String uidPrefix(String topic) {
        return "bronze-iceberg-" + BronzeKafkaTable.tableName(topic);
    }

    @Override
    public DataStreamSink<?> write(String topic, DataStream<RowData> rows) {
        TableIdentifier table = BronzeKafkaTable.spec(topic).identifier();
        return FlinkSink.forRowData(rows)
                .tableLoader(TableLoader.fromCatalog(catalogLoader, table))
                .uidPrefix(uidPrefix(topic))
                // Bronze is append-only and partitioned by ingest day: no shuffle before the writers.
                .distributionMode(DistributionMode.NONE)
                .setSnapshotProperty(SNAPSHOT_JOB_PROPERTY, jobName)
                .append()
                .name("Iceberg " + table);
    }
}
