package dev.lakestream.jobs.testing;

import java.util.Objects;

/** Where a Kafka record lives: what exactly-once is asserted on. */
public final class SourceCoordinate implements Comparable<SourceCoordinate> {
    public final String topic;
    public final int partition;
    public final long offset;

    public SourceCoordinate(String topic, int partition, long offset) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SourceCoordinate)) {
            return false;
        }
        SourceCoordinate that = (SourceCoordinate) o;
        return partition == that.partition && offset == that.offset && topic.equals(that.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public int compareTo(SourceCoordinate o) {
        int c = topic.compareTo(o.topic);
        if (c == 0) {
            c = Integer.compare(partition, o.partition);
        }
        return c != 0 ? c : Long.compare(offset, o.offset);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
