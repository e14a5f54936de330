package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.jobs.testing.KinesisTestStreams.KinesisCoordinate;
import dev.lakestream.jobs.testing.KinesisTestStreams.Produced;

import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads a Kinesis bronze table back through Iceberg and checks it against what was put. */
public final class KinesisBronzeTableContents {

    /** One bronze row, as read back. */
    public record Row(String stream, KinesisCoordinate coordinate, String partitionKey, byte[] data,
            boolean hasArrivalTime) {}

    private final List<Row> rows;

    private KinesisBronzeTableContents(List<Row> rows) {
        this.rows = rows;
    }

    public static KinesisBronzeTableContents read(Table table) throws Exception {
        table.refresh();
        List<Row> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                rows.add(new Row(
                        (String) r.getField(BronzeKinesisTable.STREAM),
                        new KinesisCoordinate(
                                (String) r.getField(BronzeKinesisTable.SHARD_ID),
                                (String) r.getField(BronzeKinesisTable.SEQUENCE_NUMBER)),
                        (String) r.getField(BronzeKinesisTable.PARTITION_KEY),
                        bytes((ByteBuffer) r.getField(BronzeKinesisTable.RECORD_DATA)),
                        r.getField(BronzeKinesisTable.APPROXIMATE_ARRIVAL_TS) != null));
            }
        }
        return new KinesisBronzeTableContents(rows);
    }

    public int rowCount() {
        return rows.size();
    }

    /**
     * Asserts exactly-once: every put (shard id, sequence number) is in the table exactly once,
     * nothing else is, and each row's stream, partition key and data bytes are what was put.
     */
    public void assertExactlyOnce(String stream, List<Produced> produced) {
        Map<KinesisCoordinate, Long> duplicates = rows.stream()
                .collect(Collectors.groupingBy(Row::coordinate, TreeMap::new, Collectors.counting()));
        duplicates.values().removeIf(n -> n == 1);
        assertThat(duplicates).as("coordinates written more than once (coordinate -> times)").isEmpty();

        Map<KinesisCoordinate, Row> byCoordinate = new HashMap<>();
        rows.forEach(r -> byCoordinate.put(r.coordinate(), r));
        Map<KinesisCoordinate, Produced> expected = new HashMap<>();
        produced.forEach(p -> expected.put(p.coordinate(), p));
        assertThat(expected).as("distinct coordinates among the records put").hasSameSizeAs(produced);

        List<KinesisCoordinate> missing = expected.keySet().stream()
                .filter(c -> !byCoordinate.containsKey(c)).sorted().collect(Collectors.toList());
        assertThat(missing.stream().limit(20).collect(Collectors.toList()))
                .as("%s put records missing from bronze, per shard %s; first 20",
                        missing.size(), missing.stream().collect(Collectors.groupingBy(
                                KinesisCoordinate::shardId, TreeMap::new, Collectors.counting())))
                .isEmpty();
        List<KinesisCoordinate> unexpected = byCoordinate.keySet().stream()
                .filter(c -> !expected.containsKey(c)).sorted().limit(20).collect(Collectors.toList());
        assertThat(unexpected).as("bronze rows that were never put (first 20)").isEmpty();
        assertThat(rows).hasSameSizeAs(produced);

        List<KinesisCoordinate> changed = new ArrayList<>();
        for (Produced p : produced) {
            Row row = byCoordinate.get(p.coordinate());
            if (!Arrays.equals(row.data(), p.data()) || !p.partitionKey().equals(row.partitionKey())
                    || !stream.equals(row.stream()) || !row.hasArrivalTime()) {
                changed.add(p.coordinate());
            }
        }
        assertThat(changed.stream().limit(20).collect(Collectors.toList()))
                .as("rows whose data, partition key, stream or arrival time differ from what was put (first 20 of %s)",
                        changed.size())
                .isEmpty();
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
