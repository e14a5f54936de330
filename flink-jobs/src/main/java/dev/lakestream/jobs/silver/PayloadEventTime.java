package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.bronze.BronzeSource;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * The event time of a bronze row of an event stream, read at the source so that watermarks are
 * generated per Kafka partition or Kinesis shard: the payload's event-time field (ISO-8601 with
 * offset, or epoch millis), found by a streaming scan of the top-level JSON object: straight from
 * the bytes while the object is in {@link FlatJsonScanner}'s form, else by Jackson, from the start.
 *
 * <p>A record without a readable event time (it will be quarantined), or with one more than a day
 * ahead of the wall clock (a broken client clock), gets {@link Long#MIN_VALUE}: it never moves the
 * watermark, which it would otherwise push past every honest event.
 */
public final class PayloadEventTime implements SerializableTimestampAssigner<RowData> {

    private static final long serialVersionUID = 1L;

    static final Duration MAX_AHEAD = Duration.ofDays(1);

    private final int payloadField;
    private final String field;
    private transient JsonFactory json;
    private transient FlatJsonScanner scanner;
    /** {@link #field} as ASCII bytes; null if it has other characters (then Jackson always reads). */
    private transient byte[] fieldBytes;
    /** Wall clock plus {@link #MAX_AHEAD} when last read: the clock is read again only for times past it. */
    private transient long aheadLimit;

    /**
     * @param payloadField position of the payload in the bronze rows ({@link BronzeSource#payloadField()})
     * @param field the payload's event-time field
     */
    public PayloadEventTime(int payloadField, String field) {
        this.payloadField = payloadField;
        this.field = field;
    }

    @Override
    public long extractTimestamp(RowData row, long recordTimestamp) {
        byte[] payload = BronzeSource.payload(row, payloadField);
        try {
            long ts = of(payload);
            if (ts > aheadLimit) {
                aheadLimit = System.currentTimeMillis() + MAX_AHEAD.toMillis();
                return ts > aheadLimit ? Long.MIN_VALUE : ts;
            }
            return ts;
        } catch (IOException e) {
            // Not JSON: silver quarantines the record with the reason. It carries no event time.
            return Long.MIN_VALUE;
        }
    }

    /** The event time in {@code payload}; {@link Long#MIN_VALUE} when it has none. */
    long of(byte[] payload) throws IOException {
        if (payload == null) {
            return Long.MIN_VALUE;
        }
        if (scanner == null) {
            scanner = new FlatJsonScanner();
            fieldBytes = FlatJsonScanner.asciiName(field);
        }
        FlatJsonScanner scan = scanner;
        if (fieldBytes != null && scan.begin(payload)) {
            int step;
            while ((step = scan.next()) == FlatJsonScanner.FIELD) {
                if (scan.nameIs(fieldBytes)) {
                    return scannedTime(scan);
                }
            }
            if (step == FlatJsonScanner.END) {
                return Long.MIN_VALUE; // a whole object without the field
            }
        }
        return jacksonOf(payload);
    }

    /** The first field of that name decides, as in {@link #jacksonOf}. */
    private static long scannedTime(FlatJsonScanner scan) {
        if (scan.kind == FlatJsonScanner.NUMBER) {
            return scan.number;
        }
        if (scan.kind != FlatJsonScanner.STRING) {
            return Long.MIN_VALUE;
        }
        try {
            return OffsetTimestamps.parse(new String(scan.payload(), scan.valueStart, scan.valueEnd - scan.valueStart,
                    StandardCharsets.US_ASCII)).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    /** {@link #of} by Jackson's streaming parser, for payloads outside {@link FlatJsonScanner}'s form. */
    long jacksonOf(byte[] payload) throws IOException {
        if (json == null) {
            json = new JsonFactory();
        }
        try (JsonParser parser = json.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Long.MIN_VALUE;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.getCurrentName();
                JsonToken value = parser.nextToken();
                if (field.equals(name)) {
                    if (value == JsonToken.VALUE_STRING) {
                        try {
                            return OffsetTimestamps.parse(parser.getText().trim()).toEpochMilli();
                        } catch (DateTimeParseException e) {
                            return Long.MIN_VALUE;
                        }
                    }
                    return value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : Long.MIN_VALUE;
                }
                parser.skipChildren();
            }
            return Long.MIN_VALUE;
        }
    }
}
