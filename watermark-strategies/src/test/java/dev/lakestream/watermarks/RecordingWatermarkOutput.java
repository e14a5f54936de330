package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

import java.util.ArrayList;
import java.util.List;

/** Records what a generator tells its output, in order: {@code wm:<millis>}, {@code idle}, {@code active}. */
final class RecordingWatermarkOutput implements WatermarkOutput {

    private final List<String> calls = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
        calls.add("wm:" + watermark.getTimestamp());
    }

    @Override
    public void markIdle() {
        calls.add("idle");
    }

    @Override
    public void markActive() {
        calls.add("active");
    }

    /** The calls since the last drain. */
    List<String> drain() {
        List<String> drained = List.copyOf(calls);
        calls.clear();
        return drained;
    }
}
