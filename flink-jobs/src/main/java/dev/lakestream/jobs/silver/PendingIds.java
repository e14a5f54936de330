package dev.lakestream.jobs.silver;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.binary.BinarySegmentUtils;

import java.util.Arrays;

/**
 * Event ids that deduplication has seen since it last wrote to its state, held as UTF-8 bytes in
 * a few primitive arrays: one byte array for all ids, an open-addressing hash table of ordinals, and
 * per id its start, hash, key group and first-seen time. No object per id, so holding hundreds of
 * thousands of them for a checkpoint interval costs the garbage collector nothing (a map of
 * strings did: it doubled GC time).
 *
 * <p>Ids are drained in the state backend's key order (key group, then length, then bytes: how
 * RocksDB orders Flink's serialized string keys of ASCII ids shorter than 127 bytes), so that
 * RocksDB inserts each one next to the one before. Only the speed of those writes depends on the
 * order. Not thread-safe: the task thread alone uses it.
 */
final class PendingIds {

    /** Writes one drained id. */
    interface Writer {
        void write(byte[] bytes, int offset, int length, long firstSeenMillis) throws Exception;
    }

    /** The most ids one instance can hold (about 1 GiB of heap for short ids). */
    static final int MAX_IDS = 1 << 24;

    private static final int INITIAL_IDS = 1 << 12;

    private final int maxIds;
    private final long maxBytes;

    private byte[] bytes = new byte[INITIAL_IDS * 40];
    private int tail;
    private int count;
    private int[] start = new int[INITIAL_IDS];
    private int[] hash = new int[INITIAL_IDS];
    private char[] keyGroup = new char[INITIAL_IDS];
    private long[] firstSeen = new long[INITIAL_IDS];
    /** Ordinal + 1 per slot, 0 when free; at most half full. */
    private int[] slots = new int[INITIAL_IDS * 2];
    /** The slot of the last added id, -1 after a removal or drain. */
    private int lastSlot = -1;

    /**
     * @param maxIds how many ids make it {@link #full()}; it also holds at most 64 bytes of ids per
     *     id on average before it is full, so long ids cannot grow it without bound
     */
    PendingIds(int maxIds) {
        if (maxIds < 1 || maxIds > MAX_IDS) {
            throw new IllegalArgumentException("pending ids must be between 1 and " + MAX_IDS + ", not " + maxIds);
        }
        this.maxIds = maxIds;
        this.maxBytes = 64L * maxIds;
    }

    int size() {
        return count;
    }

    /** Time to drain: the next {@link #add} might not fit. */
    boolean full() {
        return count >= maxIds || tail >= maxBytes;
    }

    /**
     * Adds an id unless it is held already.
     *
     * @param idHash any hash of the id that equal ids share (the key's {@code hashCode()})
     * @param idKeyGroup the id's key group, below 65,536
     * @return whether the id was new
     */
    boolean add(MemorySegment[] segments, int offset, int length, int idHash, int idKeyGroup, long firstSeenMillis) {
        if (count == start.length) {
            grow();
        }
        ensureBytes(length);
        // The id goes to the tail first; it stays there only if it is new.
        BinarySegmentUtils.copyToBytes(segments, offset, bytes, tail, length);
        int mask = slots.length - 1;
        for (int slot = mix(idHash) & mask; ; slot = (slot + 1) & mask) {
            int held = slots[slot] - 1;
            if (held < 0) {
                slots[slot] = count + 1;
                lastSlot = slot;
                break;
            }
            if (hash[held] == idHash && equalsTail(held, length)) {
                lastSlot = -1;
                return false;
            }
        }
        start[count] = tail;
        hash[count] = idHash;
        keyGroup[count] = (char) idKeyGroup;
        firstSeen[count] = firstSeenMillis;
        count++;
        tail += length;
        return true;
    }

