package dev.lakestream.jobs.silver;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses ISO-8601 timestamps with an offset, accepting exactly what
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} accepts and returning the same instant.
 *
 * <p>Every event's time is parsed twice (for the watermark at the source and by validation), and
 * {@code OffsetDateTime.parse} cost more than parsing the whole JSON payload. The shape nearly every
 * producer sends, {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|+HH:MM|-HH:MM)}, is read here digit by
 * digit; anything else (no seconds, lower-case letters, offsets with seconds, five-digit years, or
 * an invalid value) goes to {@code OffsetDateTime.parse}, so what is accepted and the exception for
 * what is not stay java.time's.
 */
public final class OffsetTimestamps {

    private static final int MAX_OFFSET_SECONDS = 18 * 3600;

    private OffsetTimestamps() {}

    /** @throws DateTimeParseException for text {@code ISO_OFFSET_DATE_TIME} does not parse */
    public static Instant parse(String text) {
        Instant fast = fastPath(text);
        return fast != null ? fast : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** The instant of the common shape, or null to leave the text to java.time. */
    static Instant fastPath(String s) {
        int n = s.length();
        // yyyy-MM-ddTHH:mm:ss is 19 characters, then at least the 'Z'.
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return null; // java.time names what is wrong (Feb 30, Feb 29 of a common year, hour 24, ...)
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i < n && isDigit(s.charAt(i))) {
                return null; // more than 9 fraction digits
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if ((oh | om) < 0 || om > 59) {
                return null;
            }
            offsetSeconds = oh * 3600 + om * 60;
            if (offsetSeconds > MAX_OFFSET_SECONDS) {
                return null;
            }
            if (s.charAt(i) == '-') {
                offsetSeconds = -offsetSeconds;
            }
        } else {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds, nanos);
    }

    /** The non-negative value of {@code count} decimal digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int k = from; k < from + count; k++) {
            char c = s.charAt(k);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
