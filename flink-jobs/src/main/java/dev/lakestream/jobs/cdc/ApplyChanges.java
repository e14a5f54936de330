package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.ChangeOp;
import dev.lakestream.jobs.silver.QuarantineRows;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;

/**
 * Applies one table's changes to its current state, keyed by primary key, and emits the row
 * changes silver must make ({@link SilverChange}s, typed later by {@link SilverRecords}): {@code +I} for a new key, {@code -U}/{@code +U} for an update, {@code
 * -D} for a delete. The state holds, per key, the position of the last applied change and the row
 * as it is now (its Debezium JSON image, so a later column addition does not break the state).
 *
 * <p>Why the row is kept: a delete that carries only the key, and an update that moves a row to
 * another partition, both need the old row; the retraction is written in the partition the old
 * row is in. The version guard: a change at or before the key's last applied position (a replay,
 * or an out-of-order copy) is dropped, never applied over newer state.
 *
 * <p>A row image with a column the job has not seen makes the table's columns grow (read again
 * from the source, see {@link TableColumns}). A row image that does not fit the table (an
 * incompatible source type change) goes to quarantine with the column and the reason and is not
 * applied. Metrics: {@code cdcChangesApplied},
 * {@code cdcStaleChangesDropped}, {@code cdcChangesQuarantined}.
 */
public final class ApplyChanges extends KeyedProcessFunction<String, ChangeEvent, SilverChange> {

    private static final long serialVersionUID = 1L;

    static final String POSITION_STATE = "last-position";
    static final String ROW_STATE = "current-row-json";

    private final TableColumns columns;
    private final String sourceName;

    private transient ValueState<String> position;
    private transient ValueState<String> current;
    private transient Counter applied;
    private transient Counter stale;
    private transient Counter quarantined;

    public ApplyChanges(CdcTableSchema schema, SchemaSource schemaSource, String sourceName) {
        this.columns = new TableColumns(schema, schemaSource);
        this.sourceName = sourceName;
    }

    @Override
    public void open(Configuration parameters) {
        position = getRuntimeContext().getState(new ValueStateDescriptor<>(POSITION_STATE, Types.STRING));
        current = getRuntimeContext().getState(new ValueStateDescriptor<>(ROW_STATE, Types.STRING));
        applied = getRuntimeContext().getMetricGroup().counter("cdcChangesApplied");
        stale = getRuntimeContext().getMetricGroup().counter("cdcStaleChangesDropped");
        quarantined = getRuntimeContext().getMetricGroup().counter("cdcChangesQuarantined");
    }

    @Override
    public void processElement(ChangeEvent change, Context ctx, Collector<SilverChange> out) throws Exception {
        String at = change.position().sortable();
        String last = position.value();
        if (last != null && at.compareTo(last) <= 0) {
            stale.inc();
            return;
        }
        String previousJson = current.value();
        long sourceTs = change.sourceTsMillis();
        if (change.op() == ChangeOp.DELETE) {
            if (previousJson != null) {
                out.collect(new SilverChange(RowKind.DELETE, previousJson, "d", last, sourceTs));
            }
            current.clear();
        } else {
            try {
                JsonNode image = ChangeRowConverter.parse(change.afterJson());
                columns.accommodate(image);
                // Converted here only to decide: a row that does not fit its columns is quarantined, not applied.
                columns.converter().toRow(image, change.op().code(), at, TimestampData.fromEpochMillis(sourceTs));
            } catch (ChangeRowConverter.ConversionException e) {
                quarantined.inc();
                long now = System.currentTimeMillis();
                ctx.output(ParseChanges.QUARANTINE, QuarantineRows.of(sourceName, change.table(), at,
                        change.envelope() == null ? null : change.envelope().getBytes(StandardCharsets.UTF_8),
                        "WRONG_TYPE", e.column(), e.getMessage(), change.keyJson(), now, now));
                return;
            }
            if (previousJson != null) {
                out.collect(new SilverChange(RowKind.UPDATE_BEFORE, previousJson, "u", last, sourceTs));
                out.collect(new SilverChange(RowKind.UPDATE_AFTER, change.afterJson(), change.op().code(), at, sourceTs));
            } else {
                out.collect(new SilverChange(RowKind.INSERT, change.afterJson(), change.op().code(), at, sourceTs));
            }
            current.update(change.afterJson());
        }
        position.update(at);
        applied.inc();
    }
}
