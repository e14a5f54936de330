package dev.lakestream.watermarks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CdcWatermarks} run by Flink's timestamps-and-watermarks operator. The harness's processing
 * time is both the wall clock and (through the operator) the input-activity clock; periodic
 * emissions every 200 ms of it. Heartbeat interval 30 s, max lag 10 s.
 */
class CdcWatermarksOperatorTest {

    private static final long T0 = 1_700_000_000_000L;

    private final HarnessClock wallClock = new HarnessClock();
    private WatermarkOperatorHarness harness;

    @BeforeEach
    void open() throws Exception {
        harness = new WatermarkOperatorHarness(
                CdcWatermarks.create((commit, ts) -> commit, Duration.ofSeconds(30), Duration.ofSeconds(10), wallClock), T0);
        wallClock.harness = harness;
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aQuietTableAdvancesWithProcessingTimeNeverBackwardsAndStopsWhenOlderChangesResume() throws Exception {
        harness.event(T0 - 5_000);
        harness.setProcessingTime(T0 + 200);
        assertThat(harness.drain()).containsExactly("record:" + (T0 - 5_000) + "@" + (T0 - 5_000), "wm:" + (T0 - 5_001));

        harness.setProcessingTime(T0 + 29_800); // quiet for 29.8 s
        assertThat(harness.drain()).isEmpty();

        harness.setProcessingTime(T0 + 30_000); // quiet for 30 s: now - 10 s - 1 ms
        assertThat(harness.drain()).containsExactly("wm:" + (T0 + 19_999));
        harness.setProcessingTime(T0 + 30_200);
        assertThat(harness.drain()).containsExactly("wm:" + (T0 + 20_199));

        // Committed at T0 + 5 s, arriving 25.2 s later: late (below the watermark), passed on,
        // and the stream is behind.
        harness.event(T0 + 5_000);
        harness.setProcessingTime(T0 + 30_400);
        assertThat(harness.drain()).containsExactly("record:" + (T0 + 5_000) + "@" + (T0 + 5_000));

        harness.setProcessingTime(T0 + 60_000); // 29.8 s after that change
        assertThat(harness.drain()).isEmpty();
        harness.setProcessingTime(T0 + 60_200); // 30 s: quiet and behind
        assertThat(harness.drain()).containsExactly("idle");

        harness.event(T0 + 60_000); // 200 ms after its commit: caught up
        assertThat(harness.drain()).containsExactly("record:" + (T0 + 60_000) + "@" + (T0 + 60_000), "active");
        harness.setProcessingTime(T0 + 60_400);
        assertThat(harness.drain()).containsExactly("wm:" + (T0 + 59_999));
    }

    @Test
    void aTableQuietSinceTheStartIsIdle() throws Exception {
        harness.setProcessingTime(T0 + 29_800);
        assertThat(harness.drain()).isEmpty();

        harness.setProcessingTime(T0 + 30_000);

        assertThat(harness.drain()).containsExactly("idle");
    }

    /** The harness's processing time as the wall clock; set once the harness exists. */
    private static final class HarnessClock implements WallClock {

        private WatermarkOperatorHarness harness;

        @Override
        public long currentTimeMillis() {
            return harness.processingTime();
        }
    }
}
