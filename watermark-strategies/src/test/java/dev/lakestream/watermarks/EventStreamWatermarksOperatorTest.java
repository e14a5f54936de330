package dev.lakestream.watermarks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventStreamWatermarks} run by Flink's timestamps-and-watermarks operator, periodic
 * emissions every 200 ms of harness processing time.
 */
class EventStreamWatermarksOperatorTest {

    private WatermarkOperatorHarness harness;

    @BeforeEach
    void open() throws Exception {
        harness = new WatermarkOperatorHarness(
                EventStreamWatermarks.create((event, ts) -> event, Duration.ofSeconds(5), Duration.ofMinutes(1)), 0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void outOfOrderWithinTheBoundStaysOnTime() throws Exception {
        harness.event(10_000);
        harness.setProcessingTime(200);
        assertThat(harness.drain()).containsExactly("record:10000@10000", "wm:4999");

        harness.event(7_000);
        harness.event(12_000);
        harness.setProcessingTime(400);

        // 7000 came after watermark 4999: on time.
        assertThat(harness.drain()).containsExactly("record:7000@7000", "record:12000@12000", "wm:6999");
    }

    @Test
    void beyondTheBoundTheRecordIsLateForwardedAndTheWatermarkStays() throws Exception {
        harness.event(10_000);
        harness.setProcessingTime(200);
        assertThat(harness.drain()).containsExactly("record:10000@10000", "wm:4999");

        harness.event(3_000);
        harness.setProcessingTime(400);

        // 3000 follows watermark 4999: late, and still passed on; no watermark goes back.
        assertThat(harness.drain()).containsExactly("record:3000@3000");
    }

    @Test
    void aQuietStreamIsMarkedIdleAfterTheTimeoutAndActiveAgainWhenItsWatermarkAdvances() throws Exception {
        harness.event(10_000);
        harness.setProcessingTime(200); // saw the record
        harness.setProcessingTime(400); // first emission without one: the countdown starts at 400
        assertThat(harness.drain()).containsExactly("record:10000@10000", "wm:4999");

        harness.setProcessingTime(60_400); // 60 s since 400: not more than the timeout
        assertThat(harness.drain()).isEmpty();

        harness.setProcessingTime(60_600); // the next emission: 60.2 s
        assertThat(harness.drain()).containsExactly("idle");

        harness.event(20_000);
        harness.setProcessingTime(60_800);
        assertThat(harness.drain()).containsExactly("record:20000@20000", "active", "wm:14999");
    }

    @Test
    void aLateRecordOnAnIdleStreamLeavesItIdleHere() throws Exception {
        // After assignTimestampsAndWatermarks a watermark that does not advance is dropped, and
        // with it the only thing that would mark the output active (unlike in a FLIP-27 source).
        harness.event(10_000);
        harness.setProcessingTime(200);
        harness.setProcessingTime(400);
        harness.setProcessingTime(60_600);
        assertThat(harness.drain()).containsExactly("record:10000@10000", "wm:4999", "idle");

        harness.event(9_000);
        harness.setProcessingTime(60_800);

        assertThat(harness.drain()).containsExactly("record:9000@9000");
    }
}
