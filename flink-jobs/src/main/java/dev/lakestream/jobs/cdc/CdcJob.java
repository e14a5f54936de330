package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.QuarantineTable;
import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.DebeziumEnvelopes;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A CDC source to bronze changelogs and silver current state. Envelopes are parsed once
 * ({@link ParseChanges}); each captured table's changes are appended to {@code bronze.cdc_<table>}
 * and applied, keyed by primary key, to {@code silver.<table>} ({@link ApplyChanges}). Envelopes
 * and rows that cannot be applied go to {@code bronze.<source>_quarantine}.
 *
 * <p>Operator uids: the source's ({@link CdcCapture#uid()}) holds the snapshot progress and the
 * log position; {@code cdc-apply-<capture>-<table>} holds each table's current state. Keep both
 * across deployments.
 */
public final class CdcJob {

    private CdcJob() {}

    /** Uid of the operator holding {@code table}'s current state in {@code capture}. */
    public static String applyUid(CdcCapture capture, String table) {
        return "cdc-apply-" + capture.name() + "-" + table;
    }

    /** Quarantine table of a CDC source, e.g. {@code bronze.cdc_postgres_shop_quarantine}. */
    public static TableSpec quarantineTable(CdcCapture capture) {
        return QuarantineTable.spec("cdc_" + capture.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"));
    }

    /** {@link #addTo(StreamExecutionEnvironment, CdcCapture, WatermarkStrategy, TableSink, CurrentStateSink)} without watermarks. */
    public static Map<String, DataStream<SilverChange>> addTo(StreamExecutionEnvironment env, CdcCapture capture, TableSink sink,
            CurrentStateSink currentState) {
        return addTo(env, capture, WatermarkStrategy.noWatermarks(), sink, currentState);
    }

    /**
     * @param watermarks generated per split for Debezium topics on Kafka, per reader for the Flink
     *     CDC sources (one log each); gold windows over the changes need them ({@code CdcWatermarks})
     * @return the row changes applied to each captured table's silver table, by table
     */
    public static Map<String, DataStream<SilverChange>> addTo(StreamExecutionEnvironment env, CdcCapture capture,
            WatermarkStrategy<String> watermarks, TableSink sink, CurrentStateSink currentState) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        capture.tables().forEach((table, schema) -> keys.put(table, schema.primaryKey()));
        DataStream<String> envelopes;
        if (capture.readsKafka()) {
            // Several topic partitions per reader, each in commit order: watermarks per split.
            envelopes = env.fromSource(capture.source(), watermarks, "CDC " + capture.name()).uid(capture.uid());
        } else {
            // Flink CDC reads one replication log through one stream split, so per reader is per log.
            // And after the snapshot the readers left without a split would hold the watermark back
            // for good: Flink 1.20's per-split watermark multiplexer of a reader with no split never
            // marks it idle. Generated right after the source, their quiet input goes idle instead.
            envelopes = env.fromSource(capture.source(), WatermarkStrategy.noWatermarks(), "CDC " + capture.name())
                    .uid(capture.uid())
                    .assignTimestampsAndWatermarks(watermarks)
                    .uid(capture.uid() + "-watermarks").name("Watermarks of " + capture.name());
        }
        SingleOutputStreamOperator<ChangeEvent> changes =
                envelopes.process(new ParseChanges(new DebeziumEnvelopes(keys), capture.name()))
                        .returns(ParseChanges.type())
                        .uid("cdc-parse-" + capture.name())
                        .name("Parse " + capture.name());
        DataStream<RowData> quarantine = changes.getSideOutput(ParseChanges.QUARANTINE);
        Map<String, DataStream<SilverChange>> applied = new LinkedHashMap<>();
        for (Map.Entry<String, CdcTableSchema> e : capture.tables().entrySet()) {
            String table = e.getKey();
            DataStream<ChangeEvent> ofTable = changes.filter(c -> c.table().equals(table))
                    .uid("cdc-filter-" + capture.name() + "-" + table).name("Changes of " + table);
            TableSpec changelog = capture.changelogTable(table);
            sink.write(changelog, ofTable.map(new ChangelogRows())
                    .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(changelog.schema())))
                    .uid("cdc-changelog-" + capture.name() + "-" + table).name("Changelog of " + table));
            TableSpec silver = capture.silverTable(table);
            SingleOutputStreamOperator<SilverChange> rows =
                    ofTable.keyBy(new KeyOf())
                            .process(new ApplyChanges(e.getValue(), capture.schemaSource(), capture.name()))
                            .returns(SilverChange.class)
                            .uid(applyUid(capture, table))
                            .name("Apply " + table);
            int parallelism = Math.max(1, env.getParallelism());
            currentState.write(silver, rows, new SilverRecords(e.getValue(), capture.schemaSource(),
                    capture.tablePrefix(), capture.partitionColumn(table), parallelism));
            quarantine = quarantine.union(rows.getSideOutput(ParseChanges.QUARANTINE));
            applied.put(table, rows);
        }
        sink.write(quarantineTable(capture), quarantine);
        return applied;
    }

    static final class KeyOf implements KeySelector<ChangeEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ChangeEvent change) {
            return change.keyJson();
        }
    }

    /** A change as a row of {@link CdcChangelogTable}. */
    static final class ChangelogRows implements MapFunction<ChangeEvent, RowData> {
        private static final long serialVersionUID = 1L;

        @Override
        public RowData map(ChangeEvent c) {
            return GenericRowData.of(
                    StringData.fromString(c.table()),
                    StringData.fromString(c.op().code()),
                    StringData.fromString(c.keyJson()),
                    c.beforeJson() == null ? null : StringData.fromString(c.beforeJson()),
                    c.afterJson() == null ? null : StringData.fromString(c.afterJson()),
                    StringData.fromString(c.position().sortable()),
                    c.sourceTsMillis() > 0 ? TimestampData.fromEpochMillis(c.sourceTsMillis()) : null,
                    c.snapshot(),
                    c.envelope() == null ? null : StringData.fromString(c.envelope()),
                    TimestampData.fromEpochMillis(System.currentTimeMillis()));
        }
    }
}
