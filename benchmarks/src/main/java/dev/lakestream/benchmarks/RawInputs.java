package dev.lakestream.benchmarks;

import dev.lakestream.jobs.gold.features.FeatureInput;
import dev.lakestream.jobs.gold.features.FeatureSet;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * The baselines: the naive design that keeps every raw input of the longest window per key and
 * would compute the windows from them when asked. Only its state is measured, so it emits
 * nothing; it drops an input when its bucket leaves the longest window, at an event-time timer
 * (one per key and bucket), as {@link dev.lakestream.jobs.gold.features.RollingFeatures} does.
 */
final class RawInputs {

    private RawInputs() {}

    /** The start of {@code in}'s bucket, as RollingFeatures computes it. */
    private static long bucketOf(FeatureInput in, long bucket) {
        return Math.floorDiv(Math.min(in.bucketTsMillis, in.eventTsMillis), bucket) * bucket;
    }

    /** Each input as it arrives: the {@link FeatureInput} POJO (ids and source positions included) in a ListState. */
    static final class Pojos extends KeyedProcessFunction<String, FeatureInput, RowData> {
        private static final long serialVersionUID = 1L;
        private final long bucket;
        private final long longest;
        private transient ListState<FeatureInput> inputs;

        Pojos(FeatureSet<?> set) {
            long[] windows = set.windowMillis();
            this.bucket = set.bucketMillis();
            this.longest = windows[windows.length - 1];
        }

        @Override
        public void open(Configuration parameters) {
            inputs = getRuntimeContext().getListState(new ListStateDescriptor<>("raw-inputs", FeatureInput.class));
        }

        @Override
        public void processElement(FeatureInput in, Context ctx, Collector<RowData> out) throws Exception {
            inputs.add(in);
            ctx.timerService().registerEventTimeTimer(bucketOf(in, bucket) + longest);
        }

        @Override
        public void onTimer(long time, OnTimerContext ctx, Collector<RowData> out) throws Exception {
            List<FeatureInput> kept = new ArrayList<>();
            for (FeatureInput in : inputs.get()) {
                if (bucketOf(in, bucket) + longest > time) {
                    kept.add(in);
                }
            }
            inputs.update(kept);
        }
    }

    /**
     * The same with only what the windows need, packed: event time, bucket time, then the deltas,
     * one {@code long[]} per input. The smallest raw-input design, to compare bucketing against.
     */
    static final class Packed extends KeyedProcessFunction<String, FeatureInput, RowData> {
        private static final long serialVersionUID = 1L;
        private final long bucket;
        private final long longest;
        private transient ListState<long[]> inputs;

        Packed(FeatureSet<?> set) {
            long[] windows = set.windowMillis();
            this.bucket = set.bucketMillis();
            this.longest = windows[windows.length - 1];
        }

        @Override
        public void open(Configuration parameters) {
            inputs = getRuntimeContext().getListState(
                    new ListStateDescriptor<>("raw-inputs-packed", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(FeatureInput in, Context ctx, Collector<RowData> out) throws Exception {
            long[] packed = new long[2 + in.deltas.length];
            packed[0] = in.eventTsMillis;
            packed[1] = in.bucketTsMillis;
            System.arraycopy(in.deltas, 0, packed, 2, in.deltas.length);
            inputs.add(packed);
            ctx.timerService().registerEventTimeTimer(bucketOf(in, bucket) + longest);
        }

        @Override
        public void onTimer(long time, OnTimerContext ctx, Collector<RowData> out) throws Exception {
            List<long[]> kept = new ArrayList<>();
            for (long[] in : inputs.get()) {
                if (Math.floorDiv(Math.min(in[0], in[1]), bucket) * bucket + longest > time) {
                    kept.add(in);
                }
            }
            inputs.update(kept);
        }
    }
}
