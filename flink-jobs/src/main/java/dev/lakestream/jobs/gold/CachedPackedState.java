package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A keyed {@code long[]} value state ({@link PackedState}) with a write-back cache on the heap: a
 * key's value is read from the state backend once and then kept in memory, and changes stay in
 * memory until {@link #writeBack} stores them, before every snapshot (so checkpoints and savepoints
 * hold exactly what the operator holds) and whenever {@code maxKeys} keys are cached (then the
 * cache also empties, which bounds the memory it takes).
 *
 * <p>Why: on RocksDB every read and write serializes the key and value and crosses JNI, and the
 * gold operators read and write the value of their key once per event. An active key (a user in a
 * session, a facility) takes many events between two checkpoints; with the cache it costs one read
 * and one write per checkpoint instead. The state's name and type are those of a plain value
 * state, so savepoints taken with and without the cache restore into each other.
 *
 * <p>The operator must call {@link #writeBack}: {@link Operator} does, for a {@link KeyedProcessFunction}
 * that implements {@link Cached}. Values are kept by reference: a caller that changes an array it
 * got from {@link #get} must {@link #put} it back (the state backend's copy is not changed until then).
 */
final class CachedPackedState<K> {

    private static final class Entry {
        long[] value;
        boolean dirty;
    }

    private final ValueState<long[]> state;
    private final long version;
    private final String what;
    private final int maxKeys;
    private final Map<K, Entry> cache = new HashMap<>();

    /** The state {@code name} of {@code context}, readable when its layout version is {@code version}. */
    CachedPackedState(RuntimeContext context, String name, long version, String what, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("The cache must hold at least one key, not " + maxKeys);
        }
        this.state = context.getState(new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        this.version = version;
        this.what = what;
        this.maxKeys = maxKeys;
    }

    /** The value of {@code key}, the current key of the operator; null when it has none. */
    long[] get(K key) throws IOException {
        Entry entry = cache.get(key);
        if (entry == null) {
            entry = new Entry();
            entry.value = PackedState.checked(state.value(), version, what);
            cache.put(key, entry);
        }
        return entry.value;
    }

    /** Sets the value of {@code key}, the current key of the operator; null removes it. */
    void put(K key, long[] value) {
        Entry entry = cache.computeIfAbsent(key, k -> new Entry());
        entry.value = value;
        entry.dirty = true;
    }

    void clear(K key) {
        put(key, null);
    }

    /** Whether the cache holds as many keys as it may: time to write back and evict. */
    boolean full() {
        return cache.size() >= maxKeys;
    }

    /**
     * Stores every changed value in the state backend, switching the operator's current key to
     * each ({@code setKey}), and empties the cache when {@code evict}.
     */
    void writeBack(Consumer<K> setKey, boolean evict) throws IOException {
        for (Map.Entry<K, Entry> e : cache.entrySet()) {
            Entry entry = e.getValue();
            if (entry.dirty) {
                setKey.accept(e.getKey());
                if (entry.value == null) {
                    state.clear();
                } else {
                    state.update(entry.value);
                }
                entry.dirty = false;
            }
        }
        if (evict) {
            cache.clear();
        }
    }

    /** A keyed function whose state is a {@link CachedPackedState}, for {@link Operator} to write back. */
    interface Cached<K> {
        CachedPackedState<K> cachedState();
    }

    /** Runs a {@link Cached} function and writes its cache back before snapshots and when it is full. */
    static final class Operator<K, F extends KeyedProcessFunction<K, IN, OUT> & Cached<K>, IN, OUT>
            extends KeyedProcessOperator<K, IN, OUT> {
        private static final long serialVersionUID = 1L;

        private transient CachedPackedState<K> cache;

        Operator(F function) {
            super(function);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void open() throws Exception {
            super.open(); // opens the function, which creates its state
            cache = ((Cached<K>) userFunction).cachedState();
        }

        @Override
        public void processElement(StreamRecord<IN> element) throws Exception {
            super.processElement(element);
            if (cache.full()) {
                // The next element sets its own key: changing it here is safe.
                cache.writeBack(this::setCurrentKey, true);
            }
        }

        @Override
        public void onEventTime(InternalTimer<K, VoidNamespace> timer) throws Exception {
            super.onEventTime(timer);
            if (cache.full()) {
                // The timer service sets the key of every timer it fires: changing it here is safe.
                cache.writeBack(this::setCurrentKey, true);
            }
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            // Runs before the keyed state backend's snapshot, in the task thread, between two records.
            cache.writeBack(this::setCurrentKey, false);
            super.snapshotState(context);
        }
    }
}
