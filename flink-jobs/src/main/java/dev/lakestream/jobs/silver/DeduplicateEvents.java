package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keeps the first silver row of each business key (event id) and drops later copies: client
 * retries and at-least-once producers never double count. Keyed by event id.
 *
 * <p>The state is one {@code long} per key (when the key was first seen, epoch millis), kept for
 * {@code silver.dedup-ttl} of processing time after it was written, then removed by RocksDB
 * compaction. It is part of every checkpoint and savepoint, so a copy arriving after a restart
 * is still dropped; a copy arriving after the TTL is kept.
 *
 * <p>Metrics: {@code silverRecordsOut}, {@code silverDuplicatesDropped}.
 */
public final class DeduplicateEvents extends KeyedProcessFunction<String, RowData, RowData> {

    private static final long serialVersionUID = 1L;

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "first-seen-millis";

    public static final String METRIC_OUT = "silverRecordsOut";
    public static final String METRIC_DUPLICATES = "silverDuplicatesDropped";

    private final Duration ttl;

    private transient ValueState<Long> firstSeen;
    private transient Counter out;
    private transient Counter duplicates;

    public DeduplicateEvents(Duration ttl) {
        this.ttl = ttl;
    }

    static ValueStateDescriptor<Long> stateDescriptor(Duration ttl) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>(STATE_NAME, Types.LONG);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void open(Configuration parameters) {
        firstSeen = getRuntimeContext().getState(stateDescriptor(ttl));
        out = getRuntimeContext().getMetricGroup().counter(METRIC_OUT);
        duplicates = getRuntimeContext().getMetricGroup().counter(METRIC_DUPLICATES);
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> collector) throws Exception {
        if (firstSeen.value() != null) {
            duplicates.inc();
            return;
        }
        firstSeen.update(ctx.timerService().currentProcessingTime());
        out.inc();
        collector.collect(row);
    }
}
