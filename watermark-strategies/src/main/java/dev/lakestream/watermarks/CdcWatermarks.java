package dev.lakestream.watermarks;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;
import java.util.Objects;

/**
 * Watermarks for change streams (Flink CDC MySQL and PostgreSQL sources, Debezium on Kafka),
 * driven by the source commit time of each change and kept moving on quiet tables by the wall
 * clock.
 *
 * <p>A change stream is read from one replication log in commit order, so commit times barely go
 * back; but a table can be quiet for hours, and a watermark that only follows events would hold
 * back every join and window it feeds for as long. Marking it idle instead would let those
 * operators go on without it, making no promise at all about the changes still to come (a
 * temporal join would stop waiting for the versions it needs). This strategy promises what the
 * replication lag bound allows.
 *
 * <p><b>Rule.</b> With {@code L} = max lag and {@code H} = heartbeat interval, per split
 * (generator):
 *
 * <ul>
 *   <li>On a change with commit time {@code c}, arriving at wall-clock time {@code a}: {@code
 *       maxCommit = max(maxCommit, c)}; the stream counts as <i>caught up</i> if {@code a - c <= L}
 *       (this change came within the lag bound), as <i>behind</i> otherwise; the quiet timer
 *       restarts; an input marked idle is marked active.
 *   <li>On each periodic emission ({@code pipeline.auto-watermark-interval}), at wall-clock time
 *       {@code now}: the candidate is {@code maxCommit - 1} (Flink's formula for timestamps that
 *       do not go back: bounded out-of-orderness with bound 0). If the last change came at least
 *       {@code H} ago (the table is quiet) and the stream is caught up, the candidate is {@code
 *       max(maxCommit - 1, now - L - 1)}: the watermark an event committed {@code now} would give
 *       with out-of-orderness bound {@code L}. If it is quiet and behind (or no change came yet),
 *       the input is marked idle and nothing is emitted. The candidate is emitted only if it is
 *       above the last emitted watermark, so the watermark never goes back.
 * </ul>
 *
 * <p><b>Why it is safe enough.</b> A wall-clock watermark emitted at {@code now} is {@code now - L
 * - 1}; a change arriving at {@code t >= now} is late against it only if {@code c <= now - L - 1},
 * so only if {@code t - c > L}: only a change that broke the lag bound. Apart from that the
 * watermark follows commit times already seen. The bound is broken as a matter of course in two
 * situations, and in neither does the wall clock move the watermark: while the job reads a backlog
 * (after a restore, an outage or a slow source, changes arrive more than {@code L} after their
 * commit: the stream is behind) and before the first change (nothing shows the source is current).
 * A quiet input in those situations is marked idle, which lets other inputs go on without
 * promising anything about this one, rather than advanced or left to hold everything back; the
 * next change that arrives within the bound makes the wall clock count again. Snapshot rows carry
 * no commit time (Flink CDC documents {@code op_ts} as 0 for rows read by the snapshot): they take
 * the watermark no further than the epoch and never count as caught up. Quiet time is measured on
 * Flink's input-activity clock, which stands still while the source is back-pressured or paused by
 * alignment, so changes waiting behind back pressure do not make the table look quiet.
 *
 * <p><b>What it depends on.</b> {@code L} must cover the replication lag (commit to arrival in the
 * job, including a restarted source's reconnect) plus the difference between the database's and
 * the TaskManagers' clocks: commit times are the database's clock, {@code now} is the
 * TaskManager's. A database clock behind by more than {@code L} only makes the stream look behind
 * (safe: idle, not advanced); one ahead makes the wall-clock watermark trail further. A change that
 * breaks the bound after a wall-clock advance (a stalled replication slot, say) arrives as late
 * data: it is not dropped, the operator downstream decides what late means (Flink windows drop
 * late records unless given allowed lateness or a late-data side output).
 *
 * <p>Where to apply it: for Debezium topics on Kafka, give it to {@code env.fromSource}, which runs
 * one generator per partition. For the Flink CDC sources, which read one replication log through
 * one stream split, apply it right after the source ({@code assignTimestampsAndWatermarks}): per
 * split, a reader left without a split after the snapshot never goes idle on Flink 1.20 (a
 * reader's per-split watermark multiplexer with no split marks nothing idle) and holds every
 * window back; per reader, its quiet input goes idle after the heartbeat interval.
 */
public final class CdcWatermarks {

    private CdcWatermarks() {}

    /**
     * Commit-time watermarks with wall-clock heartbeats.
     *
     * @param commitTime the change's commit time in epoch milliseconds
     * @param heartbeatInterval how long a table may be quiet before its watermark follows the wall
     *     clock; positive
     * @param maxLag the longest expected time from commit to arrival in the job; positive
     */
    public static <T> WatermarkStrategy<T> create(
            SerializableTimestampAssigner<T> commitTime, Duration heartbeatInterval, Duration maxLag) {
        return create(commitTime, heartbeatInterval, maxLag, WallClock.SYSTEM);
    }

    static <T> WatermarkStrategy<T> create(
            SerializableTimestampAssigner<T> commitTime, Duration heartbeatInterval, Duration maxLag, WallClock wallClock) {
        Objects.requireNonNull(commitTime, "commitTime");
        Objects.requireNonNull(wallClock, "wallClock");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        requirePositive(maxLag, "maxLag");
        return WatermarkStrategy.<T>forGenerator(
                        context -> new CdcWatermarkGenerator<>(
                                heartbeatInterval, maxLag, context.getInputActivityClock(), wallClock))
                .withTimestampAssigner(commitTime);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
