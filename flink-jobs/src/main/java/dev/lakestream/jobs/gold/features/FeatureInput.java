package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.GoldEvent;

/**
 * One source event as a feature set reads it: the entity it belongs to, the bucket it counts in,
 * and what it adds to each of the set's measures. Its event time ({@link #eventTsMillis}) is when
 * it becomes known; {@link #bucketTsMillis} is the time it counts at in the windows, never later
 * than that (an order cancelled today counts in the day it was placed). A Flink POJO.
 */
public final class FeatureInput extends GoldEvent {

    public String entity;
    public long bucketTsMillis;
    /** One value per measure of the feature set, in declaration order; scaled integers. */
    public long[] deltas;

    public FeatureInput() {}
}
