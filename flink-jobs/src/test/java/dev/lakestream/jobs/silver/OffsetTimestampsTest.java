package dev.lakestream.jobs.silver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetTimestampsTest {

    /** What java.time makes of the text: its instant, or the class of its exception. */
    private static Object javaTime(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    private static Object ours(String text) {
        try {
            return OffsetTimestamps.parse(text);
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2026-11-21T10:15:30Z", "2026-11-21T10:15:30.1Z", "2026-11-21T10:15:30.123Z", "2026-11-21T10:15:30.123456789Z",
            "2026-11-21T10:15:30.Z", "2026-11-21T10:15:30.1234567891Z", "2026-11-21T10:15:30+01:00", "2026-11-21T10:15:30-05:30",
            "2026-11-21T10:15:30.5+18:00", "2026-11-21T10:15:30-18:00", "2026-11-21T10:15:30+18:01", "2026-11-21T10:15:30+19:00",
            "2026-11-21T10:15:30+01:60", "2026-11-21T10:15:30-00:00", "2026-11-21T10:15:30+0100", "2026-11-21T10:15:30+01",
            "2026-11-21T10:15:30+01:00:30", "2026-11-21T10:15Z", "2026-11-21t10:15:30z", "2026-11-21 10:15:30Z",
            "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T23:60:00Z", "2026-11-21T23:59:60Z",
            "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-18:00", "+12026-11-21T10:15:30Z", "-2026-11-21T10:15:30Z",
            "2026-11-21T10:15:30", "2026-11-21T10:15:30ZZ", "2026-11-21T10:15:30Z ", "2026-1-21T10:15:30Z", "2026-11-21T1:15:30Z",
            "2026-11-21T10:15:3Z", "２０２６-11-21T10:15:30Z", "2026-11-21T10:15:30.12a4Z", "", "Z", "1732184130000"})
    void agreesWithJavaTime(String text) {
        assertThat(ours(text)).isEqualTo(javaTime(text));
    }

    /**
     * Random valid timestamps in every shape the fast path reads, each mutated at random (a
     * character replaced, removed or inserted): java.time's answer and ours are the same each time.
     */
    @Test
    void agreesWithJavaTimeOnRandomTextAndMutations() {
        Random random = new Random(20261122);
        String alphabet = "0123456789-:T.Z+ tz";
        int valid = 0;
        int fastValid = 0;
        for (int i = 0; i < 200_000; i++) {
            String text = randomTimestamp(random);
            if (random.nextInt(3) > 0) {
                StringBuilder b = new StringBuilder(text);
                int at = random.nextInt(b.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0: b.setCharAt(at, c); break;
                    case 1: b.deleteCharAt(at); break;
                    default: b.insert(at, c);
                }
                text = b.toString();
            }
            Object expected = javaTime(text);
            assertThat(ours(text)).as(text).isEqualTo(expected);
            if (expected instanceof Instant) {
                valid++;
                fastValid += OffsetTimestamps.fastPath(text) != null ? 1 : 0;
            }
        }
        // The comparison above covers the fast path only if it answered most valid texts itself.
        assertThat(valid).isGreaterThan(50_000);
        assertThat(fastValid).isGreaterThan(valid * 9 / 10);
    }

    private static String randomTimestamp(Random r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", r.nextInt(10_000), 1 + r.nextInt(12), 1 + r.nextInt(31),
                r.nextInt(24), r.nextInt(60), r.nextInt(60)));
        if (r.nextBoolean()) {
            b.append('.');
            int digits = r.nextInt(10);
            for (int k = 0; k < digits; k++) {
                b.append((char) ('0' + r.nextInt(10)));
            }
        }
        if (r.nextBoolean()) {
            b.append('Z');
        } else {
            b.append(r.nextBoolean() ? '+' : '-').append(String.format("%02d:%02d", r.nextInt(19), r.nextInt(60)));
        }
        return b.toString();
    }

    @Test
    void invalidTextThrowsJavaTimesParseException() {
        assertThatThrownBy(() -> OffsetTimestamps.parse("2026-02-30T00:00:00Z"))
                .isInstanceOf(DateTimeParseException.class)
                .hasMessageContaining("2026-02-30T00:00:00Z");
    }

    @Test
    void readsTheCommonShapeItself() {
        assertThat(OffsetTimestamps.fastPath("2026-11-21T10:15:30.123+01:00"))
                .isEqualTo(Instant.parse("2026-11-21T09:15:30.123Z"));
        assertThat(OffsetTimestamps.fastPath("2026-11-21T10:15:30.123456789Z"))
                .isEqualTo(Instant.ofEpochSecond(Instant.parse("2026-11-21T10:15:30Z").getEpochSecond(), 123_456_789));
    }
}
