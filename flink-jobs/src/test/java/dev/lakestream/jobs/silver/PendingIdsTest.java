package dev.lakestream.jobs.silver;

import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The heap set of deduplication's pending ids: exact membership, growth, undo, and drain order. */
class PendingIdsTest {

    /** What one drained id was handed over with. */
    private static final class Drained {
        final String id;
        final long firstSeen;

        Drained(String id, long firstSeen) {
            this.id = id;
            this.firstSeen = firstSeen;
        }
    }

    private static boolean add(PendingIds ids, String id, int keyGroup, long firstSeen) {
        return add(ids, id, id.hashCode(), keyGroup, firstSeen);
    }

    private static boolean add(PendingIds ids, String id, int hash, int keyGroup, long firstSeen) {
        // The id in the middle of a segment, as in a row's bytes.
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[utf8.length + 7];
        System.arraycopy(utf8, 0, padded, 3, utf8.length);
        MemorySegment[] segments = {MemorySegmentFactory.wrap(padded)};
        return ids.add(segments, 3, utf8.length, hash, keyGroup, firstSeen);
    }

    private static List<Drained> drain(PendingIds ids) throws Exception {
        List<Drained> drained = new ArrayList<>();
        ids.drain((bytes, offset, length, firstSeen) ->
                drained.add(new Drained(new String(bytes, offset, length, StandardCharsets.UTF_8), firstSeen)));
        return drained;
    }

    @Test
    void holdsExactlyTheIdsAddedAsAHashSetWould() throws Exception {
        Random random = new Random(3);
        PendingIds ids = new PendingIds(100_000);
        Map<String, Long> oracle = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            // Many copies, ids of many lengths, and non-ASCII ones.
            String id = (random.nextBoolean() ? "c-" : "évé-") + random.nextInt(20_000) + "x".repeat(random.nextInt(3) * 20);
            boolean expectedNew = !oracle.containsKey(id);
            if (expectedNew) {
                oracle.put(id, (long) i);
            }
            assertThat(add(ids, id, 0, i)).as(id).isEqualTo(expectedNew);
        }
        assertThat(ids.size()).isEqualTo(oracle.size());
        Map<String, Long> drained = new HashMap<>();
        for (Drained d : drain(ids)) {
            assertThat(drained.put(d.id, d.firstSeen)).as("drained twice: %s", d.id).isNull();
        }
        assertThat(drained).isEqualTo(oracle);
        assertThat(ids.size()).isZero();
        assertThat(add(ids, oracle.keySet().iterator().next(), 0, 1L)).as("forgotten after the drain").isTrue();
    }

    /** Every id with the same hash: the table probes on and still tells them apart by their bytes. */
    @Test
    void idsWhoseHashesCollideStayApart() throws Exception {
        PendingIds ids = new PendingIds(10_000);
        for (int i = 0; i < 5_000; i++) {
            assertThat(add(ids, "id-" + i, 42, 0, i)).isTrue();
        }
        for (int i = 0; i < 5_000; i++) {
            assertThat(add(ids, "id-" + i, 42, 0, i)).isFalse();
        }
        assertThat(add(ids, "id-5000", 42, 0, 0)).isTrue();
        assertThat(ids.size()).isEqualTo(5_001);
    }

    @Test
    void removeLastForgetsOnlyTheNewestId() throws Exception {
        PendingIds ids = new PendingIds(10);
        add(ids, "a", 1, 10L);
        add(ids, "b", 2, 20L);
        ids.removeLast();

        assertThat(ids.size()).isEqualTo(1);
        assertThat(add(ids, "a", 1, 0L)).isFalse();
        assertThat(ids.size()).isEqualTo(1);
        assertThatThrownBy(ids::removeLast).as("the failed add left nothing to remove")
                .isInstanceOf(IllegalStateException.class);
        assertThat(add(ids, "b", 2, 30L)).isTrue();
        assertThat(add(ids, "c", 3, 40L)).isTrue();
        assertThat(drain(ids)).extracting(d -> d.id + "@" + d.firstSeen).containsExactly("a@10", "b@30", "c@40");
    }

    @Test
    void isFullAtItsCountOrAtSixtyFourBytesAnIdOnAverage() {
        PendingIds byCount = new PendingIds(3);
        add(byCount, "a", 0, 0L);
        add(byCount, "b", 0, 0L);
        assertThat(byCount.full()).isFalse();
        add(byCount, "b", 0, 0L);
        assertThat(byCount.full()).as("a copy is not held").isFalse();
        add(byCount, "c", 0, 0L);
        assertThat(byCount.full()).isTrue();

        PendingIds byBytes = new PendingIds(3);
        add(byBytes, "x".repeat(100), 0, 0L);
        assertThat(byBytes.full()).isFalse();
        add(byBytes, "y".repeat(100), 0, 0L);
        assertThat(byBytes.full()).as("200 bytes of ids >= 3 x 64").isTrue();
    }

    @Test
    void boundsItsCapacity() {
        assertThatThrownBy(() -> new PendingIds(0)).hasMessageContaining("between 1 and 16777216, not 0");
        assertThatThrownBy(() -> new PendingIds(PendingIds.MAX_IDS + 1)).hasMessageContaining("not 16777217");
    }

    /**
     * Drained in the byte order of the keys RocksDB stores (key group, then Flink's serialized
     * string) for ASCII ids shorter than 127 bytes, including ids sharing long prefixes and ids
     * longer than the 8 bytes compared first.
     */
    @Test
    void drainsInTheStateBackendsKeyOrder() throws Exception {
        Random random = new Random(7);
        PendingIds ids = new PendingIds(100_000);
        Map<String, Integer> keyGroups = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String id;
            switch (random.nextInt(3)) {
                case 0:
                    id = "c-" + random.nextInt(1_000_000);
                    break;
                case 1:
                    id = "order-0000000" + random.nextInt(100_000);
                    break;
                default:
                    char[] chars = new char[1 + random.nextInt(40)];
                    for (int c = 0; c < chars.length; c++) {
                        chars[c] = (char) (' ' + random.nextInt(95));
                    }
                    id = new String(chars);
            }
            int keyGroup = keyGroups.computeIfAbsent(id, k -> random.nextInt(1_000));
            add(ids, id, keyGroup, 0L);
        }
        List<String> drained = new ArrayList<>();
        drain(ids).forEach(d -> drained.add(d.id));
        List<String> byBytes = new ArrayList<>(keyGroups.keySet());
        byBytes.sort((a, b) -> Arrays.compareUnsigned(keyBytes(a, keyGroups.get(a)), keyBytes(b, keyGroups.get(b))));

        assertThat(drained).hasSize(keyGroups.size()).isEqualTo(byBytes);
    }

    /** The key as RocksDB stores it: two key-group bytes (max parallelism above 128), then Flink's serialized string. */
    private static byte[] keyBytes(String id, int keyGroup) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeShort(keyGroup);
            StringSerializer.INSTANCE.serialize(id, out);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
