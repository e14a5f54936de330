package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;
import java.util.Objects;

/**
 * Watermarks for event streams read from Kafka partitions and Kinesis shards: bounded
 * out-of-orderness, with idle partitions and shards marked idle.
 *
 * <p><b>Rule.</b> Flink's {@code BoundedOutOfOrdernessWatermarks}: with {@code B} the
 * out-of-orderness bound in milliseconds and {@code maxTs} the newest event time seen, each
 * periodic emission ({@code pipeline.auto-watermark-interval}, 200 ms by default) emits
 * {@code maxTs - B - 1}, and {@code Long.MIN_VALUE} before the first event. A watermark {@code W}
 * says no more events with a timestamp {@code <= W} are expected, so an event that is at most
 * {@code B} older than the newest one is on time, and an older one is late. The watermark never
 * goes back: a late event leaves it where it is and is forwarded like any other (what lateness
 * means is for the operator downstream to decide: a window's allowed lateness or side output).
 *
 * <p><b>Idleness.</b> Flink's {@code WatermarksWithIdleness}: a partition or shard that has had no
 * record for the idle timeout is marked idle, and an idle input stops holding back the minimum
 * watermark downstream. Idleness is evaluated on the periodic emissions: the countdown starts at
 * the first emission that finds no new record and the input is marked idle at the first emission
 * after strictly more than the timeout since then, so between the timeout plus one and the timeout
 * plus three emission intervals after the last record. Time is measured on the input-activity
 * clock Flink hands to the generator, which stands still while the input is back-pressured or
 * paused by watermark alignment (Flink 1.20.1 and later, FLINK-36751), so a throttled partition is
 * not mistaken for an idle one. The next record makes the input active again: in a FLIP-27 source
 * at the next periodic emission (any watermark emitted for a split marks it active); after {@code
 * DataStream#assignTimestampsAndWatermarks} only once the watermark advances, because that
 * operator drops watermarks that do not.
 *
 * <p><b>Per split.</b> Give the strategy to {@code env.fromSource(source, strategy, name)}: FLIP-27
 * sources ({@code KafkaSource}, {@code KinesisStreamsSource}) run one generator per split, that is
 * per Kafka partition or Kinesis shard, and emit the minimum over their active splits. Applied
 * after the source instead, one generator sees the partitions interleaved and the bound would
 * have to cover the skew between partitions too.
 *
 * <p>Alignment is not part of this strategy: {@link WatermarkOptions#events} adds it when
 * configured (see {@link WatermarkAlignment} for which sources can be aligned).
 */
public final class EventStreamWatermarks {

    private EventStreamWatermarks() {}

    /**
     * Bounded out-of-orderness with idleness, events timed by {@code assigner}.
     *
     * @param maxOutOfOrderness how much older than the newest event an event may be and still be
     *     on time; zero or more (zero for timestamps that never go back)
     * @param idleTimeout how long a partition or shard without records keeps holding back the
     *     watermark; positive
     */
    public static <T> WatermarkStrategy<T> create(
            SerializableTimestampAssigner<T> assigner, Duration maxOutOfOrderness, Duration idleTimeout) {
        Objects.requireNonNull(assigner, "assigner");
        Objects.requireNonNull(maxOutOfOrderness, "maxOutOfOrderness");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("maxOutOfOrderness must not be negative, got " + maxOutOfOrderness);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        }
        return WatermarkStrategy.<T>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withIdleness(idleTimeout)
                .withTimestampAssigner(assigner);
    }

    /**
     * An assigner that keeps the timestamp the source gave the record: the Kafka record timestamp
     * (CreateTime or LogAppendTime), the Kinesis approximate arrival time.
     */
    public static <T> SerializableTimestampAssigner<T> sourceTimestamp() {
        return (event, recordTimestamp) -> recordTimestamp;
    }
}
