package dev.lakestream.jobs.sink;

import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every record and watermark unchanged, and at each checkpoint writes the watermark it has
 * seen so far to a stamp file ({@link CommitWatermarks#stampPath}), which the committer of that
 * checkpoint reads.
 *
 * <p>It runs right in front of the Iceberg writers, so at checkpoint {@code N} it has forwarded
 * exactly the records the writers put into checkpoint {@code N}'s files; every record of event time
 * at or before its watermark came before that watermark (records later than that are late, and gold
 * routes them elsewhere). Where the sink shuffles rows by key in front of its writers, the minimum
 * over all stamps is what every writer has seen at the aligned barrier. No Flink state: a restore
 * starts again at no watermark, like Flink itself.
 *
 * <p>A stamp that cannot be written does not fail the checkpoint: the commit goes on without a
 * watermark, and both sides log why.
 */
public final class WatermarkStamp<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WatermarkStamp.class);

    private final FileIO io;
    private final String directory;
    private transient long watermark;
    private transient String jobId;

    /** @param io the table's FileIO (serializable), @param directory {@link CommitWatermarks#directory} */
    public WatermarkStamp(FileIO io, String directory) {
        this.io = io;
        this.directory = directory;
        // Chains to its input as well as to the writer: no extra serialization hop.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        // The id Iceberg's committer records as flink.job-id comes from the same place.
        jobId = getContainingTask().getEnvironment().getJobID().toString();
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        String path = CommitWatermarks.stampPath(directory, jobId, context.getCheckpointId(), subtask, parallelism);
        try {
            CommitWatermarks.write(io, path, watermark);
        } catch (Exception e) {
            LOG.warn("Cannot write watermark stamp {}: checkpoint {} will be committed without a watermark",
                    path, context.getCheckpointId(), e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            io.close();
        } finally {
            super.close();
        }
    }
}
