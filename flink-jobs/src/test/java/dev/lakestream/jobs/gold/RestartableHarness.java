package dev.lakestream.jobs.gold;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;

import java.util.ArrayList;
import java.util.List;

/**
 * A keyed operator's test harness that {@link #restart} snapshots and restores into a new harness
 * mid-run, as a job restarts from a checkpoint, keeping the rows and late rows every harness wrote.
 */
final class RestartableHarness<K, IN> implements AutoCloseable {

    /** Creates a harness of the operator under test, not yet opened. */
    interface Factory<K, IN> {
        KeyedOneInputStreamOperatorTestHarness<K, IN, RowData> create() throws Exception;
    }

    private final Factory<K, IN> factory;
    private final List<RowData> rows = new ArrayList<>();
    private final List<RowData> late = new ArrayList<>();
    private KeyedOneInputStreamOperatorTestHarness<K, IN, RowData> harness;
    private long checkpoint;
    private int restarts;

    RestartableHarness(Factory<K, IN> factory) throws Exception {
        this.factory = factory;
        harness = factory.create();
        harness.open();
    }

    KeyedOneInputStreamOperatorTestHarness<K, IN, RowData> harness() {
        return harness;
    }

    int restarts() {
        return restarts;
    }

    /** Takes a snapshot, closes the harness and restores the snapshot into a new one. */
    void restart() throws Exception {
        checkpoint++;
        OperatorSubtaskState snapshot = harness.snapshot(checkpoint, checkpoint);
        drain();
        harness.close();
        harness = factory.create();
        harness.initializeState(snapshot);
        harness.open();
        restarts++;
    }

    /** Every row written so far, by every harness, in order. */
    List<RowData> rows() {
        drain();
        return rows;
    }

    /** Every late-events row written so far, by every harness, in order. */
    List<RowData> late() {
        drain();
        return late;
    }

    private void drain() {
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                rows.add((RowData) ((StreamRecord<?>) o).getValue());
            }
        }
        harness.getOutput().clear();
        var side = harness.getSideOutput(LateEventRouter.LATE);
        if (side != null) {
            side.forEach(r -> late.add(r.getValue()));
            side.clear();
        }
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
