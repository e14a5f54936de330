package dev.lakestream.jobs.gold;

import org.apache.flink.streaming.api.TimerService;

/**
 * Keyed state kept as one {@code long[]} (one RocksDB value per key, read and written once per
 * event): a header of fixed slots, the first of them the layout's version, then records of a
 * fixed width. Shared by the gold operators that keep their state this way.
 */
final class PackedState {

    private PackedState() {}

    /**
     * {@code s} (null when the key has none) after checking its layout version.
     *
     * @throws IllegalStateException when another version of the operator wrote it
     */
    static long[] checked(long[] s, long version, String what) {
        if (s != null && s[0] != version) {
            throw new IllegalStateException(what + " state of layout version " + s[0] + " is not readable by this version,"
                    + " which reads " + version + ": restore the savepoint with the version that wrote it");
        }
        return s;
    }

    /**
     * Keeps one timer per key: registers {@code due} when it is earlier than the timer recorded in
     * {@code s[slot]} and records it there (a later timer left registered is ignored when it fires).
     */
    static void timerAt(long[] s, int slot, long due, TimerService timers) {
        if (due < s[slot]) {
            timers.registerEventTimeTimer(due);
            s[slot] = due;
        }
    }

    /**
     * The watermark a late event met. After a restore the operator's watermark starts over, but the
     * state knows the end (exclusive) of what already fired: {@code firedUntil}, {@code
     * Long.MIN_VALUE} when nothing did.
     */
    static long metWatermark(long watermark, long firedUntil) {
        return firedUntil == Long.MIN_VALUE ? watermark : Math.max(watermark, firedUntil - 1);
    }

    /** {@code s} without its first {@code n} records (the header kept). */
    static long[] dropFirst(long[] s, int header, int width, int n) {
        if (n == 0) {
            return s;
        }
        long[] rest = new long[s.length - n * width];
        System.arraycopy(s, 0, rest, 0, header);
        System.arraycopy(s, header + n * width, rest, header, rest.length - header);
        return rest;
    }
}
