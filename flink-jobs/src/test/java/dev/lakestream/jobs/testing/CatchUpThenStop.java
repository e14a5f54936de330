package dev.lakestream.jobs.testing;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ends a run of the (unbounded) ingestion job the way a replay or backfill ends in production:
 * once the job has caught up with its input, it is stopped with a savepoint (no drain). Every
 * Iceberg commit thus happens on a completed checkpoint or savepoint, never at end of input.
 *
 * <p>"Caught up" is either Kafka consumer-group offsets (committed by the source on each completed
 * checkpoint) reaching the end offsets taken when the run started, or a bronze table having
 * committed as many rows as were produced (Kinesis has no committed positions to read). Records
 * read before a completed checkpoint reach every table of the job by the time the stop-with-
 * savepoint commits, because all sinks commit on the same checkpoints.
 */
public final class CatchUpThenStop {

    /** Records the job still has to get through; 0 when caught up. */
    @FunctionalInterface
    public interface Remaining {
        long get() throws Exception;
    }

    private final Remaining remaining;

    private CatchUpThenStop(Remaining remaining) {
        this.remaining = remaining;
    }

    /** Caught up once every condition is. */
    public static CatchUpThenStop allOf(CatchUpThenStop... conditions) {
        return new CatchUpThenStop(() -> {
            long sum = 0;
            for (CatchUpThenStop c : conditions) {
                sum += c.remaining();
            }
            return sum;
        });
    }

    /** Caught up once {@code table} has committed {@code rows} rows (from its snapshot summary). */
    public static CatchUpThenStop whenCommitted(org.apache.iceberg.Table table, long rows) {
        return new CatchUpThenStop(() -> {
            table.refresh();
            org.apache.iceberg.Snapshot current = table.currentSnapshot();
            long committed = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
            if (committed > rows) {
                throw new AssertionError(table.name() + " holds " + committed + " rows, more than the " + rows + " produced");
            }
            return rows - committed;
        });
    }

    /** Caught up once {@code table} has committed at least one row (windows that fire on a watermark). */
    public static CatchUpThenStop whenNotEmpty(org.apache.iceberg.Table table) {
        return new CatchUpThenStop(() -> {
            table.refresh();
            org.apache.iceberg.Snapshot current = table.currentSnapshot();
            return current == null || "0".equals(current.summary().getOrDefault("total-records", "0")) ? 1 : 0;
        });
    }

    /** Takes the topics' current end offsets as the target. */
    public static CatchUpThenStop atCurrentEnd(String bootstrap, String groupId, List<String> topics) throws Exception {
        try (AdminClient admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            return new CatchUpThenStop(() -> lag(bootstrap, groupId, end));
        }
    }

    /** Records the job still has to get through; 0 when caught up. */
    public long remaining() throws Exception {
        return remaining.get();
    }

    private static long lag(String bootstrap, String groupId, Map<TopicPartition, Long> endOffsets) throws Exception {
        try (AdminClient admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long remaining = 0;
            for (Map.Entry<TopicPartition, Long> e : endOffsets.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                remaining += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
            }
            return remaining;
        }
    }

    /**
     * Polls until caught up (calling {@code onPoll} each round), then stops the job with a savepoint
     * and waits for it to finish. Fails if the job ends by itself or the deadline passes.
     */
    public String awaitAndStop(JobClient job, Path savepointDir, Duration timeout, Runnable onPoll) throws Exception {
        await(job, timeout, onPoll);
        String savepoint = job.stopWithSavepoint(false, savepointDir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        onPoll.run();
        return savepoint;
    }

    /** Polls until caught up, leaving the job running. Fails if the job ends by itself or the deadline passes. */
    public void await(JobClient job, Duration timeout, Runnable onPoll) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            onPoll.run();
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
                throw new AssertionError("Job ended (" + status + ") before catching up");
            }
            long remaining = remaining();
            if (remaining == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not caught up after " + timeout + ": " + remaining + " records behind");
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static AdminClient admin(String bootstrap) {
        return AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
