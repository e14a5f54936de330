package dev.lakestream.benchmarks;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When each produced record became visible in a layer (bronze, or silver + quarantine): the
 * timestamp of the snapshot whose appended data files hold its row. Every snapshot of the tables'
 * main history is read as the rows it appended (its incremental append scan, source coordinate
 * columns only), so the visible time is the commit that made the row readable, not an estimate
 * from summary counts. A coordinate met twice is a duplicate; a coordinate nobody sent is
 * unexpected; both are kept for the checks.
 *
 * <p>A snapshot's timestamp is taken when the committer builds its metadata, a few milliseconds
 * before the catalog swaps the pointer; readers see the rows from the swap on, so visibility is
 * early by that much at most.
 */
final class FreshnessVisibility {

    /** One commit (snapshot) of one table: when, how many rows it appended, and the oldest of them. */
    static final class Commit {
        final String table;
        final long snapshotId;
        final long timestampMillis;
        long rows;
        /** The largest visible - sent of the rows it appended (ms); -1 for a commit without rows. */
        long maxFreshnessMillis = -1;

        Commit(String table, long snapshotId, long timestampMillis) {
            this.table = table;
            this.snapshotId = snapshotId;
            this.timestampMillis = timestampMillis;
        }
    }

    /** Which columns of a table hold a row's Kafka topic, partition and offset. */
    enum Coordinates {
        /** Bronze Kafka tables: topic, kafka_partition (int), kafka_offset (long). */
        BRONZE("topic", "kafka_partition", "kafka_offset"),
        /** Silver event and quarantine tables: source_name, source_partition, source_position (strings). */
        SILVER("source_name", "source_partition", "source_position");

        final String topic;
        final String partition;
        final String offset;

        Coordinates(String topic, String partition, String offset) {
            this.topic = topic;
            this.partition = partition;
            this.offset = offset;
        }
    }

    private final Map<TopicPartition, FreshnessProducer.SendTimes> sent;
    private final Map<TopicPartition, long[]> visible = new HashMap<>();
    final List<Commit> commits = new ArrayList<>();
    long rows;
    long duplicates;
    final List<String> duplicateExamples = new ArrayList<>();
    long unexpected;
    final List<String> unexpectedExamples = new ArrayList<>();

    FreshnessVisibility(Map<TopicPartition, FreshnessProducer.SendTimes> sent) {
        this.sent = sent;
    }

    /** Reads every snapshot of {@code table}'s main history, oldest first. */
    FreshnessVisibility read(Table table, Coordinates columns) {
        table.refresh();
        Snapshot head = table.currentSnapshot();
        if (head == null) {
            return this;
        }
        List<Snapshot> history = new ArrayList<>();
        SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot).forEach(history::add);
        Collections.reverse(history);
        for (Snapshot s : history) {
            Commit commit = new Commit(table.name(), s.snapshotId(), s.timestampMillis());
            IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table).select(columns.topic, columns.partition, columns.offset);
            scan = s.parentId() == null ? scan.useSnapshot(s.snapshotId()) : scan.appendsBetween(s.parentId(), s.snapshotId());
            try (CloseableIterable<Record> records = scan.build()) {
                for (Record r : records) {
                    String topic = r.getField(columns.topic).toString();
                    int partition = Integer.parseInt(r.getField(columns.partition).toString());
                    long offset = Long.parseLong(r.getField(columns.offset).toString());
                    add(new TopicPartition(topic, partition), offset, commit);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Reading the rows snapshot " + s.snapshotId() + " of " + table.name()
                        + " appended failed", e);
            }
            commits.add(commit);
        }
        return this;
    }

    private void add(TopicPartition tp, long offset, Commit commit) {
        rows++;
        commit.rows++;
        FreshnessProducer.SendTimes times = sent.get(tp);
        long sentMillis = times == null ? 0 : times.get(offset);
        if (sentMillis == 0) {
            unexpected++;
            if (unexpectedExamples.size() < 10) {
                unexpectedExamples.add(tp + "@" + offset + " in " + commit.table);
            }
            return;
        }
        long[] at = visible.computeIfAbsent(tp, k -> new long[(int) times.size()]);
        if (offset >= at.length) {
            at = java.util.Arrays.copyOf(at, (int) times.size());
            visible.put(tp, at);
        }
        if (at[(int) offset] != 0) {
            duplicates++;
            if (duplicateExamples.size() < 10) {
                duplicateExamples.add(tp + "@" + offset + " in " + commit.table + " (again in snapshot " + commit.snapshotId + ")");
            }
            return;
        }
        at[(int) offset] = commit.timestampMillis;
        commit.maxFreshnessMillis = Math.max(commit.maxFreshnessMillis, commit.timestampMillis - sentMillis);
    }

    /** When the record became visible, or 0 when it never did. */
    long visibleAt(TopicPartition tp, long offset) {
        long[] at = visible.get(tp);
        return at == null || offset >= at.length ? 0 : at[(int) offset];
    }
}
