package dev.lakestream.jobs.silver;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings shared by every silver dataset: how long event ids are remembered (and the filter in front of
 * them), how large a payload may be.
 */
public final class SilverSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Duration dedupTtl;
    private final int dedupFilterIds;
    private final long maxPayloadBytes;

    public SilverSettings(Duration dedupTtl, int dedupFilterIds, long maxPayloadBytes) {
        if (dedupTtl.isNegative() || dedupTtl.isZero()) {
            throw new IllegalArgumentException("dedup TTL must be positive, got " + dedupTtl);
        }
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("max payload size must be positive, got " + maxPayloadBytes);
        }
        if (dedupFilterIds < 0) {
            throw new IllegalArgumentException("dedup filter ids per generation must be >= 0, got " + dedupFilterIds);
        }
        this.dedupTtl = dedupTtl;
        this.dedupFilterIds = dedupFilterIds;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public static SilverSettings defaults() {
        return new SilverSettings(SilverOptions.DEDUP_TTL.defaultValue(), SilverOptions.DEDUP_FILTER_IDS.defaultValue(),
                SilverOptions.MAX_PAYLOAD_SIZE.defaultValue().getBytes());
    }

    public static SilverSettings from(ReadableConfig config) {
        return new SilverSettings(config.get(SilverOptions.DEDUP_TTL), config.get(SilverOptions.DEDUP_FILTER_IDS),
                config.get(SilverOptions.MAX_PAYLOAD_SIZE).getBytes());
    }

    public Duration dedupTtl() {
        return dedupTtl;
    }

    /** Ids per generation of deduplication's filter; 0: no filter. */
    public int dedupFilterIds() {
        return dedupFilterIds;
    }

    public long maxPayloadBytes() {
        return maxPayloadBytes;
    }
}
