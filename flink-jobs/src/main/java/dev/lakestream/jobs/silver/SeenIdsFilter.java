package dev.lakestream.jobs.silver;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Which event ids deduplication has certainly never stored: a Bloom filter on the heap in front of
 * its RocksDB state, so that a new id (nearly every record) costs no state lookup. A "maybe" is
 * answered by the state, as without the filter; the filter may only ever be wrong towards "maybe".
 *
 * <p>Ids go into generations of {@code idsPerGeneration} each (Guava's {@link BloomFilter}, 1% false
 * positives at that load). A generation is dropped once every id in it has outlived the state's TTL
 * (its last insertion plus the TTL, plus a minute for clock skew). When more than {@link
 * #MAX_GENERATIONS} would be needed, all are dropped and the filter is not asked again until every
 * id it held has expired from the state: the lookups are then as before, never wrong.
 */
final class SeenIdsFilter {

    static final int MAX_GENERATIONS = 4;
    static final double FALSE_POSITIVE_RATE = 0.01;
    /** Slack between the clock here (processing time) and the state TTL's, which may differ slightly. */
    static final long CLOCK_SLACK_MILLIS = 60_000;

    private static final class Generation {
        final BloomFilter<CharSequence> ids;
        int count;
        long lastInsertMillis = Long.MIN_VALUE;

        Generation(int capacity) {
            ids = BloomFilter.create(Funnels.unencodedCharsFunnel(), capacity, FALSE_POSITIVE_RATE);
        }
    }

    private final int idsPerGeneration;
    private final long ttlMillis;
    /** Newest first. */
    private final ArrayDeque<Generation> generations = new ArrayDeque<>();
    /** Before this time the filter answers "maybe" for every id: ids the state may hold are not in it. */
    private long trustedFromMillis;
    private long saturations;

    /**
     * @param trustedFromMillis from when the filter holds every id the state holds (the start of a job
     *     with empty state, or after the ids of restored state were added)
     */
    SeenIdsFilter(int idsPerGeneration, Duration ttl, long trustedFromMillis) {
        if (idsPerGeneration <= 0) {
            throw new IllegalArgumentException("ids per generation must be positive, got " + idsPerGeneration);
        }
        this.idsPerGeneration = idsPerGeneration;
        this.ttlMillis = ttl.toMillis();
        this.trustedFromMillis = trustedFromMillis;
        generations.addFirst(new Generation(idsPerGeneration));
    }

    /** False only if {@code id} was never {@link #add added} within the state's TTL before {@code nowMillis}. */
    boolean mightContain(String id, long nowMillis) {
        if (nowMillis < trustedFromMillis) {
            return true;
        }
        for (Generation generation : generations) {
            if (generation.ids.mightContain(id)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether this insertion ran out of generations (the filter stops answering for one TTL) */
    boolean add(String id, long nowMillis) {
        Generation current = generations.peekFirst();
        current.ids.put(id);
        current.lastInsertMillis = Math.max(current.lastInsertMillis, nowMillis);
        if (++current.count >= idsPerGeneration) {
            return startGeneration(nowMillis);
        }
        return false;
    }

    private boolean startGeneration(long nowMillis) {
        for (Iterator<Generation> it = generations.iterator(); it.hasNext(); ) {
            if (expired(it.next(), nowMillis)) {
                it.remove();
            }
        }
        if (generations.size() >= MAX_GENERATIONS) {
            // The ids of the dropped generations may stay in the state for up to one TTL.
            long lastInsert = generations.stream().mapToLong(g -> g.lastInsertMillis).max().orElse(nowMillis);
            trustedFromMillis = Math.max(trustedFromMillis, Math.max(lastInsert, nowMillis) + ttlMillis + CLOCK_SLACK_MILLIS);
            generations.clear();
            saturations++;
            generations.addFirst(new Generation(idsPerGeneration));
            return true;
        }
        generations.addFirst(new Generation(idsPerGeneration));
        return false;
    }

    private boolean expired(Generation generation, long nowMillis) {
        return generation.count > 0 && generation.lastInsertMillis + ttlMillis + CLOCK_SLACK_MILLIS < nowMillis;
    }

    int generations() {
        return generations.size();
    }

    /** How often the filter ran out of generations and stopped answering for one TTL. */
    long saturations() {
        return saturations;
    }

    boolean trusted(long nowMillis) {
        return nowMillis >= trustedFromMillis;
    }

    long trustedFromMillis() {
        return trustedFromMillis;
    }
}
