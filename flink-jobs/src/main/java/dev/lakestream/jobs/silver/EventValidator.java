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
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.data.writer.BinaryRowWriter;

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

    /** Precision of silver's timestamps: Iceberg's {@code timestamp} is microseconds, Flink's TIMESTAMP(6). */
    private static final int TIMESTAMP_PRECISION = 6;

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
        private final RowData row;
        private final Rejection rejection;

        private Outcome(RowData row, Rejection rejection) {
            this.row = row;
            this.rejection = rejection;
        }

        public boolean isValid() {
            return row != null;
        }

        /**
         * The silver row, laid out as {@link EventSchema#silverSchema()}; null if rejected. A
         * {@link BinaryRowData} when {@link #scannedRow} read the payload, else a {@link GenericRowData}.
         */
        public RowData row() {
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
        RowData scanned = scannedRow(payload, record);
        if (scanned != null) {
            return new Outcome(scanned, null);
        }
        GenericRowData row = validRow(payload);
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
     *
     * <p>The row is written straight in Flink's binary format, the form it crosses the network to
     * deduplication in: building a {@code GenericRowData} (a boxed number, a {@code StringData} and
     * a byte array per field) that the network serializer then copied field by field into a binary
     * row was 2% of the full pipeline's CPU.
     *
     * @param record fills the trailing columns (coordinates, ingest time); null leaves them null
     */
    RowData scannedRow(byte[] payload, RawRecord record) {
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
        for (int i = 0; i < fields.size(); i++) {
            if (!at.decide(fields.get(i), i, payload)) {
                return null;
            }
        }
        return at.write(fields, payload, record);
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

    /** Fills the silver columns after the declared fields (as {@link Scanned#write} does): undeclared fields, source coordinates, ingest time. */
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
    private static BinaryStringData utf8(String text) {
        return text == null ? null : BinaryStringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
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

        /** Room in a row for the coordinates beyond the payload's own bytes (topic, partition, offset). */
        private static final int COORDINATE_BYTES = 96;

        final FlatJsonScanner scanner = new FlatJsonScanner();
        /** Declared names as ASCII bytes; null for a name with other characters (never matched here). */
        final byte[][] names;
        final byte[] kinds;
        final int[] starts;
        final int[] ends;
        /** Whole numbers; for timestamps, epoch millis, with {@link #nanos} the nanos within the milli. */
        final long[] numbers;
        final int[] nanos;
        /** For codes: the value upper-cased by {@link #decide}, which {@link #write} stores. */
        final byte[][] codes;

        Scanned(List<FieldSpec> fields) {
            names = new byte[fields.size()][];
            for (int i = 0; i < names.length; i++) {
                names[i] = FlatJsonScanner.asciiName(fields.get(i).name());
            }
            kinds = new byte[names.length];
            starts = new int[names.length];
            ends = new int[names.length];
            numbers = new long[names.length];
            nanos = new int[names.length];
            codes = new byte[names.length][];
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

        /**
         * Whether field {@code i}'s value passes, as {@link FieldValues#convert} would take it; false
         * leaves the payload to the other paths (a rejection, or a form this does not convert). An
         * empty string becomes absent, a timestamp its epoch millis and nanos.
         */
        boolean decide(FieldSpec field, int i, byte[] payload) {
            byte kind = kinds[i];
            int start = starts[i];
            int end = ends[i];
            if (kind == FlatJsonScanner.STRING && start == end) {
                kinds[i] = kind = 0; // an empty string (the scanner trims) counts as absent
            }
            if (kind == 0 || kind == FlatJsonScanner.NULL) {
                kinds[i] = 0;
                return !field.isRequired();
            }
            switch (field.type()) {
                case STRING:
                    return kind == FlatJsonScanner.STRING && end - start <= field.maxLength();
                case CODE:
                    return kind == FlatJsonScanner.STRING && end - start <= field.maxLength() && code(field, i, payload, start, end);
                case LONG:
                    return kind == FlatJsonScanner.NUMBER && FieldValues.within(field, numbers[i], Long.MIN_VALUE, Long.MAX_VALUE);
                case INT:
                    return kind == FlatJsonScanner.NUMBER && FieldValues.within(field, numbers[i], Integer.MIN_VALUE, Integer.MAX_VALUE);
                case TIMESTAMP:
                    return timestamp(field, i, payload, kind, start, end);
                default:
                    return false;
            }
        }

        /** Upper-cases the code (toUpperCase(Locale.ROOT) of printable ASCII, what the scanner accepts) and checks it is allowed. */
        private boolean code(FieldSpec field, int i, byte[] payload, int start, int end) {
            byte[] code = Arrays.copyOfRange(payload, start, end);
            for (int k = 0; k < code.length; k++) {
                if (code[k] >= 'a' && code[k] <= 'z') {
                    code[k] -= 'a' - 'A';
                }
            }
            codes[i] = code;
            return field.allowed().isEmpty() || field.allowed().contains(new String(code, StandardCharsets.US_ASCII));
        }

        private boolean timestamp(FieldSpec field, int i, byte[] payload, byte kind, int start, int end) {
            Instant instant;
            if (kind == FlatJsonScanner.STRING) {
                try {
                    instant = OffsetTimestamps.parse(new String(payload, start, end - start, StandardCharsets.US_ASCII));
                } catch (DateTimeParseException e) {
                    return false;
                }
            } else if (kind == FlatJsonScanner.NUMBER && FieldValues.within(field, numbers[i], Long.MIN_VALUE, Long.MAX_VALUE)) {
                instant = Instant.ofEpochMilli(numbers[i]);
            } else {
                return false;
            }
            if (instant.isBefore(EARLIEST_EVENT_TIME) || !instant.isBefore(LATEST_EVENT_TIME)) {
                return false;
            }
            // TimestampData.fromInstant's split: millis, and the nanos within the milli.
            numbers[i] = instant.toEpochMilli();
            nanos[i] = instant.getNano() % 1_000_000;
            return true;
        }

        /**
         * The silver row of the values {@link #decide} passed, in Flink's binary row format: strings are
         * the payload's bytes, codes their upper-cased copy, timestamps of precision 6 as Iceberg's.
         */
        BinaryRowData write(List<FieldSpec> fields, byte[] payload, RawRecord record) {
            int n = fields.size();
            BinaryRowData row = new BinaryRowData(n + SilverEventTable.TRAILING_COLUMNS);
            BinaryRowWriter out = new BinaryRowWriter(row, payload.length + COORDINATE_BYTES);
            for (int i = 0; i < n; i++) {
                if (kinds[i] == 0) {
                    out.setNullAt(i);
                    continue;
                }
                int start = starts[i];
                int end = ends[i];
                switch (fields.get(i).type()) {
                    case STRING:
                        out.writeString(i, BinaryStringData.fromBytes(payload, start, end - start));
                        break;
                    case CODE:
                        out.writeString(i, BinaryStringData.fromBytes(codes[i]));
                        break;
                    case LONG:
                        out.writeLong(i, numbers[i]);
                        break;
                    case INT:
                        out.writeInt(i, (int) numbers[i]);
                        break;
                    case TIMESTAMP:
                        out.writeTimestamp(i, TimestampData.fromEpochMillis(numbers[i], nanos[i]), TIMESTAMP_PRECISION);
                        break;
                    default:
                        throw new IllegalStateException("decide() passed a " + fields.get(i).type() + " field");
                }
            }
            out.setNullAt(n); // extra_fields: every field was declared
            if (record == null) {
                out.setNullAt(n + 1);
                out.setNullAt(n + 2);
                out.setNullAt(n + 3);
                out.setNullAt(n + 4);
            } else {
                out.writeString(n + 1, utf8(record.source()));
                out.writeString(n + 2, utf8(record.partition()));
                out.writeString(n + 3, utf8(record.position()));
                out.writeTimestamp(n + 4, TimestampData.fromEpochMillis(record.ingestMillis()), TIMESTAMP_PRECISION);
            }
            out.complete();
            return row;
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
