package dev.lakestream.jobs.serialization;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Utf8Strings gives exactly what Flink's own decoding gives, for ASCII and anything else. */
class Utf8StringsTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "c-123", "evt 7 ~!", "\u007f", "évé", "日本", "a\u0000b", "😀 emoji", "x\u00ff"})
    void decodesAsFlinkDoes(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[utf8.length + 5];
        System.arraycopy(utf8, 0, padded, 2, utf8.length);
        String flink = BinaryStringData.fromBytes(padded, 2, utf8.length).toString();

        assertThat(Utf8Strings.of(padded, 2, utf8.length)).isEqualTo(flink).isEqualTo(text);
        assertThat(Utf8Strings.of(BinaryStringData.fromAddress(new MemorySegment[] {MemorySegmentFactory.wrap(padded)}, 2,
                utf8.length))).isEqualTo(text);
        assertThat(Utf8Strings.of(StringData.fromString(text))).as("a string that was never bytes").isEqualTo(text);
    }

    /** Malformed UTF-8 goes to Flink's decoder, so even its replacement characters are the same. */
    @Test
    void malformedBytesDecodeAsFlinkDecodesThem() {
        byte[] malformed = {'a', (byte) 0xC3, 'b', (byte) 0xFF};

        assertThat(Utf8Strings.of(malformed, 0, malformed.length))
                .isEqualTo(BinaryStringData.fromBytes(malformed).toString());
    }

    /** A string whose bytes span two memory segments (Flink's decoder handles it). */
    @Test
    void bytesOverTwoSegments() {
        MemorySegment[] segments = {MemorySegmentFactory.wrap("abc".getBytes(StandardCharsets.US_ASCII)),
                MemorySegmentFactory.wrap("def".getBytes(StandardCharsets.US_ASCII))};

        assertThat(Utf8Strings.of(BinaryStringData.fromAddress(segments, 1, 4))).isEqualTo("bcde");
    }
}
