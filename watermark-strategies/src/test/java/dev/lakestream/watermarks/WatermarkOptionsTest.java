package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WatermarkOptionsTest {

    @Test
    void defaults() {
        Configuration config = new Configuration();

        assertThat(config.get(WatermarkOptions.EVENTS_MAX_OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.get(WatermarkOptions.EVENTS_IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.get(WatermarkOptions.CDC_HEARTBEAT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(WatermarkOptions.CDC_MAX_LAG)).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.getOptional(WatermarkOptions.ALIGNMENT_GROUP)).isEmpty();
        assertThat(config.getOptional(WatermarkOptions.ALIGNMENT_MAX_DRIFT)).isEmpty();
        assertThat(config.get(WatermarkOptions.ALIGNMENT_UPDATE_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(WatermarkOptions.problems(config)).isEmpty();
        assertThat(WatermarkOptions.alignment(config)).isEmpty();
    }

    @Test
    void everyOptionIsUnderWatermarksAndDescribed() {
        assertThat(WatermarkOptions.all())
                .extracting(ConfigOption::key)
                .containsExactly(
                        "watermarks.events.max-out-of-orderness",
                        "watermarks.events.idle-timeout",
                        "watermarks.cdc.heartbeat-interval",
                        "watermarks.cdc.max-lag",
                        "watermarks.alignment.group",
                        "watermarks.alignment.max-drift",
                        "watermarks.alignment.update-interval");
        assertThat(WatermarkOptions.all()).allSatisfy(option ->
                assertThat(option.description().getBlocks()).as(option.key()).isNotEmpty());
    }

    @Test
    void durationsAreReadAsFlinkDurations() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.events.max-out-of-orderness", "0 ms",
                "watermarks.cdc.max-lag", "2 min",
                "watermarks.alignment.group", " lakestream-events ",
                "watermarks.alignment.max-drift", "5 min"));

        assertThat(WatermarkOptions.problems(config)).isEmpty();
        assertThat(config.get(WatermarkOptions.EVENTS_MAX_OUT_OF_ORDERNESS)).isZero();
        assertThat(config.get(WatermarkOptions.CDC_MAX_LAG)).isEqualTo(Duration.ofMinutes(2));
        assertThat(WatermarkOptions.alignment(config)).hasValueSatisfying(alignment -> {
            assertThat(alignment.group()).isEqualTo("lakestream-events");
            assertThat(alignment.maxDrift()).isEqualTo(Duration.ofMinutes(5));
            assertThat(alignment.updateInterval()).isEqualTo(Duration.ofSeconds(1));
        });
    }

    @Test
    void durationsThatCannotWorkAreProblemsNamingTheirKeys() {
        Configuration config = new Configuration();
        config.set(WatermarkOptions.EVENTS_MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(-1));
        config.set(WatermarkOptions.EVENTS_IDLE_TIMEOUT, Duration.ZERO);
        config.set(WatermarkOptions.CDC_HEARTBEAT_INTERVAL, Duration.ofSeconds(-30));
        config.set(WatermarkOptions.CDC_MAX_LAG, Duration.ZERO);

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "invalid value for key 'watermarks.events.max-out-of-orderness': must not be negative, e.g. '5 s'"
                        + " (0 when timestamps never go back)",
                "invalid value for key 'watermarks.events.idle-timeout': must be positive, e.g. '1 min'",
                "invalid value for key 'watermarks.cdc.heartbeat-interval': must be positive, e.g. '30 s'",
                "invalid value for key 'watermarks.cdc.max-lag': must be positive, e.g. '1 min'");
    }

    @Test
    void alignmentKeysWithoutAGroupAreProblems() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.alignment.max-drift", "5 min",
                "watermarks.alignment.update-interval", "2 s"));

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "'watermarks.alignment.max-drift' is set but 'watermarks.alignment.group' is not: set a group to"
                        + " align sources, or remove 'watermarks.alignment.max-drift'",
                "'watermarks.alignment.update-interval' is set but 'watermarks.alignment.group' is not: set a group"
                        + " to align sources, or remove 'watermarks.alignment.update-interval'");
    }

    @Test
    void aGroupNeedsAMaxDrift() {
        Configuration config = Configuration.fromMap(Map.of("watermarks.alignment.group", "lakestream-events"));

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "'watermarks.alignment.max-drift' is required when watermarks.alignment.group is set, e.g. '5 min'");
    }

    @Test
    void aBlankGroupIsAProblem() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.alignment.group", " ",
                "watermarks.alignment.max-drift", "5 min"));

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "invalid value for key 'watermarks.alignment.group': must not be blank, e.g. 'lakestream-events';"
                        + " remove the key to turn alignment off");
    }

    @Test
    void aDriftThatCannotKeepUpWithRealTimeIsAProblem() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.alignment.group", "lakestream-events",
                "watermarks.alignment.max-drift", "2 s",
                "watermarks.alignment.update-interval", "2 s"));

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "invalid value for key 'watermarks.alignment.max-drift': must be larger than"
                        + " watermarks.alignment.update-interval (2000 ms): a group advances at most max-drift per"
                        + " update interval (until Flink 2.3) and could not keep up with real time");
    }

    @Test
    void alignmentDurationsThatAreNotPositiveAreProblems() {
        Configuration config = new Configuration();
        config.set(WatermarkOptions.ALIGNMENT_GROUP, "lakestream-events");
        config.set(WatermarkOptions.ALIGNMENT_MAX_DRIFT, Duration.ZERO);
        config.set(WatermarkOptions.ALIGNMENT_UPDATE_INTERVAL, Duration.ofSeconds(-1));

        assertThat(WatermarkOptions.problems(config)).containsExactly(
                "invalid value for key 'watermarks.alignment.update-interval': must be positive, e.g. '1 s'",
                "invalid value for key 'watermarks.alignment.max-drift': must be positive, e.g. '5 min'");
    }

    @Test
    void theFactoriesUseTheConfiguredDurations() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.events.max-out-of-orderness", "2 s",
                "watermarks.cdc.heartbeat-interval", "10 s"));
        ManualClock clock = new ManualClock();
        ManualContext context = new ManualContext(clock);
        RecordingWatermarkOutput output = new RecordingWatermarkOutput();

        WatermarkGenerator<Long> events =
                WatermarkOptions.<Long>events(config, (event, ts) -> event).createWatermarkGenerator(context);
        events.onEvent(10_000L, 10_000L, output);
        events.onPeriodicEmit(output);
        assertThat(output.drain()).containsExactly("wm:7999");

        WatermarkStrategy<Long> cdc = WatermarkOptions.cdc(config, (commit, ts) -> commit);
        WatermarkGenerator<Long> changes = cdc.createWatermarkGenerator(context);
        changes.onPeriodicEmit(output);
        clock.advanceTime(Duration.ofSeconds(10));
        changes.onPeriodicEmit(output);
        assertThat(output.drain()).as("idle after the configured 10 s without a change").containsExactly("idle");
    }
}
