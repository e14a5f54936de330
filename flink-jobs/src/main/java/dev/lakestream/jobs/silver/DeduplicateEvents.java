package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.stream.Stream;

/**
 * Keeps the first silver row of each business key (event id) and drops later copies: client
 * retries and at-least-once producers never double count. Keyed by event id.
 *
 * <p>The state is one {@code long} per key (when the key was first seen, epoch millis), kept for
 * {@code silver.dedup-ttl} of processing time after it was written, then removed by RocksDB
 * compaction. It is part of every checkpoint and savepoint, so a copy arriving after a restart
 * is still dropped; a copy arriving after the TTL is kept.
 *
 * <p>Nearly every id is new, and a RocksDB lookup of an id it does not hold was the largest single
 * cost of the full pipeline. A {@link SeenIdsFilter} on the heap answers "certainly new" for most of
 * them ({@code silver.dedup-filter.ids-per-generation}); only a "maybe" is looked up. The filter is
 * not checkpointed: {@link Operator} rebuilds it from the ids the restored state holds, so it always
 * covers the state, whatever the parallelism.
 *
 * <p>Metrics: {@code silverRecordsOut}, {@code silverDuplicatesDropped}, {@code
 * silverDedupLookupsSkipped} (ids the filter knew to be new).
 */
public final class DeduplicateEvents extends KeyedProcessFunction<String, RowData, RowData> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeduplicateEvents.class);

    /** State name; with the operator uid it addresses the state in savepoints, so it never changes. */
    static final String STATE_NAME = "first-seen-millis";

    public static final String METRIC_OUT = "silverRecordsOut";
    public static final String METRIC_DUPLICATES = "silverDuplicatesDropped";
    public static final String METRIC_LOOKUPS_SKIPPED = "silverDedupLookupsSkipped";

    private final Duration ttl;
    /** 0: no filter, every id is looked up. */
    private final int filterIdsPerGeneration;

    private transient ValueState<Long> firstSeen;
    private transient Counter out;
    private transient Counter duplicates;
    private transient Counter lookupsSkipped;
    private transient SeenIdsFilter filter;

    public DeduplicateEvents(Duration ttl, int filterIdsPerGeneration) {
        if (filterIdsPerGeneration < 0) {
            throw new IllegalArgumentException("filter ids per generation must be >= 0, got " + filterIdsPerGeneration);
        }
        this.ttl = ttl;
        this.filterIdsPerGeneration = filterIdsPerGeneration;
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
        lookupsSkipped = getRuntimeContext().getMetricGroup().counter(METRIC_LOOKUPS_SKIPPED);
    }

    /** Ids the filter answered as new, with no state lookup. */
    long lookupsSkipped() {
        return lookupsSkipped.getCount();
    }

    /** Builds the filter from the ids the state holds now (none on a fresh start). */
    void seedFilter(Stream<String> storedIds, long nowMillis) {
        if (filterIdsPerGeneration == 0) {
            return;
        }
        SeenIdsFilter seeded = new SeenIdsFilter(filterIdsPerGeneration, ttl, Long.MIN_VALUE);
        long[] count = {0};
        storedIds.forEach(id -> {
            seeded.add(id, nowMillis);
            count[0]++;
        });
        filter = seeded;
        if (count[0] > 0) {
            LOG.info("Event id filter built from the {} ids the restored state holds", count[0]);
        }
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> collector) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (filter != null && !filter.mightContain(ctx.getCurrentKey(), now)) {
            lookupsSkipped.inc();
        } else if (firstSeen.value() != null) {
            duplicates.inc();
            return;
        }
        firstSeen.update(now);
        if (filter != null && filter.add(ctx.getCurrentKey(), now)) {
            LOG.warn("More than {} x {} new event ids within {} ({}): the id filter stops answering until {} and every"
                            + " id is looked up in state until then; raise {} to keep it",
                    SeenIdsFilter.MAX_GENERATIONS, filterIdsPerGeneration, SilverOptions.DEDUP_TTL.key(), ttl,
                    java.time.Instant.ofEpochMilli(filter.trustedFromMillis()), SilverOptions.DEDUP_FILTER_IDS.key());
        }
        out.inc();
        collector.collect(row);
    }

    /**
     * Runs {@link DeduplicateEvents} and, once its state is open, hands it the ids that state holds for
     * the filter. The key iteration reads every id of this subtask's key groups once per start.
     */
    public static final class Operator extends KeyedProcessOperator<String, RowData, RowData> {

        private static final long serialVersionUID = 1L;

        public Operator(DeduplicateEvents function) {
            super(function);
        }

        @Override
        public void open() throws Exception {
            super.open();
            KeyedStateBackend<String> state = getKeyedStateBackend();
            try (Stream<String> ids = state.getKeys(STATE_NAME, VoidNamespace.INSTANCE)) {
                ((DeduplicateEvents) userFunction).seedFilter(ids, getProcessingTimeService().getCurrentProcessingTime());
            }
        }
    }
}
