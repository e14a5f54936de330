package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;

/**
 * Where the rows of one declared table go. Production appends to Iceberg ({@link
 * IcebergTableSink}); tests wrap it to put a failing operator in front of one table.
 */
@FunctionalInterface
public interface TableSink {

    /** Adds the sink of {@code table} for {@code rows} (laid out as the table's schema) to the job graph. */
    DataStreamSink<?> write(TableSpec table, DataStream<RowData> rows);
}
