package dev.lakestream.jobs.silver;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads, straight from the payload's bytes, a JSON object in the form nearly every event has: one
 * flat object of printable-ASCII names and values, with strings free of escapes, whole numbers of
 * at most 18 digits, {@code true}, {@code false} and {@code null}. At anything else (an escape, a
 * byte outside printable ASCII, a nested value, a fraction or exponent, broken syntax) it gives up
 * ({@link #GIVE_UP}) and the caller reads the payload with Jackson, which decides. So it never
 * answers differently from Jackson: it only ever answers sooner.
 *
 * <p>Why not Jackson for these too: validation and the watermarks' event-time read spent most of
 * their time in Jackson's name hashing and in building a {@code String} per value, which silver
 * then encoded back to UTF-8 bytes; for printable ASCII those bytes are the payload's own.
 *
 * <p>One instance per thread: it holds the position of the scan under way.
 */
final class FlatJsonScanner {

    /** {@link #next} read a field: its name and value are in the fields below. */
    static final int FIELD = 1;
    /** {@link #next} reached the closing brace, with only whitespace after it. */
    static final int END = 0;
    /** The payload is not in the form this reads; Jackson decides. */
    static final int GIVE_UP = -1;

    static final byte STRING = 1;
    static final byte NUMBER = 2;
    static final byte NULL = 3;
    static final byte TRUE = 4;
    static final byte FALSE = 5;

    private static final byte[] TRUE_BYTES = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE_BYTES = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};

    private byte[] in;
    private int pos;
    private boolean first;

    /** The field {@link #next} read: name bytes [nameStart, nameEnd), its value's kind and bytes. */
    int nameStart;
    int nameEnd;
    byte kind;
    /**
     * For {@link #STRING}: the characters between the quotes without leading and trailing spaces,
     * [valueStart, valueEnd): what {@code String.trim()} keeps, since printable ASCII has no other
     * character at or below a space. Both readers trim what they read.
     */
    int valueStart;
    int valueEnd;
    /** For {@link #NUMBER}. */
    long number;

    /** Starts a scan of {@code payload}; false if it does not open with an object. */
    boolean begin(byte[] payload) {
        in = payload;
        pos = 0;
        first = true;
        skipWhitespace();
        if (pos >= in.length || in[pos] != '{') {
            return false;
        }
        pos++;
        return true;
    }

    /** Reads the next field: {@link #FIELD}, {@link #END} or {@link #GIVE_UP}. */
    int next() {
        skipWhitespace();
        if (pos >= in.length) {
            return GIVE_UP;
        }
        byte b = in[pos];
        if (b == '}') {
            pos++;
            skipWhitespace();
            return pos == in.length ? END : GIVE_UP;
        }
        if (first) {
            first = false;
        } else {
            if (b != ',' || !stepOverWhitespace()) {
                return GIVE_UP;
            }
            b = in[pos];
        }
        if (b != '"' || !string()) {
            return GIVE_UP;
        }
        nameStart = valueStart;
        nameEnd = valueEnd;
        skipWhitespace();
        if (pos >= in.length || in[pos] != ':' || !stepOverWhitespace()) {
            return GIVE_UP;
        }
        b = in[pos];
        boolean read;
        if (b == '"') {
            kind = STRING;
            read = string();
            trimValue();
        } else if (b == '-' || (b >= '0' && b <= '9')) {
            kind = NUMBER;
            read = number();
        } else if (b == 't') {
            kind = TRUE;
            read = literal(TRUE_BYTES);
        } else if (b == 'f') {
            kind = FALSE;
            read = literal(FALSE_BYTES);
        } else if (b == 'n') {
            kind = NULL;
            read = literal(NULL_BYTES);
        } else {
            read = false; // an object, an array or broken syntax
        }
        if (!read) {
            return GIVE_UP;
        }
        // What follows a value must be a delimiter: "nullx" or "12abc" is Jackson's to reject.
        if (pos < in.length) {
            byte after = in[pos];
            if (after != ',' && after != '}' && !isWhitespace(after)) {
                return GIVE_UP;
            }
        }
        return FIELD;
    }

    /** {@code name} as ASCII bytes for {@link #nameIs}; null if it has other characters (never read here). */
    static byte[] asciiName(String name) {
        return StandardCharsets.US_ASCII.newEncoder().canEncode(name) ? name.getBytes(StandardCharsets.US_ASCII) : null;
    }

    /** Whether the field just read is named {@code name} (ASCII bytes). */
    boolean nameIs(byte[] name) {
        return Arrays.equals(in, nameStart, nameEnd, name, 0, name.length);
    }

    byte[] payload() {
        return in;
    }

    /** At a quote: the characters up to the closing quote, all printable ASCII and none a backslash. */
    private boolean string() {
        int start = ++pos;
        byte[] b = in;
        for (int i = start; i < b.length; i++) {
            byte c = b[i];
            if (c == '"') {
                valueStart = start;
                valueEnd = i;
                pos = i + 1;
                return true;
            }
            // Bytes are signed: everything from 0x80 up is negative, so below 0x20 as well.
            if (c < 0x20 || c == '\\' || c == 0x7F) {
                return false;
            }
        }
        return false;
    }

    private void trimValue() {
        while (valueStart < valueEnd && in[valueStart] == ' ') {
            valueStart++;
        }
        while (valueEnd > valueStart && in[valueEnd - 1] == ' ') {
            valueEnd--;
        }
    }

    /**
     * A whole number as JSON writes it (no leading zero) of at most 18 digits, so it fits a long.
     * Reads through locals and stores the position once: a loop that wrote the field per digit was
     * this class's costliest line in profiles.
     */
    private boolean number() {
        byte[] b = in;
        int p = pos;
        boolean negative = b[p] == '-';
        if (negative) {
            p++;
        }
        if (p >= b.length) {
            return false;
        }
        long value = 0;
        if (b[p] == '0') {
            p++;
        } else {
            int first = p;
            while (p < b.length && b[p] >= '0' && b[p] <= '9') {
                value = value * 10 + (b[p] - '0');
                p++;
            }
            if (p == first || p - first > 18) {
                return false;
            }
        }
        if (p < b.length) {
            byte c = b[p];
            if (c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')) {
                return false; // a fraction, an exponent, a leading zero
            }
        }
        pos = p;
        number = negative ? -value : value;
        return true;
    }

    private boolean literal(byte[] word) {
        if (pos + word.length > in.length || !Arrays.equals(in, pos, pos + word.length, word, 0, word.length)) {
            return false;
        }
        pos += word.length;
        return true;
    }

    /** Steps over the current byte (a comma or colon) and the whitespace after it; false at the end. */
    private boolean stepOverWhitespace() {
        pos++;
        skipWhitespace();
        return pos < in.length;
    }

    private void skipWhitespace() {
        byte[] b = in;
        int p = pos;
        while (p < b.length && isWhitespace(b[p])) {
            p++;
        }
        pos = p;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
