package dev.lakestream.jobs.gold.features;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rolling features recomputed from scratch, with none of {@link RollingFeatures}' state: the value
 * of window w at time T sums the deltas of every input known by then (event time {@code <= T})
 * whose bucket lies in the window ({@code bucket + w > T}). Rows exist at every input's event time
 * and wherever a bucket that already had an input leaves a window.
 */
public final class FeatureOracle {

    private FeatureOracle() {}

    /** Expected rows as {@link #format} gives them, in entity and time order, up to {@code watermark}. */
    public static List<String> rows(FeatureSet<?> set, List<FeatureInput> inputs, long watermark) {
        long bucket = set.bucketMillis();
        long[] windows = set.windowMillis();
        Map<String, List<FeatureInput>> byEntity = new TreeMap<>();
        inputs.forEach(in -> byEntity.computeIfAbsent(in.entity, k -> new ArrayList<>()).add(in));
        List<String> out = new ArrayList<>();
        byEntity.forEach((entity, list) -> {
            TreeSet<Long> times = new TreeSet<>();
            for (FeatureInput in : list) {
                times.add(in.eventTsMillis);
                long b = start(in, bucket);
                for (long w : windows) {
                    if (in.eventTsMillis < b + w) {
                        times.add(b + w);
                    }
                }
            }
            for (long t : times.headSet(watermark, true)) {
                long[][] totals = new long[windows.length][set.measureCount()];
                for (FeatureInput in : list) {
                    long b = start(in, bucket);
                    for (int w = 0; w < windows.length; w++) {
                        if (in.eventTsMillis <= t && b + windows[w] > t) {
                            for (int m = 0; m < in.deltas.length; m++) {
                                totals[w][m] += in.deltas[m];
                            }
                        }
                    }
                }
                out.add(format(set.row(entity, t, totals, 0)));
            }
        });
        return out;
    }

    /** An input of {@code entity} known at {@code ts} and counted at it. */
    public static FeatureInput input(String entity, long ts, long... deltas) {
        FeatureInput in = new FeatureInput();
        in.entity = entity;
        in.eventTsMillis = ts;
        in.bucketTsMillis = ts;
        in.deltas = deltas;
        return in;
    }

    /** A feature table's rows as {@link #format} gives them, in {@link #rows}' order. */
    public static List<String> read(org.apache.iceberg.Table table) throws java.io.IOException {
        table.refresh();
        List<String> columns = new ArrayList<>();
        table.schema().columns().forEach(c -> columns.add(c.name()));
        List<String[]> keyed = new ArrayList<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> rows =
                org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
            for (org.apache.iceberg.data.Record r : rows) {
                // By the table's columns: a reader over delete files adds columns of its own (_pos).
                StringBuilder s = new StringBuilder().append(r.getField(columns.get(0))).append(' ').append(r.getField(columns.get(1)));
                for (int i = 3; i < columns.size(); i++) {
                    Object v = r.getField(columns.get(i));
                    s.append(' ').append(v instanceof java.math.BigDecimal ? ((java.math.BigDecimal) v).toPlainString() : String.valueOf(v));
                }
                keyed.add(new String[] {String.valueOf(r.getField(columns.get(0))), r.getField(columns.get(1)).toString(), s.toString()});
            }
        }
        keyed.sort(java.util.Comparator.comparing((String[] k) -> k[0]).thenComparing(k -> java.time.LocalDateTime.parse(k[1])));
        List<String> out = new ArrayList<>();
        keyed.forEach(k -> out.add(k[2]));
        return out;
    }

    private static long start(FeatureInput in, long bucket) {
        return Math.floorDiv(Math.min(in.bucketTsMillis, in.eventTsMillis), bucket) * bucket;
    }

    /** A row without its computed-at: entity, feature time (ISO), then every feature. */
    static String format(RowData row) {
        StringBuilder s = new StringBuilder();
        s.append(field(row, 0)).append(' ').append(row.getTimestamp(1, 6).toLocalDateTime());
        for (int i = 3; i < row.getArity(); i++) {
            s.append(' ').append(field(row, i));
        }
        return s.toString();
    }

    private static Object field(RowData row, int i) {
        Object v = ((org.apache.flink.table.data.GenericRowData) row).getField(i);
        return v instanceof TimestampData ? ((TimestampData) v).toLocalDateTime() : v;
    }
}
