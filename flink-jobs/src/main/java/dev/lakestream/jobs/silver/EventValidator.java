package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.tables.SilverEventTable;
import dev.lakestream.jobs.bronze.RawRecord;
import dev.lakestream.jobs.silver.schema.EventSchema;
import dev.lakestream.jobs.silver.schema.FieldSpec;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.BigIntegerNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.BooleanNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.DecimalNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.LongNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.NullNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.TextNode;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks one raw record against an {@link EventSchema} and either builds its silver row (typed
 * and normalized) or says why it is rejected. Pure and deterministic: the same record always gives
 * the same outcome, which is what makes a replay produce the same silver and quarantine rows.
 *
 * <p>Rules, in the order they are checked (the first failure is the one reported):
 *
 * <ol>
 *   <li>the payload is present ({@link QuarantineReason#NULL_PAYLOAD}) and not larger than the
 *       limit ({@link QuarantineReason#OVERSIZED_PAYLOAD});
 *   <li>it is one JSON object: no syntax error, no repeated key, nothing after it ({@link
 *       QuarantineReason#MALFORMED_JSON}, {@link QuarantineReason#NOT_A_JSON_OBJECT});
 *   <li>each declared field, in declaration order: present when required, of its type, within its
 *       bounds and allowed values.
 * </ol>
 *
 * <p>JSON is read with the Jackson that Flink itself ships (relocated in {@code flink-shaded-jackson},
 * always on the Flink classpath): a second, unrelocated Jackson would clash with the Kafka broker's
 * Scala module in tests and add weight to the application jar.
 *
 * <p>Normalization: strings are trimmed (an empty string counts as absent), codes upper-cased,
 * whole numbers written as {@code 7.0} become {@code 7}, timestamps become UTC. Undeclared fields
 * never fail a record: they are kept, as a JSON object, in the silver column {@code extra_fields}.
 *
 * <p>Three paths, one outcome. A payload that is one flat JSON object of declared fields, in
 * printable ASCII without escapes, whose values all pass, is read straight from its bytes ({@link
 * #scannedRow}, {@link FlatJsonScanner}): its strings become the row's UTF-8 strings without a
 * {@code String} in between. One with other characters or number forms is read token by token by
 * Jackson ({@link #validRow}), without building Jackson's tree of it (a map and a node per field; a
 * third of validation's CPU). Anything else (a rejection, undeclared fields, containers, syntax
 * errors) goes through the tree ({@link #validateTree}), which words every rejection and writes
 * {@code extra_fields}. The first two only ever answer what the tree would, and leave the rest to it.
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Event times outside [2000-01-01, 2100-01-01) are taken as corrupt (e.g. seconds sent as millis). */
    static final Instant EARLIEST_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z");

    static final Instant LATEST_EVENT_TIME = Instant.parse("2100-01-01T00:00:00Z");

    private static final int MAX_DETAIL_CHARS = 200;

    private final EventSchema schema;
    private final long maxPayloadBytes;
    private transient ObjectMapper mapper;
    /** Declared field name to its position in {@link EventSchema#fields()}. */
    private transient Map<String, Integer> positions;
    /** What {@link #scannedRow} read per declared field: kind (0: absent), value bytes, number. */
    private transient Scanned scanned;

    public EventValidator(EventSchema schema, long maxPayloadBytes) {
        this.schema = schema;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The outcome for one record: a silver row or a rejection. */
    public static final class Outcome {
        private final GenericRowData row;
        private final Rejection rejection;

        private Outcome(GenericRowData row, Rejection rejection) {
            this.row = row;
            this.rejection = rejection;
        }

        public boolean isValid() {
            return row != null;
        }

        /** The silver row, laid out as {@link EventSchema#silverSchema()}; null if rejected. */
        public GenericRowData row() {
            return row;
        }

        public Rejection rejection() {
            return rejection;
        }
    }

    public Outcome validate(RawRecord record) {
        byte[] payload = record.payload();
        if (payload == null) {
            return reject(QuarantineReason.NULL_PAYLOAD, null, "the record has no payload (null value)", null);
        }
        if (payload.length > maxPayloadBytes) {
            return reject(QuarantineReason.OVERSIZED_PAYLOAD, null,
                    "payload is " + payload.length + " bytes, over the limit of " + maxPayloadBytes
                            + " bytes (silver.max-payload-size)", null);
        }
        if (payload.length == 0) {
            return reject(QuarantineReason.MALFORMED_JSON, null, "payload is empty", null);
        }
        GenericRowData row = scannedRow(payload);
        if (row == null) {
            row = validRow(payload);
        }
        if (row != null) {
            return new Outcome(withCoordinates(row, schema.fields().size(), null, record), null);
        }
        return validateTree(record, payload);
    }

    /**
     * The silver row of a payload that {@link FlatJsonScanner} reads whole, whose fields are all
     * declared and whose values pass every rule; null for anything else, which {@link #validRow} and
     * {@link #validateTree} then decide. Every accepted value equals what {@link FieldValues#convert}
     * makes of the same JSON value (strings trimmed of spaces, codes upper-cased, empty as absent).
     */
    GenericRowData scannedRow(byte[] payload) {
        Scanned at = scanned();
        FlatJsonScanner scan = at.scanner;
        if (!scan.begin(payload)) {
            return null;
        }
        List<FieldSpec> fields = schema.fields();
        Arrays.fill(at.kinds, (byte) 0);
        int expected = 0;
        int step;
        while ((step = scan.next()) == FlatJsonScanner.FIELD) {
            int i = at.declared(scan, expected);
            if (i < 0 || at.kinds[i] != 0) {
                return null; // undeclared (extra_fields) or repeated (malformed): the tree's to word
            }
            at.kinds[i] = scan.kind;
            at.starts[i] = scan.valueStart;
            at.ends[i] = scan.valueEnd;
            at.numbers[i] = scan.number;
            expected = i + 1;
        }
        if (step != FlatJsonScanner.END) {
            return null;
        }
        GenericRowData row = new GenericRowData(fields.size() + SilverEventTable.TRAILING_COLUMNS);
        for (int i = 0; i < fields.size(); i++) {
            Object value = at.value(fields.get(i), i, payload);
            if (value == Scanned.UNDECIDED) {
                return null;
            }
            row.setField(i, value);
        }
        return row;
    }

    private Scanned scanned() {
        if (scanned == null) {
            scanned = new Scanned(schema.fields());
        }
        return scanned;
    }

    /**
     * The silver row of a payload that is one JSON object whose fields are all declared, with scalar
     * values that pass every rule; null for anything else, which {@link #validateTree} then decides
     * (rejects, or accepts with {@code extra_fields}). Each declared value becomes the node Jackson's
     * tree holds for it, and is converted by the same {@link FieldValues#convert}.
     */
    GenericRowData validRow(byte[] payload) {
        List<FieldSpec> fields = schema.fields();
        JsonNode[] values = new JsonNode[fields.size()];
        try (JsonParser p = mapper().getFactory().createParser(payload)) {
            // A repeated key is malformed (the tree's reader detects it). Jackson's detection hashes every
            // name into a set per object; here only declared names get this far, so a declared slot already
            // filled is the repeat, and the tree words the rejection.
            p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                Integer at = positions().get(p.currentName());
                if (at == null) {
                    return null; // undeclared: kept in extra_fields, which the tree writes
                }
                if (values[at] != null) {
                    return null; // repeated
                }
                JsonNode value = scalar(p, p.nextToken());
                if (value == null) {
                    return null;
                }
                values[at] = value;
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null; // trailing tokens: the tree words the rejection
            }
        } catch (IOException e) {
            return null; // malformed: the tree words the rejection
        }
        GenericRowData row = new GenericRowData(fields.size() + SilverEventTable.TRAILING_COLUMNS);
        for (int i = 0; i < fields.size(); i++) {
            try {
                row.setField(i, FieldValues.convert(fields.get(i), values[i]));
            } catch (FieldValues.Invalid invalid) {
                return null;
            }
        }
        return row;
    }

    /** The node Jackson's tree (with big decimals for floats) holds for a scalar; null for a container. */
    private static JsonNode scalar(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return TextNode.valueOf(p.getText());
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? BigIntegerNode.valueOf(p.getBigIntegerValue()) : LongNode.valueOf(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return DecimalNode.valueOf(p.getDecimalValue());
            case VALUE_TRUE:
            case VALUE_FALSE:
                return BooleanNode.valueOf(token == JsonToken.VALUE_TRUE);
            case VALUE_NULL:
                return NullNode.getInstance();
            default:
                return null;
        }
    }

    private Map<String, Integer> positions() {
        if (positions == null) {
            positions = new HashMap<>();
            for (int i = 0; i < schema.fields().size(); i++) {
                positions.put(schema.fields().get(i).name(), i);
            }
        }
        return positions;
    }

    /** Fills the silver columns after the declared fields: undeclared fields, source coordinates, ingest time. */
    private static GenericRowData withCoordinates(GenericRowData row, int pos, StringData extraFields, RawRecord record) {
        row.setField(pos++, extraFields);
        row.setField(pos++, utf8(record.source()));
        row.setField(pos++, utf8(record.partition()));
        row.setField(pos++, utf8(record.position()));
        row.setField(pos, TimestampData.fromEpochMillis(record.ingestMillis()));
        return row;
    }

    /**
     * A string as the row's UTF-8 bytes at once: the JDK encodes ASCII with one array copy, where a
     * {@code StringData} of a {@code String} is encoded later, character by character, when the row
     * crosses the network to deduplication.
     */
    private static StringData utf8(String text) {
        return text == null ? null : StringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #validate} through Jackson's tree of the whole payload: every outcome, worded. */
    Outcome validateTree(RawRecord record, byte[] payload) {
        JsonNode root;
        try {
            root = mapper().readTree(payload);
        } catch (JsonProcessingException e) {
            return reject(QuarantineReason.MALFORMED_JSON, null, "not valid JSON: " + shorten(e.getOriginalMessage()), null);
        } catch (IOException e) {
            return reject(QuarantineReason.MALFORMED_JSON, null, "not readable as JSON: " + shorten(e.getMessage()), null);
        }
        if (root == null || !root.isObject()) {
            return reject(QuarantineReason.NOT_A_JSON_OBJECT, null,
                    "payload is JSON " + (root == null ? "without a value" : root.getNodeType().name().toLowerCase(Locale.ROOT))
                            + ", not an object", null);
        }
        String eventId = eventIdOf(root);
        List<FieldSpec> fields = schema.fields();
        GenericRowData row = new GenericRowData(fields.size() + SilverEventTable.TRAILING_COLUMNS);
        for (int i = 0; i < fields.size(); i++) {
            FieldSpec field = fields.get(i);
            Object value;
            try {
                value = FieldValues.convert(field, root.get(field.name()));
            } catch (FieldValues.Invalid invalid) {
                return new Outcome(null, invalid.rejection().withEventId(eventId));
            }
            row.setField(i, value);
        }
        return new Outcome(withCoordinates(row, fields.size(), extraFields((ObjectNode) root), record), null);
    }

    private String eventIdOf(JsonNode root) {
        JsonNode id = root.get(schema.keyField().name());
        if (id == null || id.isNull() || id.isContainerNode()) {
            return null;
        }
        String text = id.asText().trim();
        return text.isEmpty() ? null : shorten(text);
    }

    private StringData extraFields(ObjectNode root) {
        ObjectNode extras = null;
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (schema.field(e.getKey()) == null) {
                if (extras == null) {
                    extras = mapper().createObjectNode();
                }
                extras.set(e.getKey(), e.getValue());
            }
        }
        if (extras == null) {
            return null;
        }
        try {
            return StringData.fromString(mapper().writeValueAsString(extras));
        } catch (JsonProcessingException e) {
            // A tree Jackson just parsed always serializes; anything else is a bug worth failing on.
            throw new IllegalStateException("Cannot write back undeclared fields " + extras.fieldNames(), e);
        }
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper = JsonMapper.builder()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .build();
        }
        return mapper;
    }

    private static Outcome reject(QuarantineReason reason, String field, String rule, String eventId) {
        return new Outcome(null, new Rejection(reason, field, rule, eventId));
    }

    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    /** The declared fields' values as {@link #scannedRow} found them in one payload; reused per record. */
    private static final class Scanned {

        /** A value {@link #scannedRow} leaves to the other paths (a rejection, or a form it does not convert). */
        static final Object UNDECIDED = new Object();

        final FlatJsonScanner scanner = new FlatJsonScanner();
        /** Declared names as ASCII bytes; null for a name with other characters (never matched here). */
        final byte[][] names;
        final byte[] kinds;
        final int[] starts;
        final int[] ends;
        final long[] numbers;

        Scanned(List<FieldSpec> fields) {
            names = new byte[fields.size()][];
            for (int i = 0; i < names.length; i++) {
                names[i] = FlatJsonScanner.asciiName(fields.get(i).name());
            }
            kinds = new byte[names.length];
            starts = new int[names.length];
            ends = new int[names.length];
            numbers = new long[names.length];
        }

        /** The position of the field just scanned, trying {@code expected} first (events keep their order); -1 if undeclared. */
        int declared(FlatJsonScanner scan, int expected) {
            if (expected < names.length && names[expected] != null && scan.nameIs(names[expected])) {
                return expected;
            }
            for (int i = 0; i < names.length; i++) {
                if (i != expected && names[i] != null && scan.nameIs(names[i])) {
                    return i;
                }
            }
            return -1;
        }

        /** Field {@code i}'s internal Flink value, as {@link FieldValues#convert} makes it, or {@link #UNDECIDED}. */
        Object value(FieldSpec field, int i, byte[] payload) {
            byte kind = kinds[i];
            int start = starts[i];
            int end = ends[i];
            if (kind == FlatJsonScanner.STRING && start == end) {
                kind = 0; // an empty string (the scanner trims) counts as absent
            }
            if (kind == 0 || kind == FlatJsonScanner.NULL) {
                return field.isRequired() ? UNDECIDED : null;
            }
            switch (field.type()) {
                case STRING:
                    if (kind != FlatJsonScanner.STRING || end - start > field.maxLength()) {
                        return UNDECIDED;
                    }
                    return StringData.fromBytes(Arrays.copyOfRange(payload, start, end));
                case CODE:
                    return code(field, payload, kind, start, end);
                case LONG:
                    return kind == FlatJsonScanner.NUMBER && FieldValues.within(field, numbers[i], Long.MIN_VALUE, Long.MAX_VALUE)
                            ? (Object) numbers[i] : UNDECIDED;
                case INT:
                    return kind == FlatJsonScanner.NUMBER && FieldValues.within(field, numbers[i], Integer.MIN_VALUE, Integer.MAX_VALUE)
                            ? (Object) (int) numbers[i] : UNDECIDED;
                case TIMESTAMP:
                    return timestamp(field, payload, kind, start, end, numbers[i]);
                default:
                    return UNDECIDED;
            }
        }

        private static Object code(FieldSpec field, byte[] payload, byte kind, int start, int end) {
            if (kind != FlatJsonScanner.STRING || end - start > field.maxLength()) {
                return UNDECIDED;
            }
            byte[] code = Arrays.copyOfRange(payload, start, end);
            for (int k = 0; k < code.length; k++) {
                if (code[k] >= 'a' && code[k] <= 'z') {
                    code[k] -= 'a' - 'A'; // toUpperCase(Locale.ROOT) of ASCII
                }
            }
            if (!field.allowed().isEmpty() && !field.allowed().contains(new String(code, StandardCharsets.US_ASCII))) {
                return UNDECIDED;
            }
            return StringData.fromBytes(code);
        }

        private static Object timestamp(FieldSpec field, byte[] payload, byte kind, int start, int end, long number) {
            Instant instant;
            if (kind == FlatJsonScanner.STRING) {
                try {
                    instant = OffsetTimestamps.parse(new String(payload, start, end - start, StandardCharsets.US_ASCII));
                } catch (DateTimeParseException e) {
                    return UNDECIDED;
                }
            } else if (kind == FlatJsonScanner.NUMBER && FieldValues.within(field, number, Long.MIN_VALUE, Long.MAX_VALUE)) {
                instant = Instant.ofEpochMilli(number);
            } else {
                return UNDECIDED;
            }
            if (instant.isBefore(EARLIEST_EVENT_TIME) || !instant.isBefore(LATEST_EVENT_TIME)) {
                return UNDECIDED;
            }
            return TimestampData.fromInstant(instant);
        }
    }

    /** Per-type conversion of one declared field's JSON value. */
    static final class FieldValues {

        /** A field value that breaks its rule. */
        static final class Invalid extends Exception {
            private static final long serialVersionUID = 1L;
            private final transient Rejection rejection;

            Invalid(QuarantineReason reason, FieldSpec field, String rule) {
                super(rule, null, false, false);
                this.rejection = new Rejection(reason, field.name(), rule, null);
            }

            Rejection rejection() {
                return rejection;
            }
        }

        private FieldValues() {}

        /** The internal Flink value of {@code field}; null for an absent optional field. */
        static Object convert(FieldSpec field, JsonNode node) throws Invalid {
            if (node == null || node.isNull() || (node.isTextual() && node.textValue().trim().isEmpty())) {
                if (field.isRequired()) {
                    throw new Invalid(QuarantineReason.MISSING_REQUIRED_FIELD, field,
                            field.name() + " is required" + (node == null ? "" : node.isNull() ? " (was null)" : " (was empty)"));
                }
                return null;
            }
            switch (field.type()) {
                case STRING:
                    return StringData.fromString(text(field, node));
                case CODE:
                    return StringData.fromString(code(field, node));
                case LONG:
                    return whole(field, node, Long.MIN_VALUE, Long.MAX_VALUE);
                case INT:
                    return (int) whole(field, node, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case TIMESTAMP:
                    return TimestampData.fromInstant(instant(field, node));
                default:
                    throw new IllegalStateException("Unhandled field type " + field.type());
            }
        }

        private static String text(FieldSpec field, JsonNode node) throws Invalid {
            if (!node.isTextual()) {
                throw wrongType(field, "a string", node);
            }
            String value = node.textValue().trim();
            if (value.length() > field.maxLength()) {
                throw new Invalid(QuarantineReason.OUT_OF_RANGE, field,
                        field.name() + " is " + value.length() + " characters, longer than " + field.maxLength());
            }
            return value;
        }

        private static String code(FieldSpec field, JsonNode node) throws Invalid {
            String value = text(field, node).toUpperCase(Locale.ROOT);
            if (!field.allowed().isEmpty() && !field.allowed().contains(value)) {
                throw new Invalid(QuarantineReason.NOT_ALLOWED_VALUE, field,
                        field.name() + " '" + shorten(value) + "' is not one of " + String.join(", ", field.allowed()));
            }
            return value;
        }

        /** Whether {@code value} is within the field's bounds and its type's. */
        static boolean within(FieldSpec field, long value, long typeMin, long typeMax) {
            long min = field.min() == null ? typeMin : Math.max(typeMin, field.min());
            long max = field.max() == null ? typeMax : Math.min(typeMax, field.max());
            return value >= min && value <= max;
        }

        private static long whole(FieldSpec field, JsonNode node, long typeMin, long typeMax) throws Invalid {
            if (!node.isNumber()) {
                throw wrongType(field, "a whole number", node);
            }
            if (node.isIntegralNumber() && node.canConvertToLong() && within(field, node.longValue(), typeMin, typeMax)) {
                return node.longValue(); // the common case, without a BigInteger
            }
            BigInteger value;
            if (node.isIntegralNumber()) {
                value = node.bigIntegerValue();
            } else {
                BigDecimal decimal = node.decimalValue();
                if (decimal.stripTrailingZeros().scale() > 0) {
                    throw new Invalid(QuarantineReason.WRONG_TYPE, field,
                            field.name() + " must be a whole number, got " + shorten(decimal.toPlainString()));
                }
                value = decimal.toBigIntegerExact();
            }
            long min = field.min() == null ? typeMin : Math.max(typeMin, field.min());
            long max = field.max() == null ? typeMax : Math.min(typeMax, field.max());
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                boolean below = value.compareTo(BigInteger.valueOf(min)) < 0;
                String bounds = below && max == typeMax ? "below the minimum " + min
                        : !below && min == typeMin ? "above the maximum " + max
                        : "outside [" + min + ", " + max + "]";
                throw new Invalid(QuarantineReason.OUT_OF_RANGE, field,
                        field.name() + " " + shorten(value.toString()) + " is " + bounds);
            }
            return value.longValue();
        }

        private static Instant instant(FieldSpec field, JsonNode node) throws Invalid {
            Instant instant;
            if (node.isTextual()) {
                String text = node.textValue().trim();
                try {
                    instant = OffsetTimestamps.parse(text);
                } catch (DateTimeParseException e) {
                    throw new Invalid(QuarantineReason.WRONG_TYPE, field,
                            field.name() + " must be an ISO-8601 timestamp with a zone or offset, or epoch milliseconds;"
                                    + " got \"" + shorten(text) + "\"");
                }
            } else if (node.isNumber()) {
                long millis = whole(field, node, Long.MIN_VALUE, Long.MAX_VALUE);
                instant = Instant.ofEpochMilli(millis);
            } else {
                throw wrongType(field, "an ISO-8601 timestamp or epoch milliseconds", node);
            }
            if (instant.isBefore(EARLIEST_EVENT_TIME) || !instant.isBefore(LATEST_EVENT_TIME)) {
                throw new Invalid(QuarantineReason.OUT_OF_RANGE, field,
                        field.name() + " " + instant + " is outside [" + EARLIEST_EVENT_TIME + ", " + LATEST_EVENT_TIME + ")");
            }
            return instant;
        }

        private static Invalid wrongType(FieldSpec field, String expected, JsonNode node) {
            String got = node.getNodeType().name().toLowerCase(Locale.ROOT);
            String shown = node.isContainerNode() ? "" : " " + shorten(node.toString());
            return new Invalid(QuarantineReason.WRONG_TYPE, field,
                    field.name() + " must be " + expected + ", got " + got + shown);
        }
    }
}
