package dev.lakestream.jobs.serialization;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;

import java.nio.charset.StandardCharsets;

/**
 * Java strings of UTF-8 bytes, equal to what {@link BinaryStringData#toString()} returns. ASCII
 * bytes (event ids, codes, source coordinates) are copied straight into a Latin-1 string; Flink's
 * decoder copies them into a thread-local buffer first, then widens them into a char array that the
 * JDK narrows again. Anything else goes to Flink's decoder.
 */
public final class Utf8Strings {

    private Utf8Strings() {}

    public static String of(StringData data) {
        BinaryStringData s = (BinaryStringData) data;
        String decoded = s.getJavaObject();
        if (decoded != null) {
            return decoded;
        }
        MemorySegment[] segments = s.getSegments();
        if (segments.length == 1 && !segments[0].isOffHeap()) {
            return of(segments[0].getArray(), s.getOffset(), s.getSizeInBytes());
        }
        return s.toString();
    }

    public static String of(byte[] bytes, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] < 0) {
                return BinaryStringData.fromBytes(bytes, offset, length).toString();
            }
        }
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
}
