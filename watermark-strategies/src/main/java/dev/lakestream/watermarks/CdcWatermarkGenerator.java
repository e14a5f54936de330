package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

import java.time.Duration;

/**
 * The generator behind {@link CdcWatermarks}: commit-time watermarks that follow the wall clock
 * while a caught-up table is quiet. The rule and why it is safe enough are on {@link
 * CdcWatermarks}; this class is its exact implementation.
 */
public final class CdcWatermarkGenerator<T> implements WatermarkGenerator<T> {

    private final long heartbeatNanos;
    private final long maxLagMillis;
    private final RelativeClock activityClock;
    private final WallClock wallClock;

    /** Newest commit time seen; {@code Long.MIN_VALUE} before the first event. */
    private long maxCommitTime = Long.MIN_VALUE;
    /** Whether the last event arrived at most max-lag after its commit. */
    private boolean caughtUp;
    /** Activity-clock time of the last event, or of creation before the first one. */
    private long lastEventNanos;
    private long emitted = Long.MIN_VALUE;
    private boolean idle;

    CdcWatermarkGenerator(Duration heartbeatInterval, Duration maxLag, RelativeClock activityClock, WallClock wallClock) {
        this.heartbeatNanos = heartbeatInterval.toNanos();
        this.maxLagMillis = maxLag.toMillis();
        this.activityClock = activityClock;
        this.wallClock = wallClock;
        this.lastEventNanos = activityClock.relativeTimeNanos();
    }

    @Override
    public void onEvent(T event, long commitTime, WatermarkOutput output) {
        maxCommitTime = Math.max(maxCommitTime, commitTime);
        // Written as a comparison rather than now - commitTime: a record without a commit time
        // (Long.MIN_VALUE) would overflow the subtraction and look caught up.
        caughtUp = commitTime >= wallClock.currentTimeMillis() - maxLagMillis;
        lastEventNanos = activityClock.relativeTimeNanos();
        if (idle) {
            // Explicitly: after assignTimestampsAndWatermarks a watermark that does not advance
            // would not reactivate the output, and this event may well be older than the watermark.
            idle = false;
            output.markActive();
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long candidate = maxCommitTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxCommitTime - 1;
        if (activityClock.relativeTimeNanos() - lastEventNanos >= heartbeatNanos) {
            if (!caughtUp) {
                if (!idle) {
                    idle = true;
                    output.markIdle();
                }
                return;
            }
            candidate = Math.max(candidate, wallClock.currentTimeMillis() - maxLagMillis - 1);
        }
        if (candidate > emitted) {
            emitted = candidate;
            output.emitWatermark(new Watermark(candidate));
        }
    }
}
