package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;
import java.util.Objects;

/**
 * Watermark alignment (FLIP-182, split level FLIP-217): sources in one group stop reading a split
 * whose watermark runs more than the max drift ahead of the slowest in the group, so a fast source
 * cannot flood the state of the joins and windows downstream while a slow one catches up.
 *
 * <p><b>How Flink 1.20.3 does it</b> (read in its {@code SourceCoordinator}, {@code SourceOperator}
 * and {@code SplitFetcherManager}):
 *
 * <ul>
 *   <li>Only FLIP-27 sources ({@code env.fromSource}) are aligned; the parameters are read from
 *       the strategy given there ({@link WatermarkStrategy#getAlignmentParameters()}).
 *   <li>Every update interval each source subtask reports its watermark to its coordinator; an
 *       idle subtask reports {@code Long.MAX_VALUE}, so it does not hold the group back, and one
 *       that has no watermark yet reports nothing. The coordinator sends every subtask {@code
 *       min(reported watermarks of the group) + max drift}, the highest watermark it may reach.
 *       The JobManager logs that value at INFO once per update interval per aligned source.
 *   <li>A split whose watermark passes that limit is paused through {@code
 *       SourceReader#pauseOrResumeSplits}; a subtask whose combined watermark passes it stops
 *       polling altogether. Pausing stops the input-activity clock of the split (and, since
 *       1.20.1, FLINK-36751, of a subtask that waits as a whole), so being held back does not make
 *       it idle.
 *   <li>A reader that cannot pause splits throws {@code UnsupportedOperationException}, which
 *       fails the job, unless {@code pipeline.watermark-alignment.allow-unaligned-source-splits}
 *       is true: then the split keeps being read and only whole subtasks are held back, which is
 *       exact only with one split per subtask. Flink reads that key from the TaskManager's
 *       configuration ({@code TaskManagerRuntimeInfo#getConfiguration}), not the job's: setting it
 *       in application code has no effect on a cluster; on MSF the cluster configuration belongs
 *       to the service.
 *   <li>Which readers pause: {@code KafkaSource} ({@code flink-connector-kafka} 3.4.0-1.20) does
 *       ({@code KafkaPartitionSplitReader#pauseOrResumeSplits}). {@code KinesisStreamsSource}
 *       ({@code flink-connector-kinesis} 4.3.0-1.19, {@code PollingKinesisShardSplitReader}) and
 *       the Flink CDC 3.5 MySQL and PostgreSQL sources ({@code MySqlSplitReader}, {@code
 *       IncrementalSourceSplitReader}) do not.
 *   <li>Until Flink 2.3 (FLINK-37399) alignment also caps how fast a group can catch up: each
 *       split may run at most the max drift past a limit that is refreshed once per update
 *       interval, so a backlog is read at about max drift of event time per update interval
 *       (30 s per 1 s: 30 times real time). A drift at or below the interval cannot even keep up
 *       with real time; {@link WatermarkOptions#problems} rejects it.
 * </ul>
 *
 * <p><b>Aligning sources of different speeds</b> (Kafka clickstream, Kinesis fulfillment events,
 * CDC tables):
 *
 * <ul>
 *   <li>Put in the group only the sources whose readers pause splits: the Kafka topics
 *       ({@link WatermarkOptions#events}). Build Kinesis and CDC strategies without alignment
 *       ({@link WatermarkOptions#eventsUnaligned}, {@link WatermarkOptions#cdcUnaligned}): aligned,
 *       they fail the job the first time one of their splits runs ahead.
 *   <li>Alignment pays off when one source reads a backlog and another does not: after a restore
 *       or an outage of one source, a replay from a timestamp, a clickstream with ten times the
 *       records of the fulfillment stream. In the steady state it should never pause anything.
 *   <li>The max drift must be larger than the steady-state gap between the group's watermarks, or
 *       caught-up sources keep being paused: an event stream trails the wall clock by its
 *       max-out-of-orderness plus delivery delay, a quiet CDC table by up to its max-lag or its
 *       heartbeat interval plus replication lag, a partition that just went quiet by up to its idle
 *       timeout. And it bounds what downstream buffers: about max drift of the fastest source's
 *       records per join or window. Minutes are a reasonable start; seconds are too little with
 *       a CDC source in the group.
 *   <li>Every source in a group needs idleness (all our strategies have it): a split that neither
 *       advances nor goes idle holds the group's minimum, and after the max drift every other
 *       source in the group stops.
 *   <li>The update interval trades reaction time (and a JobManager log line per interval and
 *       source) against the catch-up cap above; Flink's default of 1 s is a good one.
 * </ul>
 */
public final class WatermarkAlignment {

    /** Flink's own default update interval ({@code WatermarkStrategy#withWatermarkAlignment(String, Duration)}). */
    public static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofSeconds(1);

    private final String group;
    private final Duration maxDrift;
    private final Duration updateInterval;

    private WatermarkAlignment(String group, Duration maxDrift, Duration updateInterval) {
        this.group = group;
        this.maxDrift = maxDrift;
        this.updateInterval = updateInterval;
    }

    /**
     * @param group sources with the same group name are aligned with each other, across source
     *     operators of the job
     * @param maxDrift how far a split's watermark may run ahead of the group's slowest; must be
     *     larger than {@code updateInterval}
     * @param updateInterval how often the group's slowest watermark is recomputed; positive
     */
    public static WatermarkAlignment of(String group, Duration maxDrift, Duration updateInterval) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(maxDrift, "maxDrift");
        Objects.requireNonNull(updateInterval, "updateInterval");
        if (group.isBlank()) {
            throw new IllegalArgumentException("group must not be blank");
        }
        if (updateInterval.isNegative() || updateInterval.isZero()) {
            throw new IllegalArgumentException("updateInterval must be positive, got " + updateInterval);
        }
        if (maxDrift.compareTo(updateInterval) <= 0) {
            throw new IllegalArgumentException("maxDrift (" + maxDrift + ") must be larger than updateInterval ("
                    + updateInterval + "): sources in the group could not keep up with real time");
        }
        return new WatermarkAlignment(group.trim(), maxDrift, updateInterval);
    }

    public String group() {
        return group;
    }

    public Duration maxDrift() {
        return maxDrift;
    }

    public Duration updateInterval() {
        return updateInterval;
    }

    /** {@code strategy} with this alignment; everything else about it unchanged. */
    public <T> WatermarkStrategy<T> applyTo(WatermarkStrategy<T> strategy) {
        return strategy.withWatermarkAlignment(group, maxDrift, updateInterval);
    }

    @Override
    public String toString() {
        return "WatermarkAlignment{group=" + group + ", maxDrift=" + maxDrift + ", updateInterval=" + updateInterval + "}";
    }
}
