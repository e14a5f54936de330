package dev.lakestream.cdc;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Set;

/**
 * The commit time of a Debezium change envelope ({@code source.ts_ms}), for watermarks on CDC
 * sources. Read with a streaming parser that skips the row images, so it costs a fraction of the
 * full parse that {@link DebeziumEnvelopes} does later in the job.
 *
 * <p>A snapshot read (op {@code r}, or a {@code source.snapshot} marker) has no commit time: it
 * returns 0, whatever {@code ts_ms} says (Flink CDC writes 0 there, Debezium's own snapshot the
 * time of the read). So does anything that is not an envelope: such records go to quarantine
 * further on and must not move the watermark.
 */
public final class CommitTime implements SerializableTimestampAssigner<String> {

    private static final long serialVersionUID = 1L;

    /** {@code source.snapshot} values of rows read by a snapshot (Debezium 1.x to 2.7). */
    static final Set<String> SNAPSHOT_MARKERS =
            Set.of("true", "first", "last", "first_in_data_collection", "last_in_data_collection");

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public long extractTimestamp(String envelope, long recordTimestamp) {
        return of(envelope);
    }

    /** Commit time in epoch milliseconds; 0 for snapshot reads and for what is not an envelope. */
    public static long of(String envelope) {
        if (envelope == null || envelope.isEmpty()) {
            return 0;
        }
        try (JsonParser parser = JSON.createParser(envelope)) {
            return parser.nextToken() == JsonToken.START_OBJECT ? scan(parser) : 0;
        } catch (IOException | RuntimeException e) {
            // Malformed: ParseChanges quarantines it with the reason; it only must not move the watermark.
            return 0;
        }
    }

    /** Scans one object: the envelope itself, or Kafka Connect's {@code {"schema":..., "payload":...}} wrapper. */
    private static long scan(JsonParser parser) throws IOException {
        String op = null;
        long ts = 0;
        boolean snapshot = false;
        Long payload = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.getCurrentName();
            JsonToken value = parser.nextToken();
            if ("op".equals(field) && value == JsonToken.VALUE_STRING) {
                op = parser.getText();
            } else if ("source".equals(field) && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.getCurrentName();
                    JsonToken v = parser.nextToken();
                    if ("ts_ms".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
                        ts = parser.getLongValue();
                    } else if ("snapshot".equals(name) && v == JsonToken.VALUE_STRING) {
                        snapshot = SNAPSHOT_MARKERS.contains(parser.getText());
                    } else {
                        parser.skipChildren();
                    }
                }
            } else if ("payload".equals(field) && value == JsonToken.START_OBJECT) {
                payload = scan(parser);
            } else {
                parser.skipChildren();
            }
        }
        if (payload != null) {
            return payload;
        }
        return "r".equals(op) || snapshot ? 0 : Math.max(ts, 0);
    }
}
