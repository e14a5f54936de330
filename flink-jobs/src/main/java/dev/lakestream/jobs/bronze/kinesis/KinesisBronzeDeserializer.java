package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.catalog.tables.BronzeKinesisTable;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kinesis.source.serialization.KinesisDeserializationSchema;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.time.Instant;

/**
 * Turns a Kinesis record into a bronze row without looking inside it: the data is copied as bytes,
 * so empty payloads and bytes that are not JSON land. It never throws on record content, which is
 * what makes "bronze drops nothing" hold. KPL-aggregated records are not split: the aggregate lands
 * as one row, byte for byte.
 *
 * <p>Metrics (on the source operator): {@code bronzeRecords}, {@code bronzeValueBytes}.
 */
public final class KinesisBronzeDeserializer implements KinesisDeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    /** The bronze table's row type; field positions follow {@link BronzeKinesisTable#schema()}. */
    public static final RowType ROW_TYPE = FlinkSchemaUtil.convert(BronzeKinesisTable.schema());

    static final int STREAM = 0;
    static final int SHARD_ID = 1;
    static final int SEQUENCE_NUMBER = 2;
    static final int APPROXIMATE_ARRIVAL_TS = 3;
    static final int PARTITION_KEY = 4;
    static final int RECORD_DATA = 5;
    static final int INGEST_TS = 6;
    private static final int ARITY = 7;

    private transient Counter records;
    private transient Counter valueBytes;
    // The source hands over the stream ARN with every record; one source reads one stream.
    private transient String lastArn;
    private transient StringData lastStreamName;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        records = context.getMetricGroup().counter("bronzeRecords");
        valueBytes = context.getMetricGroup().counter("bronzeValueBytes");
    }

    /** @param streamArn the source passes the stream's ARN here, not its name */
    @Override
    public void deserialize(Record record, String streamArn, String shardId, Collector<RowData> out) {
        if (!streamArn.equals(lastArn)) {
            lastStreamName = StringData.fromString(KinesisBronzeOptions.streamName(streamArn));
            lastArn = streamArn;
        }
        RowData row = toRow(record, lastStreamName, shardId, System.currentTimeMillis());
        out.collect(row);
        if (records != null) {
            records.inc();
            if (!row.isNullAt(RECORD_DATA)) {
                valueBytes.inc(row.getBinary(RECORD_DATA).length);
            }
        }
    }

    /** The bronze row for a record of {@code streamName} read at {@code ingestEpochMillis}. */
    static RowData toRow(Record record, StringData streamName, String shardId, long ingestEpochMillis) {
        GenericRowData row = new GenericRowData(ARITY);
        row.setField(STREAM, streamName);
        row.setField(SHARD_ID, StringData.fromString(shardId));
        row.setField(SEQUENCE_NUMBER, StringData.fromString(record.sequenceNumber()));
        Instant arrival = record.approximateArrivalTimestamp();
        row.setField(APPROXIMATE_ARRIVAL_TS, arrival == null ? null : TimestampData.fromInstant(arrival));
        row.setField(PARTITION_KEY, StringData.fromString(record.partitionKey()));
        SdkBytes data = record.data();
        // A copy: the SDK's buffer is not ours to keep once the next batch is fetched.
        row.setField(RECORD_DATA, data == null ? null : data.asByteArray());
        row.setField(INGEST_TS, TimestampData.fromEpochMillis(ingestEpochMillis));
        return row;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return InternalTypeInfo.of(ROW_TYPE);
    }
}