    /**
     * Forgets the id the last {@link #add} added (when the state turned out to know it already). No
     * later add may come between: with linear probing only the newest entry can be removed this way.
     */
    void removeLast() {
        if (lastSlot < 0) {
            throw new IllegalStateException("no id was added since the last removeLast or drain");
        }
        slots[lastSlot] = 0;
        lastSlot = -1;
        count--;
        tail = start[count];
    }

    /** Hands every held id to {@code writer} in key order, then forgets them all (keeping the arrays). */
    void drain(Writer writer) throws Exception {
        int[] order = keyOrder();
        for (int ordinal : order) {
            writer.write(bytes, start[ordinal], length(ordinal), firstSeen[ordinal]);
        }
        Arrays.fill(slots, 0);
        lastSlot = -1;
        count = 0;
        tail = 0;
    }

    /** Ordinals sorted by key group, length and bytes (a merge sort: no boxing, n log n whatever the ids share). */
    int[] keyOrder() {
        int[] order = new int[count];
        long[] head = new long[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
            head[i] = head(i);
        }
        mergeSort(order, order.clone(), 0, count, head);
        return order;
    }

    /** Sorts {@code order[from, to)}; {@code scratch} holds the same elements there on entry. */
    private void mergeSort(int[] order, int[] scratch, int from, int to, long[] head) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int id = order[i];
                int j = i;
                for (; j > from && compare(order[j - 1], id, head) > 0; j--) {
                    order[j] = order[j - 1];
                }
                order[j] = id;
            }
            return;
        }
        int middle = (from + to) >>> 1;
        // Sort each half into scratch, then merge the halves back into order.
        mergeSort(scratch, order, from, middle, head);
        mergeSort(scratch, order, middle, to, head);
        for (int i = from, left = from, right = middle; i < to; i++) {
            if (right >= to || left < middle && compare(scratch[left], scratch[right], head) <= 0) {
                order[i] = scratch[left++];
            } else {
                order[i] = scratch[right++];
            }
        }
    }

    private int compare(int a, int b, long[] head) {
        if (keyGroup[a] != keyGroup[b]) {
            return Integer.compare(keyGroup[a], keyGroup[b]);
        }
        int la = length(a);
        int lb = length(b);
        if (la != lb) {
            return Integer.compare(la, lb);
        }
        int byHead = Long.compareUnsigned(head[a], head[b]);
        if (byHead != 0 || la <= Long.BYTES) {
            return byHead;
        }
        return Arrays.compareUnsigned(bytes, start[a] + Long.BYTES, start[a] + la, bytes, start[b] + Long.BYTES, start[b] + lb);
    }

    /** The id's first 8 bytes, big-endian, zero-padded: most comparisons end here. */
    private long head(int ordinal) {
        int at = start[ordinal];
        int n = Math.min(length(ordinal), Long.BYTES);
        long head = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            head = head << 8 | (i < n ? bytes[at + i] & 0xFF : 0);
        }
        return head;
    }

    private int length(int ordinal) {
        return (ordinal + 1 < count ? start[ordinal + 1] : tail) - start[ordinal];
    }

    private boolean equalsTail(int ordinal, int length) {
        int at = start[ordinal];
        return length(ordinal) == length && Arrays.equals(bytes, at, at + length, bytes, tail, tail + length);
    }

    private void ensureBytes(int length) {
        if (tail + length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, tail + length));
        }
    }

    private void grow() {
        int capacity = start.length * 2;
        start = Arrays.copyOf(start, capacity);
        hash = Arrays.copyOf(hash, capacity);
        keyGroup = Arrays.copyOf(keyGroup, capacity);
        firstSeen = Arrays.copyOf(firstSeen, capacity);
        slots = new int[capacity * 2];
        int mask = slots.length - 1;
        for (int ordinal = 0; ordinal < count; ordinal++) {
            int slot = mix(hash[ordinal]) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = ordinal + 1;
        }
    }

    /** Spreads a string hash over the table's low bits (String.hashCode of similar ids differs in few bits). */
    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
