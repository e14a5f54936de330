package dev.lakestream.jobs.gold;

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
