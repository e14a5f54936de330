package dev.lakestream.jobs.bronze;

import java.io.Serializable;
import java.util.Objects;

/**
 * A bronze record as silver sees it, whatever the source: where it came from, its unparsed payload
 * and when the pipeline read it. Coordinates are strings so that Kafka (topic, partition, offset)
 * and Kinesis (stream, shard id, sequence number) land in the same silver and quarantine columns.
 */
public final class RawRecord implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String partition;
    private final String position;
    private final byte[] payload;
    private final long ingestMillis;

    public RawRecord(String source, String partition, String position, byte[] payload, long ingestMillis) {
        this.source = Objects.requireNonNull(source, "source");
        this.partition = Objects.requireNonNull(partition, "partition");
        this.position = Objects.requireNonNull(position, "position");
        this.payload = payload;
        this.ingestMillis = ingestMillis;
    }

    /** Topic or stream name. */
    public String source() {
        return source;
    }

    /** Kafka partition number or Kinesis shard id. */
    public String partition() {
        return partition;
    }

    /** Kafka offset or Kinesis sequence number. */
    public String position() {
        return position;
    }

    /** The raw bytes; null for a null payload. */
    public byte[] payload() {
        return payload;
    }

    public long ingestMillis() {
        return ingestMillis;
    }

    @Override
    public String toString() {
        return source + "/" + partition + "@" + position;
    }
}
