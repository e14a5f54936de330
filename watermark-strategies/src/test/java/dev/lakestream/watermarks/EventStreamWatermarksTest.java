package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link EventStreamWatermarks}' generator driven directly, on a clock the test moves. */
class EventStreamWatermarksTest {

    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(1);

    private final ManualClock activityClock = new ManualClock();
    private final ManualContext context = new ManualContext(activityClock);
    private final RecordingWatermarkOutput output = new RecordingWatermarkOutput();
    private final WatermarkStrategy<Long> strategy = EventStreamWatermarks.create((event, ts) -> event, BOUND, IDLE_TIMEOUT);
    private final TimestampAssigner<Long> assigner = strategy.createTimestampAssigner(context);
    private final WatermarkGenerator<Long> generator = strategy.createWatermarkGenerator(context);

    @Test
    void beforeAnyEventTheWatermarkIsTheLowestThereIs() {
        generator.onPeriodicEmit(output);

        assertThat(output.drain()).containsExactly("wm:" + Long.MIN_VALUE);
    }

    @Test
    void outOfOrderWithinTheBoundIsOnTimeAndTheWatermarkIsNewestMinusBoundMinusOne() {
        event(10_000);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).containsExactly("wm:4999");

        // 3 s older than the newest: within the 5 s bound, so after the watermark and on time.
        event(7_000);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).containsExactly("wm:4999");

        event(12_000);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).containsExactly("wm:6999");
    }

    @Test
    void beyondTheBoundTheEventIsLateAndTheWatermarkStays() {
        event(10_000);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).containsExactly("wm:4999");

        // 7 s older than the newest: at or below the watermark 4999, so late; the watermark does
        // not go back for it.
        event(3_000);
        generator.onPeriodicEmit(output);

        assertThat(output.drain()).containsExactly("wm:4999");
    }

    @Test
    void aPartitionWithoutRecordsIsIdleOnlyAfterMoreThanTheTimeoutAndActiveAgainWithItsNextRecord() {
        event(10_000);
        generator.onPeriodicEmit(output); // saw the record: the idleness countdown is reset
        activityClock.advanceTime(Duration.ofMillis(200));
        generator.onPeriodicEmit(output); // first emission without a record: the countdown starts here
        assertThat(output.drain()).containsExactly("wm:4999", "wm:4999");

        activityClock.advanceTime(IDLE_TIMEOUT);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).as("exactly the timeout is not more than the timeout").containsExactly("wm:4999");

        activityClock.advanceTime(Duration.ofMillis(1));
        generator.onPeriodicEmit(output);
        generator.onPeriodicEmit(output);
        assertThat(output.drain()).as("idle once, nothing emitted while idle").containsExactly("idle");

        event(12_000);
        assertThat(output.drain()).as("a record alone emits nothing").isEmpty();
        generator.onPeriodicEmit(output);
        // A FLIP-27 source marks a split active on any watermark its generator emits.
        assertThat(output.drain()).containsExactly("wm:6999");
    }

    @Test
    void theStrategyTravelsWithTheJobGraph() throws Exception {
        WatermarkStrategy<Long> copy = InstantiationUtil.clone(strategy);
        WatermarkGenerator<Long> copied = copy.createWatermarkGenerator(context);

        copied.onEvent(10_000L, copy.createTimestampAssigner(context).extractTimestamp(10_000L, Long.MIN_VALUE), output);
        copied.onPeriodicEmit(output);

        assertThat(output.drain()).containsExactly("wm:4999");
    }

    @Test
    void sourceTimestampKeepsTheTimestampTheSourceGave() {
        assertThat(EventStreamWatermarks.<String>sourceTimestamp().extractTimestamp("click", 1_234L)).isEqualTo(1_234L);
    }

    @Test
    void rejectsBoundsFlinkWouldRejectLater() {
        assertThatThrownBy(() -> EventStreamWatermarks.create((Long e, long ts) -> e, Duration.ofSeconds(-1), IDLE_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOutOfOrderness");
        assertThatThrownBy(() -> EventStreamWatermarks.create((Long e, long ts) -> e, BOUND, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTimeout");
    }

    private void event(long eventTime) {
        generator.onEvent(eventTime, assigner.extractTimestamp(eventTime, Long.MIN_VALUE), output);
    }
}
