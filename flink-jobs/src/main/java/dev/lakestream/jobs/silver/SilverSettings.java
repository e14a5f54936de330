package dev.lakestream.jobs.silver;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings shared by every silver dataset: how long event ids are remembered, how many new ones are
 * held before they are written to state, how large a payload may be.
 */
public final class SilverSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Duration dedupTtl;
    private final int dedupPendingIds;
    private final long maxPayloadBytes;

    public SilverSettings(Duration dedupTtl, int dedupPendingIds, long maxPayloadBytes) {
        if (dedupTtl.isNegative() || dedupTtl.isZero()) {
            throw new IllegalArgumentException("dedup TTL must be positive, got " + dedupTtl);
        }
        if (dedupPendingIds < 1 || dedupPendingIds > PendingIds.MAX_IDS) {
            throw new IllegalArgumentException("dedup pending ids must be between 1 and " + PendingIds.MAX_IDS + ", got "
                    + dedupPendingIds);
        }
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("max payload size must be positive, got " + maxPayloadBytes);
        }
        this.dedupTtl = dedupTtl;
        this.dedupPendingIds = dedupPendingIds;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public static SilverSettings defaults() {
        return new SilverSettings(SilverOptions.DEDUP_TTL.defaultValue(), SilverOptions.DEDUP_PENDING_IDS.defaultValue(),
                SilverOptions.MAX_PAYLOAD_SIZE.defaultValue().getBytes());
    }

    public static SilverSettings from(ReadableConfig config) {
        return new SilverSettings(config.get(SilverOptions.DEDUP_TTL), config.get(SilverOptions.DEDUP_PENDING_IDS),
                config.get(SilverOptions.MAX_PAYLOAD_SIZE).getBytes());
    }

    public Duration dedupTtl() {
        return dedupTtl;
    }

    public int dedupPendingIds() {
        return dedupPendingIds;
    }

    public long maxPayloadBytes() {
        return maxPayloadBytes;
    }
}
