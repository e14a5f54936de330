package dev.lakestream.jobs.bronze.kafka;

import dev.lakestream.catalog.tables.BronzeKafkaTable;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a Kafka record into a bronze row without looking inside it: key and value are copied as
 * bytes, so null values, empty values and bytes that are not JSON all land. It never throws on
 * record content, which is what makes "bronze drops nothing" hold.
 *
 * <p>Metrics (on the source operator): {@code bronzeRecords}, {@code bronzeNullValues},
 * {@code bronzeValueBytes}.
 */
public final class KafkaBronzeDeserializer implements KafkaRecordDeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    /** The bronze table's row type; field positions follow {@link BronzeKafkaTable#schema()}. */
    public static final RowType ROW_TYPE = FlinkSchemaUtil.convert(BronzeKafkaTable.schema());

    static final int TOPIC = 0;
    static final int PARTITION = 1;
    static final int OFFSET = 2;
    static final int KAFKA_TS = 3;
    static final int KAFKA_TS_TYPE = 4;
    static final int RECORD_KEY = 5;
    static final int RECORD_VALUE = 6;
    static final int HEADERS = 7;
    static final int INGEST_TS = 8;
    private static final int ARITY = 9;

    private static final ArrayData NO_HEADERS = new GenericArrayData(new Object[0]);

    private transient Counter records;
    private transient Counter nullValues;
    private transient Counter valueBytes;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        records = context.getMetricGroup().counter("bronzeRecords");
        nullValues = context.getMetricGroup().counter("bronzeNullValues");
        valueBytes = context.getMetricGroup().counter("bronzeValueBytes");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RowData> out) {
        out.collect(toRow(record, System.currentTimeMillis()));
        if (records != null) {
            records.inc();
            if (record.value() == null) {
                nullValues.inc();
            } else {
                valueBytes.inc(record.value().length);
            }
        }
    }

    /** The bronze row for a record read at {@code ingestEpochMillis}. */
    static RowData toRow(ConsumerRecord<byte[], byte[]> record, long ingestEpochMillis) {
        GenericRowData row = new GenericRowData(ARITY);
        row.setField(TOPIC, StringData.fromString(record.topic()));
        row.setField(PARTITION, record.partition());
        row.setField(OFFSET, record.offset());
        row.setField(KAFKA_TS, record.timestamp() >= 0 ? TimestampData.fromEpochMillis(record.timestamp()) : null);
        row.setField(KAFKA_TS_TYPE, StringData.fromString(record.timestampType().name));
        row.setField(RECORD_KEY, record.key());
        row.setField(RECORD_VALUE, record.value());
        row.setField(HEADERS, headers(record.headers()));
        row.setField(INGEST_TS, TimestampData.fromEpochMillis(ingestEpochMillis));
        return row;
    }

    private static ArrayData headers(Headers headers) {
        Header[] array = headers.toArray();
        if (array.length == 0) {
            return NO_HEADERS;
        }
        List<RowData> rows = new ArrayList<>(array.length);
        for (Header h : array) {
            rows.add(GenericRowData.of(StringData.fromString(h.key()), h.value()));
        }
        return new GenericArrayData(rows.toArray());
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return InternalTypeInfo.of(ROW_TYPE);
    }
}
