package dev.lakestream.catalog.commits;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The source positions a table holds: per source partition ({@code <source>|<partition>}, e.g.
 * {@code orders|3} for a Kafka topic partition or {@code fulfillment|shardId-000000000001} for a
 * Kinesis shard), disjoint closed ranges of positions (Kafka offsets, Kinesis sequence numbers).
 *
 * <p>A range means: every record of that partition in the range that belongs in the table is in
 * it. It travels in each commit's snapshot summary under {@link #SUMMARY_KEY} as JSON (readable in
 * Athena's {@code "table$snapshots"}), cumulative: a commit's value is its parent's plus what the
 * commit added, so the newest snapshot that has the key describes the whole table. Restores,
 * stateless restarts and replays skip records already covered, so none lands twice.
 *
 * <p>Positions are unbounded integers because Kinesis sequence numbers exceed a long.
 */
public final class SourceRanges implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Snapshot summary key holding the cumulative ranges as JSON. */
    public static final String SUMMARY_KEY = "lakestream.source-ranges";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Partition key to sorted, disjoint, non-adjacent ranges ({@code [lo, hi]} pairs). */
    private final TreeMap<String, List<BigInteger[]>> ranges = new TreeMap<>();

    public static SourceRanges empty() {
        return new SourceRanges();
    }

    /** The key of a source partition: {@code source|partition}. */
    public static String partitionKey(String source, String partition) {
        return source + "|" + partition;
    }

    /** Adds {@code [lo, hi]} to {@code partition}, merging with overlapping or adjacent ranges. */
    public SourceRanges add(String partition, BigInteger lo, BigInteger hi) {
        if (lo.compareTo(hi) > 0) {
            throw new IllegalArgumentException("range [" + lo + ", " + hi + "] of " + partition + " is empty");
        }
        List<BigInteger[]> merged = new ArrayList<>();
        BigInteger newLo = lo;
        BigInteger newHi = hi;
        for (BigInteger[] r : ranges.getOrDefault(partition, Collections.emptyList())) {
            boolean apart = r[1].add(BigInteger.ONE).compareTo(newLo) < 0 || newHi.add(BigInteger.ONE).compareTo(r[0]) < 0;
            if (apart) {
                merged.add(r);
            } else {
                newLo = newLo.min(r[0]);
                newHi = newHi.max(r[1]);
            }
        }
        merged.add(new BigInteger[] {newLo, newHi});
        merged.sort((a, b) -> a[0].compareTo(b[0]));
        ranges.put(partition, merged);
        return this;
    }

    /** Adds every range of {@code other}. */
    public SourceRanges addAll(SourceRanges other) {
        other.ranges.forEach((p, list) -> list.forEach(r -> add(p, r[0], r[1])));
        return this;
    }

    /** Whether {@code position} of {@code partition} is in a range. */
    public boolean covers(String partition, BigInteger position) {
        List<BigInteger[]> list = ranges.get(partition);
        if (list == null) {
            return false;
        }
        // Few ranges per partition (one unless backfills left gaps): a scan is enough.
        for (BigInteger[] r : list) {
            if (r[0].compareTo(position) <= 0 && position.compareTo(r[1]) <= 0) {
                return true;
            }
        }
        return false;
    }

    /** The ranges of this that overlap a range of {@code other}, per partition; empty when they are disjoint. */
    public SourceRanges overlapWith(SourceRanges other) {
        SourceRanges out = new SourceRanges();
        ranges.forEach((p, list) -> {
            for (BigInteger[] a : list) {
                for (BigInteger[] b : other.ranges.getOrDefault(p, Collections.emptyList())) {
                    BigInteger lo = a[0].max(b[0]);
                    BigInteger hi = a[1].min(b[1]);
                    if (lo.compareTo(hi) <= 0) {
                        out.add(p, lo, hi);
                    }
                }
            }
        });
        return out;
    }

    /** What this covers and {@code base} does not (ranges cut at base's ranges). */
    public SourceRanges minus(SourceRanges base) {
        SourceRanges out = new SourceRanges();
        ranges.forEach((p, list) -> {
            for (BigInteger[] a : list) {
                List<BigInteger[]> pieces = new ArrayList<>();
                pieces.add(a);
                for (BigInteger[] b : base.ranges.getOrDefault(p, Collections.emptyList())) {
                    List<BigInteger[]> next = new ArrayList<>();
                    for (BigInteger[] piece : pieces) {
                        if (b[1].compareTo(piece[0]) < 0 || piece[1].compareTo(b[0]) < 0) {
                            next.add(piece);
                            continue;
                        }
                        if (piece[0].compareTo(b[0]) < 0) {
                            next.add(new BigInteger[] {piece[0], b[0].subtract(BigInteger.ONE)});
                        }
                        if (b[1].compareTo(piece[1]) < 0) {
                            next.add(new BigInteger[] {b[1].add(BigInteger.ONE), piece[1]});
                        }
                    }
                    pieces = next;
                }
                pieces.forEach(r -> out.add(p, r[0], r[1]));
            }
        });
        return out;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Partition keys with at least one range. */
    public List<String> partitions() {
        return new ArrayList<>(ranges.keySet());
    }

    /** The ranges of one partition as {@code [lo, hi]} pairs, in order. */
    public List<BigInteger[]> ranges(String partition) {
        List<BigInteger[]> out = new ArrayList<>();
        ranges.getOrDefault(partition, Collections.emptyList()).forEach(r -> out.add(r.clone()));
        return out;
    }

    /** JSON: {@code {"orders|0": [["0", "999"]], ...}}, positions as decimal strings. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ranges.forEach((p, list) -> {
            ArrayNode array = root.putArray(p);
            list.forEach(r -> array.addArray().add(r[0].toString()).add(r[1].toString()));
        });
        return root.toString();
    }

    /** Reads {@link #toJson()}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static SourceRanges fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("source ranges are not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("source ranges must be a JSON object, got: " + abbreviate(json));
        }
        SourceRanges out = new SourceRanges();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            for (JsonNode pair : field.getValue()) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IllegalArgumentException("range of " + field.getKey() + " must be [lo, hi], got " + pair);
                }
                try {
                    out.add(field.getKey(), new BigInteger(pair.get(0).asText()), new BigInteger(pair.get(1).asText()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("range of " + field.getKey() + " is not two integers: " + pair, e);
                }
            }
        }
        return out;
    }

    /**
     * What {@code table} holds on {@code branch}: the ranges of the newest snapshot of the branch's
     * history that has them (maintenance commits such as compactions carry none and change nothing).
     * Empty for a table or branch without such a snapshot.
     */
    public static SourceRanges committed(Table table, String branch) {
        Snapshot head = table.snapshot(branch);
        return head == null ? empty() : committedAsOf(table, head);
    }

    /** As {@link #committed(Table, String)}, as of {@code snapshot}. */
    public static SourceRanges committedAsOf(Table table, Snapshot snapshot) {
        for (Snapshot s : SnapshotUtil.ancestorsOf(snapshot.snapshotId(), table::snapshot)) {
            String json = s.summary() == null ? null : s.summary().get(SUMMARY_KEY);
            if (json != null) {
                return fromJson(json);
            }
        }
        return empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceRanges && toJson().equals(((SourceRanges) o).toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson());
    }

    @Override
    public String toString() {
        return toJson();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
