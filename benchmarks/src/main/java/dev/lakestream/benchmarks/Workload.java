package dev.lakestream.benchmarks;

import dev.lakestream.cdc.SourcePosition;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.gold.features.FeatureInput;
import dev.lakestream.jobs.gold.features.FeatureSet;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The inputs of one benchmark run, generated from a seed and grouped by the day of their event
 * time: a run feeds one day, then moves the watermark to that day's end, as a job reading the
 * stream in order would. Stored as primitive columns (a few million inputs as objects would not
 * fit the heap); {@link #input} builds the {@link FeatureInput} when it is fed, so every design
 * measured gets the same inputs.
 *
 * <p>Also counts what the rolling-features state must hold after the last watermark (buckets and
 * expiry timers), which the benchmark checks against the state it measures.
 */
final class Workload {

    static final long HOUR = Duration.ofHours(1).toMillis();
    static final long DAY = Duration.ofDays(1).toMillis();
    /** The end of the generated history; the last watermark is just before it. */
    static final long NOW = Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();

    private static final byte PLACED = 0;
    private static final byte CANCELLED = 1;
    private static final byte FULFILLMENT = 2;

    final String description;
    final FeatureSet<?> set;
    final int keys;
    /** Start of the first fed day. */
    final long start;
    private final int measures;
    private final String[] entities;
    private final Day[] days;
    private long inputs;
    /** Distinct (entity, bucket) pairs: the rolling state's bucket entries after the last watermark. */
    private long buckets;
    /** Expiry timers still pending after the last watermark: distinct (entity, bucket + window) not yet reached. */
    private long expiryTimers;
    /** The current entity's expiry times; timers of one key at the same time are one timer. */
    private long[] keyTimers = new long[64];
    private int keyTimerCount;

    private Workload(String description, FeatureSet<?> set, int keys, int historyDays) {
        this.description = description;
        this.set = set;
        this.keys = keys;
        this.start = NOW - historyDays * DAY;
        this.measures = set.measureCount();
        this.entities = new String[keys];
        this.days = new Day[historyDays];
        for (int d = 0; d < historyDays; d++) {
            days[d] = new Day(measures);
        }
    }

    /**
     * Customers of {@link FeatureDefinitions#CUSTOMER} over the 90 days before {@link #NOW}: each
     * with orders on {@code minDays..maxDays} distinct days, one or two a day (5.00 to 305.00), one
     * order in ten cancelled 1 h to 5 days later (counted in the day it was placed).
     */
    static Workload customers(int keys, int minDays, int maxDays, long seed) {
        int history = 90;
        String what = minDays == maxDays ? minDays + " active day" + (minDays == 1 ? "" : "s")
                : minDays + " to " + maxDays + " active days";
        Workload w = new Workload(String.format(Locale.ROOT, "%,d customers, %s each within 90 days", keys, what),
                FeatureDefinitions.CUSTOMER, keys, history);
        SplittableRandom r = new SplittableRandom(seed);
        long orderId = 500_000_000L;
        int[] chosen = new int[maxDays];
        for (int k = 0; k < keys; k++) {
            w.entities[k] = Long.toString(10_000_000L + k);
            int active = minDays + r.nextInt(maxDays - minDays + 1);
            for (int i = 0; i < active; i++) {
                int day;
                do {
                    day = r.nextInt(history);
                } while (contains(chosen, i, day));
                chosen[i] = day;
                long dayStart = w.start + day * DAY;
                int orders = 1 + r.nextInt(2);
                for (int o = 0; o < orders; o++) {
                    long placed = dayStart + r.nextLong(DAY);
                    long id = orderId++;
                    w.add(k, placed, placed, id, PLACED, 1, 500 + r.nextInt(30_000), 0);
                    if (r.nextInt(10) == 0) {
                        long cancelled = placed + HOUR + r.nextLong(5 * DAY);
                        if (cancelled < NOW) {
                            w.add(k, cancelled, placed, id, CANCELLED, 0, 0, 1);
                        }
                    }
                }
                w.bucket(dayStart);
            }
            w.endKey();
        }
        return w;
    }

    /** Facilities of {@link FeatureDefinitions#FACILITY} busy every hour of the 30 days before {@link #NOW}: 1 to 4 events an hour, 1 to 50 units each. */
    static Workload facilities(int keys, long seed) {
        int history = 30;
        Workload w = new Workload(String.format(Locale.ROOT, "%,d facilities, events every hour of 30 days", keys),
                FeatureDefinitions.FACILITY, keys, history);
        SplittableRandom r = new SplittableRandom(seed);
        long event = 0;
        for (int k = 0; k < keys; k++) {
            w.entities[k] = String.format(Locale.ROOT, "FC-%03d", k + 1);
            for (long hour = w.start; hour < NOW; hour += HOUR) {
                int events = 1 + r.nextInt(4);
                for (int e = 0; e < events; e++) {
                    long ts = hour + r.nextLong(HOUR);
                    w.add(k, ts, ts, event++, FULFILLMENT, 1 + r.nextInt(50));
                }
                w.bucket(hour);
            }
            w.endKey();
        }
        return w;
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    private void add(int key, long eventTs, long bucketTs, long id, byte kind, long... deltas) {
        days[(int) ((eventTs - start) / DAY)].add(key, eventTs, bucketTs, id, kind, deltas);
        inputs++;
    }

    /** A bucket with activity: one state entry, and a timer for each window it has not left by the last watermark. */
    private void bucket(long bucketStart) {
        buckets++;
        for (long window : set.windowMillis()) {
            if (bucketStart + window > lastWatermark()) {
                if (keyTimerCount == keyTimers.length) {
                    keyTimers = Arrays.copyOf(keyTimers, keyTimerCount * 2);
                }
                keyTimers[keyTimerCount++] = bucketStart + window;
            }
        }
    }

    /** E.g. hour buckets: the 7-day expiry of one bucket is the 30-day expiry of the one 23 days older. */
    private void endKey() {
        Arrays.sort(keyTimers, 0, keyTimerCount);
        for (int i = 0; i < keyTimerCount; i++) {
            if (i == 0 || keyTimers[i] != keyTimers[i - 1]) {
                expiryTimers++;
            }
        }
        keyTimerCount = 0;
    }

    int dayCount() {
        return days.length;
    }

    int inputsOn(int day) {
        return days[day].size;
    }

    /** The index of the entity of the {@code i}-th input of day {@code day}. */
    int key(int day, int i) {
        return days[day].key[i];
    }

    String entity(int key) {
        return entities[key];
    }

    long eventTs(int day, int i) {
        return days[day].eventTs[i];
    }

    /** The watermark after day {@code day}: its last millisecond, so the next day's inputs are not late. */
    long watermarkAfter(int day) {
        return start + (day + 1) * DAY - 1;
    }

    long lastWatermark() {
        return NOW - 1;
    }

    long inputs() {
        return inputs;
    }

    long expectedBuckets() {
        return buckets;
    }

    long expectedExpiryTimers() {
        return expiryTimers;
    }

    /** The {@code i}-th input of day {@code day}, with ids and source positions shaped like the real ones. */
    FeatureInput input(int day, int i) {
        Day d = days[day];
        FeatureInput in = new FeatureInput();
        int key = d.key[i];
        long id = d.id[i];
        in.entity = entities[key];
        in.eventTsMillis = d.eventTs[i];
        in.bucketTsMillis = d.bucketTs[i];
        in.deltas = Arrays.copyOfRange(d.deltas, i * measures, (i + 1) * measures);
        if (d.kind[i] == FULFILLMENT) {
            // Silver fulfillment events from Kafka: a UUID, the topic, its partition and the offset.
            in.eventId = new UUID(mix(id), mix(~id)).toString();
            in.sourceName = "fulfillment-events";
            in.sourcePartition = Integer.toString(key % 6);
            in.sourcePosition = Long.toString(1_000_000L + id);
        } else {
            // Order facts from the PostgreSQL capture (OrderTransitions): order:status, capture, table, LSN.
            in.eventId = id + (d.kind[i] == PLACED ? ":PLACED" : ":CANCELLED");
            in.sourceName = "shop";
            in.sourcePartition = "orders";
            in.sourcePosition = postgresPosition(0x1_0000_0000L + in.eventTsMillis * 16 + (id & 15));
        }
        return in;
    }

    /** {@link SourcePosition#postgres(long)}'s sortable form without String.format, which would cost more than the state updates. */
    static String postgresPosition(long lsn) {
        String digits = Long.toString(lsn);
        StringBuilder s = new StringBuilder(23).append("pg:");
        for (int i = digits.length(); i < 20; i++) {
            s.append('0');
        }
        return s.append(digits).toString();
    }

    /** Fails if {@link #postgresPosition} no longer matches the format bronze and state store. */
    static void checkPositionFormat() {
        long lsn = 0x1_2345_6789L;
        String expected = SourcePosition.postgres(lsn).sortable();
        if (!expected.equals(postgresPosition(lsn))) {
            throw new IllegalStateException("source position format changed: " + expected + " vs " + postgresPosition(lsn));
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** One day's inputs as growable primitive columns. */
    private static final class Day {
        final int measures;
        int size;
        int[] key = new int[16];
        long[] eventTs = new long[16];
        long[] bucketTs = new long[16];
        long[] id = new long[16];
        byte[] kind = new byte[16];
        long[] deltas;

        Day(int measures) {
            this.measures = measures;
            this.deltas = new long[16 * measures];
        }

        void add(int k, long ts, long bucket, long eventId, byte eventKind, long[] values) {
            if (size == key.length) {
                int capacity = size + (size >> 1);
                key = Arrays.copyOf(key, capacity);
                eventTs = Arrays.copyOf(eventTs, capacity);
                bucketTs = Arrays.copyOf(bucketTs, capacity);
                id = Arrays.copyOf(id, capacity);
                kind = Arrays.copyOf(kind, capacity);
                deltas = Arrays.copyOf(deltas, capacity * measures);
            }
            key[size] = k;
            eventTs[size] = ts;
            bucketTs[size] = bucket;
            id[size] = eventId;
            kind[size] = eventKind;
            System.arraycopy(values, 0, deltas, size * measures, measures);
            size++;
        }
    }
}
