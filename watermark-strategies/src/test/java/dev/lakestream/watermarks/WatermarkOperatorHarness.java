package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.operators.TimestampsAndWatermarksOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

/**
 * A strategy run by Flink's own {@link TimestampsAndWatermarksOperator} (what {@code
 * assignTimestampsAndWatermarks} runs) in an operator test harness: processing time, which drives
 * the periodic emissions and the input-activity clock, moves only when the test moves it. Events
 * are their own event time, in epoch milliseconds.
 */
final class WatermarkOperatorHarness {

    static final long AUTO_WATERMARK_INTERVAL_MS = 200;

    private final OneInputStreamOperatorTestHarness<Long, Long> harness;

    WatermarkOperatorHarness(WatermarkStrategy<Long> strategy, long startProcessingTime) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new TimestampsAndWatermarksOperator<>(strategy, true));
        harness.getExecutionConfig().setAutoWatermarkInterval(AUTO_WATERMARK_INTERVAL_MS);
        harness.setProcessingTime(startProcessingTime);
        harness.open();
    }

    long processingTime() {
        return harness.getProcessingTime();
    }

    /** Moves processing time; fires the one periodic emission that is due, if any. */
    void setProcessingTime(long time) throws Exception {
        harness.setProcessingTime(time);
    }

    void event(long eventTime) throws Exception {
        // The record's own timestamp is what the source would have given it; the strategies here
        // read the event instead.
        harness.processElement(eventTime, Long.MIN_VALUE);
    }

    /**
     * What the operator emitted since the last drain: {@code record:<value>@<timestamp>}, {@code
     * wm:<millis>}, {@code idle}, {@code active}.
     */
    List<String> drain() {
        List<String> drained = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof StreamRecord) {
                StreamRecord<?> record = (StreamRecord<?>) element;
                drained.add("record:" + record.getValue() + "@" + record.getTimestamp());
            } else if (element instanceof Watermark) {
                drained.add("wm:" + ((Watermark) element).getTimestamp());
            } else if (element instanceof WatermarkStatus) {
                drained.add(((WatermarkStatus) element).isIdle() ? "idle" : "active");
            } else {
                throw new AssertionError("unexpected operator output " + element);
            }
        }
        harness.getOutput().clear();
        return drained;
    }

    void close() throws Exception {
        harness.close();
    }
}
