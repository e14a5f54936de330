package dev.lakestream.jobs.gold.features;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.gold.GoldEvent;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A declared set of rolling features of one entity over one source stream: what each source event
 * adds to a few measures (counts, sums as scaled integers), the windows, and the features, each an
 * aggregation of measures that {@link RollingFeatures} computes for every window. Declared in
 * {@link FeatureDefinitions}; the gold tables' columns follow from it.
 *
 * <p>Windows are whole buckets: at time t, an N-day window holds t's bucket (up to t) and the
 * buckets before it that make up N days; with day buckets, the 7-day window at 15:00 holds today
 * until 15:00 and the six days before. That makes the value at any t exact and the same on every
 * replay, and lets state keep one entry per entity and bucket.
 *
 * @param <S> the source event type
 */
public final class FeatureSet<S extends GoldEvent> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The gold input streams a set can read; {@code GoldJob} feeds each set the one it names. */
    public enum Source {
        /** {@code OrderFact}s of the captured orders table ({@code gold.features.orders-table}). */
        ORDER_CHANGES,
        /** Silver fulfillment events as {@code FulfillmentEvent}s. */
        FULFILLMENT_EVENTS
    }

    /** The type of the entity key column. */
    public enum EntityType {
        LONG,
        STRING
    }

    /** An entity key of a source event; null: the event belongs to no entity and counts nowhere. */
    @FunctionalInterface
    public interface EntityOf<S> extends Serializable {
        String of(S event);
    }

    /** A time or amount of a source event, in millis or scaled units. */
    @FunctionalInterface
    public interface LongOf<S> extends Serializable {
        long of(S event);
    }

    /** How a feature is computed from the window totals of its measures. */
    public enum Aggregation {
        /** The measure's total: BIGINT, or DECIMAL(18, scale) for a scaled measure. */
        SUM,
        /** Total of the first measure divided by that of the second: DECIMAL(18, scale of the first), half up; null when the second is 0. */
        AVERAGE,
        /** Total of the first measure divided by that of the second, as DOUBLE; null when the second is 0. */
        RATIO,
        /** The measure's total divided by the window's days, as DOUBLE. */
        PER_DAY
    }

    private static final class Measure<S> implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final int scale;
        final LongOf<S> value;

        Measure(String name, int scale, LongOf<S> value) {
            this.name = name;
            this.scale = scale;
            this.value = value;
        }
    }

    private static final class Feature implements Serializable {
        private static final long serialVersionUID = 1L;
        final String column;
        final Aggregation aggregation;
        final int first;
        final int second;
        final String doc;

        Feature(String column, Aggregation aggregation, int first, int second, String doc) {
            this.column = column;
            this.aggregation = aggregation;
            this.first = first;
            this.second = second;
            this.doc = doc;
        }
    }

    private final String name;
    private final Source source;
    private final String entityColumn;
    private final EntityType entityType;
    private final String entityDoc;
    private final long bucketMillis;
    private final long[] windowMillis;
    private final int latestBuckets;
    private final EntityOf<S> entity;
    private final LongOf<S> bucketTime;
    private final List<Measure<S>> measures;
    private final List<Feature> features;
    /** Column order: pairs of (feature index, window index), see {@link Builder#baseWindows}. */
    private final int[][] columns;

    private FeatureSet(Builder<S> b) {
        this.name = b.name;
        this.source = b.source;
        this.entityColumn = b.entityColumn;
        this.entityType = b.entityType;
        this.entityDoc = b.entityDoc;
        this.bucketMillis = b.bucket.toMillis();
        this.latestBuckets = b.latestBuckets;
        this.windowMillis = b.windows.stream().mapToLong(Duration::toMillis).sorted().toArray();
        this.entity = b.entity;
        this.bucketTime = b.bucketTime;
        this.measures = List.copyOf(b.measures);
        this.features = List.copyOf(b.features);
        List<Long> base = new ArrayList<>();
        (b.baseWindows == null ? b.windows : b.baseWindows).forEach(w -> base.add(w.toMillis()));
        List<int[]> order = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            for (int w = 0; w < windowMillis.length; w++) {
                if (base.contains(windowMillis[w])) {
                    order.add(new int[] {f, w});
                }
            }
        }
        for (int w = 0; w < windowMillis.length; w++) {
            if (!base.contains(windowMillis[w])) {
                for (int f = 0; f < features.size(); f++) {
                    order.add(new int[] {f, w});
                }
            }
        }
        this.columns = order.toArray(new int[0][]);
    }

    /**
     * @param name the tables' base name: {@code gold.<name>_log} and {@code gold.<name>_latest}
     * @param entityColumn the entity key column, e.g. {@code customer_id}
     */
    public static <S extends GoldEvent> Builder<S> builder(String name, String entityColumn, EntityType type, String doc) {
        return new Builder<>(name, entityColumn, type, doc);
    }

    public String name() {
        return name;
    }

    public Source source() {
        return source;
    }

    public long bucketMillis() {
        return bucketMillis;
    }

    /** The windows' lengths, shortest first. */
    public long[] windowMillis() {
        return windowMillis.clone();
    }

    public int measureCount() {
        return measures.size();
    }

    /** What {@code event} adds; null when it adds nothing (no entity, or every measure 0). */
    public FeatureInput input(S event) {
        String key = entity.of(event);
        if (key == null) {
            return null;
        }
        long[] deltas = new long[measures.size()];
        boolean any = false;
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = measures.get(i).value.of(event);
            any |= deltas[i] != 0;
        }
        if (!any) {
            return null;
        }
        FeatureInput in = new FeatureInput();
        in.entity = key;
        in.bucketTsMillis = Math.min(bucketTime.of(event), event.eventTsMillis());
        in.deltas = deltas;
        in.eventId = event.eventId();
        in.eventTsMillis = event.eventTsMillis();
        in.sourceName = event.sourceName();
        in.sourcePartition = event.sourcePartition();
        in.sourcePosition = event.sourcePosition();
        return in;
    }

    /**
     * The feature columns: feature by feature, each for every base window ({@code order_count_7d},
     * ...), then window by window the features of any other window (see {@link Builder#baseWindows}).
     */
    public List<Types.NestedField> featureColumns() {
        List<Types.NestedField> out = new ArrayList<>();
        int id = 1;
        for (int[] c : columns) {
            Feature f = features.get(c[0]);
            long w = windowMillis[c[1]];
            out.add(Types.NestedField.optional(id++, column(f, w), type(f), f.doc + " over " + label(w)));
        }
        return out;
    }

    public TableSpec logTable(String prefix) {
        return GoldTables.featureLog(prefix, name, entityField(), featureColumns());
    }

    public TableSpec latestTable(String prefix) {
        return GoldTables.featureLatest(prefix, name, entityField(), featureColumns(), latestBuckets);
    }

    private Types.NestedField entityField() {
        Type type = entityType == EntityType.LONG ? Types.LongType.get() : Types.StringType.get();
        return Types.NestedField.required(1, entityColumn, type, entityDoc);
    }

    /**
     * A row of the log and latest tables (entity, feature time, computed-at, then the features).
     *
     * @param totals per window (as {@link #windowMillis()}), the measures' totals
     */
    public RowData row(String key, long featureTs, long[][] totals, long computedAt) {
        GenericRowData row = new GenericRowData(3 + features.size() * windowMillis.length);
        row.setField(0, entityType == EntityType.LONG ? (Object) Long.parseLong(key) : StringData.fromString(key));
        row.setField(1, TimestampData.fromEpochMillis(featureTs));
        row.setField(2, TimestampData.fromEpochMillis(computedAt));
        int i = 3;
        for (int[] c : columns) {
            row.setField(i++, value(features.get(c[0]), totals[c[1]], windowMillis[c[1]]));
        }
        return row;
    }

    private Object value(Feature f, long[] totals, long window) {
        long first = totals[f.first];
        int scale = measures.get(f.first).scale;
        switch (f.aggregation) {
            case SUM:
                return scale == 0 ? (Object) first : DecimalData.fromUnscaledLong(first, 18, scale);
            case AVERAGE: {
                long second = totals[f.second];
                if (second == 0) {
                    return null;
                }
                BigDecimal avg = BigDecimal.valueOf(first, scale).divide(BigDecimal.valueOf(second), scale, RoundingMode.HALF_UP);
                return DecimalData.fromBigDecimal(avg, 18, scale);
            }
            case RATIO: {
                long second = totals[f.second];
                return second == 0 ? null : (double) first / second;
            }
            case PER_DAY:
                return BigDecimal.valueOf(first, scale).doubleValue() / ((double) window / Duration.ofDays(1).toMillis());
            default:
                throw new IllegalStateException("unknown aggregation " + f.aggregation);
        }
    }

    private Type type(Feature f) {
        int scale = measures.get(f.first).scale;
        switch (f.aggregation) {
            case SUM:
                return scale == 0 ? Types.LongType.get() : Types.DecimalType.of(18, scale);
            case AVERAGE:
                return Types.DecimalType.of(18, scale);
            default:
                return Types.DoubleType.get();
        }
    }

    private static String column(Feature f, long window) {
        return f.column.replace("{window}", label(window));
    }

    /** {@code 7d}, {@code 12h}. */
    static String label(long window) {
        Duration d = Duration.ofMillis(window);
        return d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toHours() + "h";
    }

    @Override
    public String toString() {
        return "FeatureSet{" + name + ", " + measures.size() + " measures, " + features.size() + " features x "
                + windowMillis.length + " windows}";
    }

    /** Declares a {@link FeatureSet}; {@link #build()} checks it and names what is wrong. */
    public static final class Builder<S extends GoldEvent> {
        private final String name;
        private final String entityColumn;
        private final EntityType entityType;
        private final String entityDoc;
        private Duration bucket;
        private int latestBuckets = 16;
        private Source source;
        private final List<Duration> windows = new ArrayList<>();
        private List<Duration> baseWindows;
        private EntityOf<S> entity;
        private LongOf<S> bucketTime;
        private final List<Measure<S>> measures = new ArrayList<>();
        private final List<Feature> features = new ArrayList<>();

        private Builder(String name, String entityColumn, EntityType entityType, String entityDoc) {
            this.name = Objects.requireNonNull(name, "name");
            this.entityColumn = Objects.requireNonNull(entityColumn, "entityColumn");
            this.entityType = Objects.requireNonNull(entityType, "entityType");
            this.entityDoc = Objects.requireNonNull(entityDoc, "entityDoc");
        }

        /** The stream the set reads (its events must be of the set's type {@code S}). */
        public Builder<S> from(Source source) {
            this.source = source;
            return this;
        }

        /** The entity of each source event; a source event whose entity is null is skipped. */
        public Builder<S> entity(EntityOf<S> entity) {
            this.entity = entity;
            return this;
        }

        /** The time an event counts at in the windows (at most its event time); by default its event time. */
        public Builder<S> countedAt(LongOf<S> bucketTime) {
            this.bucketTime = bucketTime;
            return this;
        }

        /** State keeps one entry per entity and bucket of this length, e.g. 1 day. */
        public Builder<S> buckets(Duration bucket) {
            this.bucket = bucket;
            return this;
        }

        /**
         * The latest table's entity buckets: about one per 100,000 entities, so that a lookup reads
         * a fraction of the table; 0 (unpartitioned) for a set of a few thousand entities or fewer,
         * whose latest table is small and would otherwise get a file per bucket per checkpoint.
         * Default 16. It applies when the table is created (an existing table keeps its partitioning).
         */
        public Builder<S> latestBuckets(int buckets) {
            this.latestBuckets = buckets;
            return this;
        }

        public Builder<S> windows(Duration... windows) {
            this.windows.addAll(List.of(windows));
            return this;
        }

        /**
         * The windows the set was first declared with: their columns come first, feature by feature.
         * The columns of any other window follow, window by window (shortest first), because a table
         * created before gains a new window's columns at its end and Iceberg writes only in the
         * table's column order. Add windows longer than those added before, or the start fails on
         * the column order. Default: every window.
         */
        public Builder<S> baseWindows(List<Duration> base) {
            this.baseWindows = List.copyOf(base);
            return this;
        }

        /** A measure: what each source event adds, as an integer of {@code scale} decimals (cents: 2). */
        public Builder<S> measure(String name, int scale, LongOf<S> value) {
            measures.add(new Measure<>(name, scale, value));
            return this;
        }

        /**
         * A feature per window, named {@code column} with {@code {window}} replaced by the window
         * ({@code order_count_{window}} gives {@code order_count_7d}, ...).
         *
         * @param measures one measure (SUM, PER_DAY) or two (AVERAGE, RATIO: numerator, denominator)
         */
        public Builder<S> feature(String column, Aggregation aggregation, String doc, String... measures) {
            int arity = aggregation == Aggregation.AVERAGE || aggregation == Aggregation.RATIO ? 2 : 1;
            if (measures.length != arity) {
                throw new IllegalArgumentException("feature " + column + " of " + name + ": " + aggregation + " takes " + arity
                        + " measure(s), got " + List.of(measures));
            }
            features.add(new Feature(column, aggregation, index(column, measures[0]), arity == 2 ? index(column, measures[1]) : -1, doc));
            return this;
        }

        private int index(String feature, String measure) {
            for (int i = 0; i < measures.size(); i++) {
                if (measures.get(i).name.equals(measure)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("feature " + feature + " of " + name + " uses measure '" + measure
                    + "', which is not declared before it; declared: " + measures.stream().map(m -> m.name).collect(java.util.stream.Collectors.toList()));
        }

        public FeatureSet<S> build() {
            List<String> problems = new ArrayList<>();
            if (!name.matches("[a-z][a-z0-9_]*")) {
                problems.add("name '" + name + "' must be lower-case a-z, 0-9, _");
            }
            if (source == null) {
                problems.add("no from(...) source");
            }
            if (entity == null) {
                problems.add("no entity(...)");
            }
            if (bucketTime == null) {
                bucketTime = GoldEvent::eventTsMillis;
            }
            if (bucket == null || bucket.isNegative() || bucket.isZero() || Duration.ofDays(1).toMillis() % bucket.toMillis() != 0) {
                problems.add("buckets(...) must divide a day, e.g. 1 h or 1 d; got " + bucket);
            }
            if (latestBuckets < 0) {
                problems.add("latestBuckets(...) must be 0 (unpartitioned) or more; got " + latestBuckets);
            }
            if (windows.isEmpty()) {
                problems.add("no windows(...)");
            }
            for (Duration w : windows) {
                if (bucket != null && !bucket.isZero() && (w.toMillis() % bucket.toMillis() != 0 || w.compareTo(bucket) < 0)) {
                    problems.add("window " + w + " is not a whole number of " + bucket + " buckets");
                }
            }
            if (windows.stream().distinct().count() != windows.size()) {
                problems.add("windows repeat: " + windows);
            }
            if (features.isEmpty()) {
                problems.add("no feature(...)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("feature set " + name + ": " + String.join("; ", problems));
            }
            FeatureSet<S> set = new FeatureSet<>(this);
            List<String> columns = set.featureColumns().stream().map(Types.NestedField::name).collect(java.util.stream.Collectors.toList());
            if (columns.stream().distinct().count() != columns.size()) {
                throw new IllegalArgumentException("feature set " + name + ": column names repeat: " + columns);
            }
            return set;
        }
    }
}
