package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CdcWatermarks}' generator driven directly. Heartbeat interval 30 s, max lag 10 s; events
 * are their own commit time. The wall clock and the input-activity clock are separate, as in
 * Flink, and move together unless a test says otherwise.
 */
class CdcWatermarksTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(30);
    private static final Duration MAX_LAG = Duration.ofSeconds(10);
    private static final long T0 = 1_700_000_000_000L;

    private final ManualClock wallClock = new ManualClock(T0 * 1_000_000);
    private final ManualClock activityClock = new ManualClock(T0 * 1_000_000);
    private final ManualContext context = new ManualContext(activityClock);
    private final RecordingWatermarkOutput output = new RecordingWatermarkOutput();
    private final List<String> everything = new ArrayList<>();
    private final WatermarkStrategy<Long> strategy =
            CdcWatermarks.create((commit, ts) -> commit, HEARTBEAT, MAX_LAG, wallClock::absoluteTimeMillis);
    private final TimestampAssigner<Long> assigner = strategy.createTimestampAssigner(context);
    private final WatermarkGenerator<Long> generator = strategy.createWatermarkGenerator(context);

    @Test
    void changesMoveTheWatermarkToTheNewestCommitTimeMinusOne() {
        change(T0 - 5_000); // arrives 5 s after its commit: within the lag bound
        emit();
        change(T0 - 5_000); // same commit time (one transaction, or MySQL's whole seconds): on time
        change(T0 - 4_000);
        emit();

        assertThat(drain()).containsExactly("wm:" + (T0 - 5_001), "wm:" + (T0 - 4_001));
    }

    @Test
    void aQuietCaughtUpTableFollowsTheWallClockAfterTheHeartbeatIntervalAndStopsWhenOlderChangesResume() {
        change(T0 - 5_000);
        emit();
        assertThat(drain()).containsExactly("wm:" + (T0 - 5_001));

        advance(HEARTBEAT.minusMillis(1));
        emit();
        assertThat(drain()).as("quiet for less than the heartbeat interval").isEmpty();

        advance(Duration.ofMillis(1));
        emit();
        assertThat(drain()).as("now - max lag - 1").containsExactly("wm:" + (T0 + 30_000 - 10_000 - 1));
        advance(Duration.ofMillis(200));
        emit();
        assertThat(drain()).containsExactly("wm:" + (T0 + 30_200 - 10_000 - 1));

        // Changes resume, committed 25.2 s ago: older than the watermark (late), and further behind
        // than the lag bound, so the wall clock no longer counts.
        change(T0 + 5_000);
        emit();
        assertThat(drain()).as("the watermark does not go back").isEmpty();
        advance(HEARTBEAT);
        emit();
        emit();
        assertThat(drain()).as("quiet but behind: idle, not advanced").containsExactly("idle");

        // A change within the bound: active, and the wall clock counts again once quiet.
        long commit = wallClock.absoluteTimeMillis() - 2_000;
        change(commit);
        emit();
        assertThat(drain()).containsExactly("active", "wm:" + (commit - 1));
        advance(HEARTBEAT);
        emit();
        assertThat(drain()).containsExactly("wm:" + (wallClock.absoluteTimeMillis() - 10_001));

        assertThat(everything).as("every watermark above the one before")
                .filteredOn(call -> call.startsWith("wm:"))
                .extracting(call -> Long.parseLong(call.substring(3)))
                .isSorted()
                .doesNotHaveDuplicates();
    }

    @Test
    void beforeTheFirstChangeAQuietTableIsIdleNotAdvanced() {
        emit();
        advance(HEARTBEAT);
        emit();
        assertThat(drain()).containsExactly("idle");

        change(T0 + 29_000);
        emit();
        assertThat(drain()).containsExactly("active", "wm:" + (T0 + 28_999));
    }

    @Test
    void snapshotRowsWithoutCommitTimeNeverCountAsCaughtUp() {
        change(0); // Flink CDC's commit time for a row read by the snapshot
        change(0);
        emit();
        advance(HEARTBEAT);
        emit();

        assertThat(drain()).containsExactly("wm:-1", "idle");
    }

    @Test
    void aRecordWithoutTimestampNeitherMovesTheWatermarkNorCountsAsCaughtUp() {
        change(Long.MIN_VALUE);
        emit();
        advance(HEARTBEAT);
        emit();

        assertThat(drain()).containsExactly("idle");
    }

    @Test
    void timeTheInputIsHeldBackDoesNotMakeTheTableQuiet() {
        change(T0 - 5_000);
        emit();
        // Back-pressured or paused by alignment: Flink's input-activity clock stands still while
        // the wall clock goes on. Changes may be waiting upstream, so no wall-clock watermark.
        wallClock.advanceTime(Duration.ofMinutes(5));
        activityClock.advanceTime(HEARTBEAT.minusMillis(1));
        emit();

        assertThat(drain()).containsExactly("wm:" + (T0 - 5_001));
    }

    @Test
    void theStrategyTravelsWithTheJobGraph() throws Exception {
        WatermarkStrategy<Long> copy = InstantiationUtil.clone(CdcWatermarks.create((Long commit, long ts) -> commit, HEARTBEAT, MAX_LAG));
        WatermarkGenerator<Long> copied = copy.createWatermarkGenerator(context);

        copied.onEvent(T0, copy.createTimestampAssigner(context).extractTimestamp(T0, Long.MIN_VALUE), output);
        copied.onPeriodicEmit(output);

        assertThat(output.drain()).containsExactly("wm:" + (T0 - 1));
    }

    @Test
    void rejectsDurationsThatAreNotPositive() {
        assertThatThrownBy(() -> CdcWatermarks.create((Long c, long ts) -> c, Duration.ZERO, MAX_LAG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> CdcWatermarks.create((Long c, long ts) -> c, HEARTBEAT, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLag");
    }

    private void change(long commitTime) {
        generator.onEvent(commitTime, assigner.extractTimestamp(commitTime, Long.MIN_VALUE), output);
    }

    private void emit() {
        generator.onPeriodicEmit(output);
    }

    private void advance(Duration duration) {
        wallClock.advanceTime(duration);
        activityClock.advanceTime(duration);
    }

    private List<String> drain() {
        List<String> drained = output.drain();
        everything.addAll(drained);
        return drained;
    }
}
