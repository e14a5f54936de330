package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by group and window: once a window's final row has passed, a provisional row of the same
 * window (which a fast replay can deliver after it) is dropped, so a final row is never
 * overwritten. State per window lives as long as provisional rows can still come.
 */
final class KeepFinal extends KeyedProcessFunction<String, RowData, RowData> {

    private static final long serialVersionUID = 1L;

    private final int isFinalField;
    private final Duration retention;
    private transient ValueState<Boolean> finalSeen;

    KeepFinal(int isFinalField, Duration retention) {
        this.isFinalField = isFinalField;
        this.retention = retention;
    }

    @Override
    public void open(Configuration parameters) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("final-seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention).cleanupInRocksdbCompactFilter(1000).build());
        finalSeen = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
        boolean isFinal = row.getBoolean(isFinalField);
        if (isFinal) {
            finalSeen.update(true);
            out.collect(row);
        } else if (finalSeen.value() == null) {
            out.collect(row);
        }
    }
}
