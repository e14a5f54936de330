package dev.lakestream.jobs.gold;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;

/**
 * Forwards records and holds the watermark back by the allowed lateness: the final firings of gold
 * windows run on it, so they count every event that arrives within the allowed lateness. The
 * watermark itself still comes from the sources, per partition or shard.
 */
public final class HoldBackWatermark<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    private final long lateness;

    public HoldBackWatermark(Duration lateness) {
        this.lateness = lateness.toMillis();
        // An AbstractStreamOperator starts a chain of its own by default: every record would be serialized
        // and handed to another thread only to pass through unchanged.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    /** {@code stream} with its watermark held back by {@code lateness}; records pass unchanged. */
    public static <T> SingleOutputStreamOperator<T> on(DataStream<T> stream, Duration lateness, String uid) {
        return stream.transform("Hold back watermark", stream.getType(), new HoldBackWatermark<T>(lateness)).uid(uid);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(new Watermark(heldBack(mark.getTimestamp(), lateness)));
    }

    /** {@code watermark} held back by {@code latenessMillis}: the end of input stays the end, no watermark wraps around. */
    static long heldBack(long watermark, long latenessMillis) {
        if (watermark == Long.MAX_VALUE) {
            return watermark;
        }
        return watermark < Long.MIN_VALUE + latenessMillis ? Long.MIN_VALUE : watermark - latenessMillis;
    }
}
