package dev.lakestream.jobs.testing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.table.data.RowData;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Passes rows through, paced to a maximum rate so a bounded test input spans several
 * checkpoints, and optionally throws once: on the first execution attempt, after the given number
 * of checkpoints that hold rows of this subtask has completed. Checkpoints taken before the first
 * row do not count: on a slow start they complete empty, commit nothing, and the test could not
 * tell a restart from a first run. Counts its failures in a JVM-wide counter the test reads (the
 * MiniCluster runs in the test JVM).
 */
public final class FailureInjectingMap extends RichMapFunction<RowData, RowData>
        implements CheckpointListener, CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Failures thrown so far in this JVM. */
    public static final AtomicInteger FAILURES = new AtomicInteger();

    /** Wall-clock time of the last injected failure. */
    public static final AtomicLong LAST_FAILURE_MILLIS = new AtomicLong();

    private final int failAfterCompletedCheckpoints;
    private final int maxRowsPerSecond;

    private transient int completedCheckpoints;
    /** Checkpoints taken after this subtask passed a row, by id, until they complete. */
    private transient java.util.Set<Long> withRows;
    private transient boolean firstAttempt;
    private transient long startNanos;
    private transient long rows;

    /**
     * @param failAfterCompletedCheckpoints throw after this many completed checkpoints; negative: never throw
     * @param maxRowsPerSecond pace per subtask
     */
    public FailureInjectingMap(int failAfterCompletedCheckpoints, int maxRowsPerSecond) {
        this.failAfterCompletedCheckpoints = failAfterCompletedCheckpoints;
        this.maxRowsPerSecond = maxRowsPerSecond;
    }

    @Override
    public void open(OpenContext context) {
        firstAttempt = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
        startNanos = System.nanoTime();
        withRows = new java.util.HashSet<>();
    }

    @Override
    public RowData map(RowData row) {
        if (firstAttempt && failAfterCompletedCheckpoints >= 0 && completedCheckpoints >= failAfterCompletedCheckpoints
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            FAILURES.incrementAndGet();
            LAST_FAILURE_MILLIS.set(System.currentTimeMillis());
            throw new IllegalStateException(
                    "Injected failure after " + completedCheckpoints + " completed checkpoints");
        }
        rows++;
        long dueNanos = startNanos + TimeUnit.SECONDS.toNanos(1) * rows / maxRowsPerSecond;
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        return row;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (rows > 0) {
            withRows.add(context.getCheckpointId());
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // Nothing to restore: the pacing restarts with the attempt, and only the first attempt throws.
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (withRows.remove(checkpointId)) {
            completedCheckpoints++;
        }
    }
}
