package dev.lakestream.jobs.testing;

import dev.lakestream.catalog.tables.QuarantineTable;
import dev.lakestream.catalog.tables.SilverEventTable;
import dev.lakestream.jobs.localrun.DomainEventGenerator;

import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Silver and quarantine contents as comparable lines, both as read back through Iceberg and as
 * the generator says they must be. A silver line is the declared columns and {@code extra_fields},
 * '|'-separated, then {@code @source/partition/position} of the first copy of the event. A
 * quarantine line is {@code source/partition/position REASON(field) event_id payload-fingerprint}.
 */
public final class SilverContents {

    /** One produced record: the generated event and where it landed in its source. */
    public static final class Sent {
        final DomainEventGenerator.Event event;
        final String coordinate;

        public Sent(DomainEventGenerator.Event event, String source, String partition, String position) {
            this.event = event;
            this.coordinate = source + "/" + partition + "/" + position;
        }

        public DomainEventGenerator.Event event() {
            return event;
        }
    }

    private SilverContents() {}

    /** The silver lines: each valid event once, at the coordinate of its first copy. */
    public static List<String> expectedSilver(List<Sent> sent) {
        List<String> lines = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Sent s : sent) {
            if (s.event.expectedSilver != null && seen.add(s.event.eventId)) {
                lines.add(s.event.expectedSilver + "@" + s.coordinate);
            }
        }
        return lines;
    }

    /** The quarantine lines: every rejected record, each copy. */
    public static List<String> expectedQuarantine(List<Sent> sent) {
        List<String> lines = new ArrayList<>();
        for (Sent s : sent) {
            if (s.event.expectedRejection != null) {
                // Only records that parse as a JSON object have an event id to report.
                boolean parsed = s.event.expectedRejection.contains("(");
                lines.add(quarantineLine(s.coordinate, s.event.expectedRejection, parsed ? s.event.eventId : null,
                        s.event.value));
            }
        }
        return lines;
    }

    /** Valid copies beyond the first of each event id: what deduplication must drop. */
    public static long expectedDuplicates(List<Sent> sent) {
        Set<String> seen = new HashSet<>();
        return sent.stream().filter(s -> s.event.expectedSilver != null && !seen.add(s.event.eventId)).count();
    }

    public static List<String> silverLines(Table table) throws Exception {
        table.refresh();
        int declared = table.schema().columns().size() - SilverEventTable.TRAILING_COLUMNS + 1;
        List<String> lines = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            for (Record r : rows) {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < declared; i++) {
                    values.add(String.valueOf(r.get(i)));
                }
                lines.add(String.join("|", values) + "@" + r.getField(SilverEventTable.SOURCE_NAME) + "/"
                        + r.getField(SilverEventTable.SOURCE_PARTITION) + "/" + r.getField(SilverEventTable.SOURCE_POSITION));
            }
        }
        return lines;
    }

    public static List<String> quarantineLines(Table table) throws Exception {
        table.refresh();
        List<String> lines = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            for (Record r : rows) {
                ByteBuffer payload = (ByteBuffer) r.getField(QuarantineTable.RAW_PAYLOAD);
                byte[] bytes = null;
                if (payload != null) {
                    bytes = new byte[payload.remaining()];
                    payload.duplicate().get(bytes);
                }
                Object field = r.getField(QuarantineTable.FIELD);
                if (r.getField(QuarantineTable.RULE) == null || r.getField(QuarantineTable.QUARANTINED_AT) == null) {
                    throw new AssertionError("quarantine row without rule or time: " + r);
                }
                lines.add(quarantineLine(
                        r.getField(QuarantineTable.SOURCE_NAME) + "/" + r.getField(QuarantineTable.SOURCE_PARTITION) + "/"
                                + r.getField(QuarantineTable.SOURCE_POSITION),
                        r.getField(QuarantineTable.REASON) + (field == null ? "" : "(" + field + ")"),
                        (String) r.getField(QuarantineTable.EVENT_ID),
                        bytes));
            }
        }
        return lines;
    }

    private static String quarantineLine(String coordinate, String rejection, String eventId, byte[] payload) {
        String fingerprint = payload == null ? "null" : payload.length + "b#" + Integer.toHexString(Arrays.hashCode(payload));
        return coordinate + " " + rejection + " " + eventId + " " + fingerprint;
    }
}
