package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alignment settings reach the strategy that {@code env.fromSource} reads them from. */
class WatermarkAlignmentTest {

    private static final Configuration ALIGNED = Configuration.fromMap(Map.of(
            "watermarks.alignment.group", "lakestream-events",
            "watermarks.alignment.max-drift", "5 min",
            "watermarks.alignment.update-interval", "2 s"));

    @Test
    void theAlignedFactoriesCarryGroupDriftAndInterval() {
        for (WatermarkStrategy<Long> strategy : List.of(
                WatermarkOptions.<Long>events(ALIGNED, (event, ts) -> event),
                WatermarkOptions.<Long>cdc(ALIGNED, (commit, ts) -> commit))) {
            WatermarkAlignmentParams params = strategy.getAlignmentParameters();

            assertThat(params.isEnabled()).isTrue();
            assertThat(params.getWatermarkGroup()).isEqualTo("lakestream-events");
            assertThat(params.getMaxAllowedWatermarkDrift()).isEqualTo(300_000L);
            assertThat(params.getUpdateInterval()).isEqualTo(2_000L);
        }
    }

    @Test
    void withoutAGroupNothingIsAligned() {
        Configuration config = new Configuration();

        assertThat(WatermarkOptions.<Long>events(config, (event, ts) -> event).getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
        assertThat(WatermarkOptions.<Long>cdc(config, (commit, ts) -> commit).getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
    }

    @Test
    void theUnalignedFactoriesIgnoreTheGroup() {
        assertThat(WatermarkOptions.<Long>eventsUnaligned(ALIGNED, (event, ts) -> event).getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
        assertThat(WatermarkOptions.<Long>cdcUnaligned(ALIGNED, (commit, ts) -> commit).getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
    }

    @Test
    void alignmentLeavesTheWatermarksAsTheyWereAndTravelsWithTheJobGraph() throws Exception {
        WatermarkStrategy<Long> aligned = InstantiationUtil.clone(WatermarkOptions.<Long>events(ALIGNED, (event, ts) -> event));
        ManualContext context = new ManualContext(new ManualClock());
        RecordingWatermarkOutput output = new RecordingWatermarkOutput();
        WatermarkGenerator<Long> generator = aligned.createWatermarkGenerator(context);

        generator.onEvent(10_000L, aligned.createTimestampAssigner(context).extractTimestamp(10_000L, Long.MIN_VALUE), output);
        generator.onPeriodicEmit(output);

        assertThat(output.drain()).containsExactly("wm:4999");
        assertThat(aligned.getAlignmentParameters().getWatermarkGroup()).isEqualTo("lakestream-events");
    }

    @Test
    void flinksDefaultUpdateIntervalWhenNoneIsSet() {
        Configuration config = Configuration.fromMap(Map.of(
                "watermarks.alignment.group", "lakestream-events",
                "watermarks.alignment.max-drift", "5 min"));

        assertThat(WatermarkOptions.<Long>events(config, (event, ts) -> event).getAlignmentParameters().getUpdateInterval())
                .isEqualTo(WatermarkStrategy.<Long>noWatermarks()
                        .withWatermarkAlignment("any", Duration.ofMinutes(5))
                        .getAlignmentParameters()
                        .getUpdateInterval())
                .isEqualTo(1_000L);
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> WatermarkAlignment.of(" ", Duration.ofMinutes(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> WatermarkAlignment.of("g", Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than updateInterval");
        assertThatThrownBy(() -> WatermarkAlignment.of("g", Duration.ofMinutes(5), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updateInterval must be positive");
    }
}
