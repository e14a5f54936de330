package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.tables.BronzeKafkaTable;

import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads a bronze table back through Iceberg and checks it against what was produced. */
public final class BronzeTableContents {

    private final List<SourceCoordinate> coordinates;
    private final Map<SourceCoordinate, byte[]> values;
    private final Map<SourceCoordinate, byte[]> keys;

    private BronzeTableContents(List<SourceCoordinate> coordinates, Map<SourceCoordinate, byte[]> values,
            Map<SourceCoordinate, byte[]> keys) {
        this.coordinates = coordinates;
        this.values = values;
        this.keys = keys;
    }

    public static BronzeTableContents read(Table table) throws Exception {
        table.refresh();
        List<SourceCoordinate> coordinates = new ArrayList<>();
        Map<SourceCoordinate, byte[]> values = new HashMap<>();
        Map<SourceCoordinate, byte[]> keys = new HashMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            for (Record r : rows) {
                SourceCoordinate c = new SourceCoordinate(
                        (String) r.getField(BronzeKafkaTable.TOPIC),
                        (Integer) r.getField(BronzeKafkaTable.PARTITION),
                        (Long) r.getField(BronzeKafkaTable.OFFSET));
                coordinates.add(c);
                values.put(c, bytes((ByteBuffer) r.getField(BronzeKafkaTable.RECORD_VALUE)));
                keys.put(c, bytes((ByteBuffer) r.getField(BronzeKafkaTable.RECORD_KEY)));
            }
        }
        return new BronzeTableContents(coordinates, values, keys);
    }

    public int rowCount() {
        return coordinates.size();
    }

    /**
     * Asserts exactly-once: every produced coordinate is in the table exactly once, nothing else is,
     * and each row's key and value are byte-equal to what was produced.
     */
    public void assertExactlyOnce(List<KafkaTestTopics.Produced> produced) {
        Map<SourceCoordinate, Long> duplicates = coordinates.stream()
                .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
        duplicates.values().removeIf(n -> n == 1);
        assertThat(duplicates).as("source coordinates written more than once (coordinate -> times)").isEmpty();

        Map<SourceCoordinate, KafkaTestTopics.Produced> expected = new HashMap<>();
        produced.forEach(p -> expected.put(p.coordinate, p));
        List<SourceCoordinate> missing = expected.keySet().stream()
                .filter(c -> !values.containsKey(c)).sorted().collect(Collectors.toList());
        assertThat(missing)
                .as("%s produced coordinates missing from bronze, per partition %s; first 20",
                        missing.size(), missingRanges(missing))
                .isEmpty();
        List<SourceCoordinate> unexpected = values.keySet().stream()
                .filter(c -> !expected.containsKey(c)).sorted().limit(20).collect(Collectors.toList());
        assertThat(unexpected).as("bronze rows that were never produced (first 20)").isEmpty();
        assertThat(coordinates).hasSameSizeAs(produced);

        List<SourceCoordinate> changed = new ArrayList<>();
        for (KafkaTestTopics.Produced p : produced) {
            if (!java.util.Arrays.equals(values.get(p.coordinate), p.value)
                    || !java.util.Arrays.equals(keys.get(p.coordinate), p.key)) {
                changed.add(p.coordinate);
            }
        }
        assertThat(changed).as("rows whose key or value bytes differ from what was produced").isEmpty();
    }

    /** Missing offsets per partition as compact ranges, to tell a lost tail from scattered loss. */
    private static Map<Integer, List<String>> missingRanges(List<SourceCoordinate> missing) {
        Map<Integer, List<String>> ranges = new TreeMap<>();
        long start = -1;
        long last = -2;
        int partition = -1;
        for (SourceCoordinate c : missing) {
            if (c.partition != partition || c.offset != last + 1) {
                if (start >= 0) {
                    ranges.computeIfAbsent(partition, p -> new ArrayList<>()).add(start + "-" + last);
                }
                start = c.offset;
                partition = c.partition;
            }
            last = c.offset;
        }
        if (start >= 0) {
            ranges.computeIfAbsent(partition, p -> new ArrayList<>()).add(start + "-" + last);
        }
        ranges.values().forEach(r -> { if (r.size() > 10) { r.subList(10, r.size()).clear(); r.add("..."); } });
        return ranges;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
