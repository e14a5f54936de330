package dev.lakestream.cdc;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Debezium JSON change envelopes into {@link ChangeEvent}s: as Flink CDC's JSON
 * deserializer emits them, and as Kafka Connect or Debezium Server write them to Kafka, with or
 * without the embedded schema ({@code {"schema":..., "payload":{...}}} or the payload alone). A
 * null value is a tombstone (Kafka log compaction's marker after a delete). Anything else that
 * cannot be applied is rejected with a reason, never dropped silently.
 */
public final class DebeziumEnvelopes implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Why an envelope cannot be applied. */
    public enum Rejection {
        MALFORMED_JSON,
        NOT_A_DEBEZIUM_ENVELOPE,
        UNKNOWN_OP,
        UNKNOWN_TABLE,
        MISSING_KEY
    }

    /** What an envelope turned out to be. */
    public static final class Parsed {
        private final ChangeEvent change;
        private final Rejection rejection;
        private final String detail;

        private Parsed(ChangeEvent change, Rejection rejection, String detail) {
            this.change = change;
            this.rejection = rejection;
            this.detail = detail;
        }

        static Parsed change(ChangeEvent change) {
            return new Parsed(change, null, null);
        }

        static Parsed tombstone() {
            return new Parsed(null, null, "tombstone");
        }

        static Parsed rejected(Rejection rejection, String detail) {
            return new Parsed(null, rejection, detail);
        }

        public boolean isChange() {
            return change != null;
        }

        /** A null value: the delete before it already removed the row; nothing to apply. */
        public boolean isTombstone() {
            return change == null && rejection == null;
        }

        public ChangeEvent change() {
            return change;
        }

        public Rejection rejection() {
            return rejection;
        }

        public String detail() {
            return detail;
        }
    }

    private static final Pattern MYSQL_BINLOG_FILE = Pattern.compile(".*\\.(\\d+)$");

    /** Primary-key columns per table ({@code schema.table} or {@code database.table}), in key order. */
    private final Map<String, List<String>> keyColumns;

    private transient ObjectMapper mapper;

    public DebeziumEnvelopes(Map<String, List<String>> keyColumns) {
        this.keyColumns = Map.copyOf(keyColumns);
    }

    /** Parses a change value; {@code value} null is a tombstone. */
    public Parsed parse(String value) {
        if (value == null) {
            return Parsed.tombstone();
        }
        if (value.isBlank()) {
            return Parsed.rejected(Rejection.MALFORMED_JSON, "empty value (a tombstone is a null value, not an empty one)");
        }
        JsonNode root;
        try {
            root = mapper().readTree(value);
        } catch (JsonProcessingException e) {
            return Parsed.rejected(Rejection.MALFORMED_JSON, "not valid JSON: " + oneLine(e.getOriginalMessage()));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return Parsed.tombstone();
        }
        if (!root.isObject()) {
            return Parsed.rejected(Rejection.NOT_A_DEBEZIUM_ENVELOPE, "not a JSON object");
        }
        JsonNode payload = root.has("payload") && root.has("schema") ? root.get("payload") : root;
        if (payload.isNull()) {
            return Parsed.tombstone();
        }
        JsonNode source = payload.get("source");
        JsonNode opNode = payload.get("op");
        if (source == null || !source.isObject() || opNode == null || !opNode.isTextual()) {
            return Parsed.rejected(Rejection.NOT_A_DEBEZIUM_ENVELOPE, "no 'op' or 'source' field");
        }
        ChangeOp op = ChangeOp.ofCode(opNode.asText());
        if (op == null) {
            return Parsed.rejected(Rejection.UNKNOWN_OP,
                    "op '" + opNode.asText() + "' is not one of r, c, u, d (truncates and messages are not applied)");
        }
        String table = tableOf(source);
        List<String> key = table == null ? null : keyColumns.get(table);
        if (key == null) {
            return Parsed.rejected(Rejection.UNKNOWN_TABLE, "table '" + table + "' is not one of " + keyColumns.keySet());
        }
        JsonNode before = nullToMissing(payload.get("before"));
        JsonNode after = nullToMissing(payload.get("after"));
        JsonNode image = op == ChangeOp.DELETE ? before : after;
        if (image == null || !image.isObject()) {
            return Parsed.rejected(Rejection.NOT_A_DEBEZIUM_ENVELOPE,
                    "op " + op.code() + " without its '" + (op == ChangeOp.DELETE ? "before" : "after") + "' image");
        }
        ObjectNode keyNode = mapper().createObjectNode();
        for (String column : key) {
            JsonNode v = image.get(column);
            if (v == null || v.isNull()) {
                return Parsed.rejected(Rejection.MISSING_KEY, "key column '" + column + "' of " + table + " is missing");
            }
            keyNode.set(column, v);
        }
        SourcePosition position;
        try {
            position = position(source, op == ChangeOp.READ);
        } catch (IllegalArgumentException e) {
            return Parsed.rejected(Rejection.NOT_A_DEBEZIUM_ENVELOPE, e.getMessage());
        }
        JsonNode ts = source.get("ts_ms");
        return Parsed.change(new ChangeEvent(op, table, keyNode.toString(),
                before == null ? null : before.toString(), after == null ? null : after.toString(),
                position, ts == null ? 0 : ts.asLong(), position.isSnapshot(), value));
    }

    /** {@code schema.table} for PostgreSQL, {@code database.table} for MySQL, from an envelope's source block. */
    public static String tableOf(JsonNode source) {
        if (source == null || !source.isObject()) {
            return null;
        }
        String connector = text(source, "connector");
        String container = "mysql".equals(connector) ? text(source, "db") : text(source, "schema");
        String table = text(source, "table");
        return container == null || table == null ? null : container + "." + table;
    }

    /**
     * @param read the op is r: a snapshot read, whatever the source block says (Flink CDC's
     *     incremental snapshot marks its reads snapshot=false, lsn=0)
     */
    static SourcePosition position(JsonNode source, boolean read) {
        String connector = text(source, "connector");
        String snapshot = text(source, "snapshot");
        boolean isSnapshot = read || (snapshot != null && CommitTime.SNAPSHOT_MARKERS.contains(snapshot));
        if ("postgresql".equals(connector)) {
            if (isSnapshot) {
                return SourcePosition.snapshot(SourcePosition.Kind.POSTGRES);
            }
            JsonNode lsn = source.get("lsn");
            if (lsn == null || !lsn.canConvertToLong()) {
                throw new IllegalArgumentException("a streamed PostgreSQL change without 'lsn'");
            }
            return SourcePosition.postgres(lsn.asLong());
        }
        if ("mysql".equals(connector)) {
            if (isSnapshot) {
                return SourcePosition.snapshot(SourcePosition.Kind.MYSQL);
            }
            Matcher file = MYSQL_BINLOG_FILE.matcher(Objects.toString(text(source, "file"), ""));
            JsonNode pos = source.get("pos");
            if (!file.matches() || pos == null || !pos.canConvertToLong()) {
                throw new IllegalArgumentException("a streamed MySQL change without 'file' and 'pos'");
            }
            JsonNode row = source.get("row");
            return SourcePosition.mysql(Long.parseLong(file.group(1)), pos.asLong(), row == null ? 0 : row.asLong());
        }
        throw new IllegalArgumentException("connector '" + connector + "' is not postgresql or mysql");
    }

    private static JsonNode nullToMissing(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String oneLine(String text) {
        String s = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            // Exact decimals: numeric values must not pass through double on their way to silver.
            mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        }
        return mapper;
    }
}
