package dev.lakestream.jobs.bronze;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;

/** Where a topic's bronze rows go. Production writes Iceberg; tests may wrap it to inject failures. */
@FunctionalInterface
public interface BronzeSink {

    /** Adds the sink for one topic's bronze rows to the job graph. */
    DataStreamSink<?> write(String topic, DataStream<RowData> rows);
}
