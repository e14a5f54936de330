package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.jobs.cdc.SilverRecords;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;

/**
 * Where the row changes of a CDC current-state table go. Production writes them through Iceberg's
 * dynamic sink ({@link IcebergTableSink}), which adds columns the source added while the job runs;
 * tests wrap it to put a failing operator in front of one table.
 */
@FunctionalInterface
public interface CurrentStateSink {

    /** Adds the sink of {@code table} for {@code changes}, typed by {@code records}, to the job graph. */
    DataStreamSink<?> write(TableSpec table, DataStream<SilverChange> changes, SilverRecords records);
}
