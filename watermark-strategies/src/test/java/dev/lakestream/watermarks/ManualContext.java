package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.RelativeClock;

/** What Flink hands a strategy when it creates a generator, with an input-activity clock the test moves. */
final class ManualContext implements WatermarkGeneratorSupplier.Context, TimestampAssignerSupplier.Context {

    private final RelativeClock inputActivityClock;

    ManualContext(RelativeClock inputActivityClock) {
        this.inputActivityClock = inputActivityClock;
    }

    @Override
    public MetricGroup getMetricGroup() {
        return new UnregisteredMetricsGroup();
    }

    @Override
    public RelativeClock getInputActivityClock() {
        return inputActivityClock;
    }
}
