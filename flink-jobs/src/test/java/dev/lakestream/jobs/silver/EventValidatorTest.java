package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.tables.SilverEventTable;
import dev.lakestream.jobs.bronze.RawRecord;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.silver.datasets.ClickstreamEvents;
import dev.lakestream.jobs.silver.datasets.FulfillmentEvents;
import dev.lakestream.jobs.silver.schema.EventSchema;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every validation and normalization rule, one record at a time. */
class EventValidatorTest {

    private static final long INGEST = 1_763_629_200_000L;
    private static final EventValidator CLICKS = new EventValidator(ClickstreamEvents.SCHEMA, 1024);
    private static final EventValidator FULFILLMENT = new EventValidator(FulfillmentEvents.SCHEMA, 1024);

    private static final String CLICK =
            "{\"event_id\":\"c-1\",\"user_id\":42,\"session_hint\":\"s-42-1\",\"page\":\"/cart\","
                    + "\"event_type\":\"add_to_cart\",\"event_ts\":\"2026-11-20T09:00:01Z\",\"user_agent\":\"okhttp/4.12\"}";

    private static RawRecord record(String json) {
        return new RawRecord("clickstream", "2", "41", json == null ? null : json.getBytes(StandardCharsets.UTF_8), INGEST);
    }

    private static EventValidator.Outcome click(String json) {
        return CLICKS.validate(record(json));
    }

    private static EventValidator.Outcome fulfillment(String json) {
        return FULFILLMENT.validate(record(json));
    }

    private static String fulfillmentWith(String unitsAndMore) {
        return "{\"event_id\":\"f-1\",\"facility_id\":\"fc-017\",\"event_type\":\"picked\"," + unitsAndMore
                + ",\"event_ts\":\"2026-11-20T09:00:01Z\"}";
    }

    @Test
    void validClickBecomesATypedNormalizedRowWithItsCoordinates() {
        EventValidator.Outcome outcome = click(CLICK);

        assertThat(outcome.isValid()).as(String.valueOf(outcome.rejection())).isTrue();
        RowData row = outcome.row();
        assertThat(row.getArity()).isEqualTo(ClickstreamEvents.SCHEMA.fields().size() + 5);
        assertThat(row.getString(0).toString()).isEqualTo("c-1");
        assertThat(row.getLong(1)).isEqualTo(42L);
        assertThat(row.getString(2).toString()).isEqualTo("s-42-1");
        assertThat(row.getString(3).toString()).isEqualTo("/cart");
        assertThat(row.getString(4).toString()).isEqualTo("ADD_TO_CART");
        assertThat(row.getTimestamp(5, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2026-11-20T09:00:01"));
        assertThat(row.getString(6).toString()).isEqualTo("okhttp/4.12");
        assertThat(row.isNullAt(7)).as("no extra fields").isTrue();
        assertThat(row.getString(8).toString()).isEqualTo("clickstream");
        assertThat(row.getString(9).toString()).isEqualTo("2");
        assertThat(row.getString(10).toString()).isEqualTo("41");
        assertThat(row.getTimestamp(11, 6)).isEqualTo(TimestampData.fromEpochMillis(INGEST));
    }

    @Test
    void codesAreUpperCasedAndStringsTrimmed() {
        EventValidator.Outcome outcome = click(CLICK.replace("add_to_cart", " Add_To_Cart ").replace("/cart", "  /cart "));

        assertThat(outcome.row().getString(4).toString()).isEqualTo("ADD_TO_CART");
        assertThat(outcome.row().getString(3).toString()).isEqualTo("/cart");
        assertThat(fulfillment(fulfillmentWith("\"units\":3")).row().getString(1).toString()).isEqualTo("FC-017");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "2026-11-20T09:00:01Z|2026-11-20T09:00:01",
        "2026-11-20T10:00:01+01:00|2026-11-20T09:00:01",
        "2026-11-20T04:00:01.250-05:00|2026-11-20T09:00:01.250",
        "2026-11-20T09:00:01.123456Z|2026-11-20T09:00:01.123456",
    })
    void timestampsWithAnOffsetBecomeUtc(String input, String utc) {
        EventValidator.Outcome outcome = click(CLICK.replace("2026-11-20T09:00:01Z", input));

        assertThat(outcome.row().getTimestamp(5, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse(utc));
    }

    @Test
    void epochMillisAreATimestampToo() {
        EventValidator.Outcome outcome = click(CLICK.replace("\"2026-11-20T09:00:01Z\"", "1763629201000"));

        assertThat(outcome.row().getTimestamp(5, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2025-11-20T09:00:01"));
    }

    @Test
    void wholeNumbersWrittenWithAFractionAreAccepted() {
        assertThat(fulfillment(fulfillmentWith("\"units\":7.0")).row().getInt(3)).isEqualTo(7);
        assertThat(fulfillment(fulfillmentWith("\"units\":7e1")).row().getInt(3)).isEqualTo(70);
    }

    @Test
    void undeclaredFieldsAreKeptAsJson() {
        EventValidator.Outcome outcome = click(CLICK.replace("}", ",\"referrer\":\"newsletter\",\"ab\":{\"v\":2}}"));

        assertThat(outcome.isValid()).isTrue();
        assertThat(outcome.row().getString(7).toString()).isEqualTo("{\"referrer\":\"newsletter\",\"ab\":{\"v\":2}}");
    }

    @Test
    void absentOptionalFieldsAreNull() {
        EventValidator.Outcome outcome = click(CLICK.replace(",\"user_agent\":\"okhttp/4.12\"", "").replace("\"s-42-1\"", "null"));

        assertThat(outcome.isValid()).isTrue();
        assertThat(outcome.row().isNullAt(2)).isTrue();
        assertThat(outcome.row().isNullAt(6)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // case | payload | reason | field | rule contains
        "empty payload|``|MALFORMED_JSON||payload is empty",
        "truncated|{\"event_id\":\"c-1\",\"user_id\":4|MALFORMED_JSON||not valid JSON",
        "not JSON|hello|MALFORMED_JSON||not valid JSON",
        "trailing data|{\"event_id\":\"c-1\"} {}|MALFORMED_JSON||not valid JSON",
        "repeated key|{\"event_id\":\"c-1\",\"event_id\":\"c-2\"}|MALFORMED_JSON||Duplicate field",
        "array|[1,2]|NOT_A_JSON_OBJECT||JSON array, not an object",
        "string|\"c-1\"|NOT_A_JSON_OBJECT||JSON string, not an object",
    })
    void payloadsThatAreNotOneJsonObjectAreRejected(String name, String payload, String reason, String field, String rule) {
        EventValidator.Outcome outcome = click(payload == null ? "" : payload);

        assertThat(outcome.isValid()).isFalse();
        assertThat(outcome.rejection().reason()).isEqualTo(QuarantineReason.valueOf(reason));
        assertThat(outcome.rejection().field()).isNull();
        assertThat(outcome.rejection().rule()).contains(rule);
    }

    /** A key given twice is malformed wherever it is and whatever its values: never the last one winning. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "declared key at the end|,\"user_id\":42",
        "declared key with another value|,\"page\":\"/home\"",
        "declared optional key null twice|,\"user_agent\":null",
        "undeclared key twice|,\"x\":1,\"x\":1",
    })
    void aRepeatedKeyInAnOtherwiseValidEventIsMalformed(String name, String extra) {
        String payload = CLICK.substring(0, CLICK.length() - 1).replace(",\"user_agent\":\"okhttp/4.12\"",
                name.contains("optional") ? ",\"user_agent\":null" : ",\"user_agent\":\"okhttp/4.12\"") + extra + "}";

        assertThat(CLICKS.validRow(payload.getBytes(StandardCharsets.UTF_8))).as("left to the tree").isNull();
        assertThat(CLICKS.scannedRow(payload.getBytes(StandardCharsets.UTF_8), null)).as("left to the tree").isNull();
        EventValidator.Outcome outcome = click(payload);
        assertThat(outcome.isValid()).as(payload).isFalse();
        assertThat(outcome.rejection().reason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
        assertThat(outcome.rejection().rule()).contains("Duplicate field");
    }

    @Test
    void nullPayloadIsRejected() {
        Rejection rejection = click(null).rejection();

        assertThat(rejection.reason()).isEqualTo(QuarantineReason.NULL_PAYLOAD);
        assertThat(rejection.eventId()).isNull();
    }

    @Test
    void oversizedPayloadIsRejectedBeforeParsing() {
        String big = CLICK.replace("}", ",\"padding\":\"" + "x".repeat(1024) + "\"}");

        Rejection rejection = click(big).rejection();

        assertThat(rejection.reason()).isEqualTo(QuarantineReason.OVERSIZED_PAYLOAD);
        assertThat(rejection.rule()).contains(big.length() + " bytes", "limit of 1024 bytes", "silver.max-payload-size");
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        Rejection rejection = CLICKS.validate(new RawRecord("t", "0", "1", bytes, INGEST)).rejection();

        assertThat(rejection.reason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case | from | to | reason | field | rule contains
        "user_id missing|\"user_id\":42,||MISSING_REQUIRED_FIELD|user_id|user_id is required",
        "user_id null|\"user_id\":42|\"user_id\":null|MISSING_REQUIRED_FIELD|user_id|was null",
        "page empty|\"/cart\"|\"  \"|MISSING_REQUIRED_FIELD|page|was empty",
        "user_id as string|\"user_id\":42|\"user_id\":\"user-42\"|WRONG_TYPE|user_id|must be a whole number, got string \"user-42\"",
        "user_id with fraction|\"user_id\":42|\"user_id\":42.5|WRONG_TYPE|user_id|must be a whole number, got 42.5",
        "user_id as boolean|\"user_id\":42|\"user_id\":true|WRONG_TYPE|user_id|got boolean true",
        "user_id negative|\"user_id\":42|\"user_id\":-42|OUT_OF_RANGE|user_id|user_id -42 is below the minimum 1",
        "user_id beyond long|\"user_id\":42|\"user_id\":99999999999999999999|OUT_OF_RANGE|user_id|is outside [1, 9223372036854775807]",
        "page as number|\"/cart\"|17|WRONG_TYPE|page|must be a string, got number 17",
        "page as object|\"/cart\"|{\"p\":1}|WRONG_TYPE|page|must be a string, got object",
        "event_type unknown|\"add_to_cart\"|\"hover\"|NOT_ALLOWED_VALUE|event_type|'HOVER' is not one of VIEW, ADD_TO_CART, CHECKOUT, PURCHASE",
        "event_ts local time|\"2026-11-20T09:00:01Z\"|\"2026-11-20T09:00:01\"|WRONG_TYPE|event_ts|with a zone or offset",
        "event_ts not a time|\"2026-11-20T09:00:01Z\"|\"yesterday\"|WRONG_TYPE|event_ts|got \"yesterday\"",
        "event_ts too early|\"2026-11-20T09:00:01Z\"|\"1970-01-01T00:00:00Z\"|OUT_OF_RANGE|event_ts|is outside",
        "event_ts in seconds|\"2026-11-20T09:00:01Z\"|1763629201|OUT_OF_RANGE|event_ts|1970-01-21",
        "event_ts year 2100|\"2026-11-20T09:00:01Z\"|\"2100-01-01T00:00:00Z\"|OUT_OF_RANGE|event_ts|is outside",
    })
    void fieldRulesNameTheFieldAndTheRule(String name, String from, String to, String reason, String field, String rule) {
        EventValidator.Outcome outcome = click(CLICK.replace(from, to == null ? "" : to));

        assertThat(outcome.isValid()).as("valid: %s", outcome.row()).isFalse();
        assertThat(outcome.rejection().reason()).isEqualTo(QuarantineReason.valueOf(reason));
        assertThat(outcome.rejection().field()).isEqualTo(field);
        assertThat(outcome.rejection().rule()).contains(rule);
        assertThat(outcome.rejection().eventId()).as("event id of a rejected record").isEqualTo("c-1");
    }

    @ParameterizedTest(name = "units {0}")
    @CsvSource(delimiter = '|', value = {
        "\"seven\"|WRONG_TYPE|must be a whole number, got string \"seven\"",
        "7.5|WRONG_TYPE|must be a whole number, got 7.5",
        "-1|OUT_OF_RANGE|-1 is outside [0, 100000]",
        "100001|OUT_OF_RANGE|100001 is outside [0, 100000]",
        "3000000000|OUT_OF_RANGE|is outside [0, 100000]",
    })
    void unitsMustBeAWholeNumberInRange(String units, String reason, String rule) {
        Rejection rejection = fulfillment(fulfillmentWith("\"units\":" + units)).rejection();

        assertThat(rejection.reason()).isEqualTo(QuarantineReason.valueOf(reason));
        assertThat(rejection.field()).isEqualTo("units");
        assertThat(rejection.rule()).contains(rule);
    }

    @Test
    void theFirstFailingFieldInDeclarationOrderIsReported() {
        Rejection rejection = click("{\"event_id\":\"c-9\",\"page\":\"/\",\"event_type\":\"hover\"}").rejection();

        assertThat(rejection.field()).isEqualTo("user_id");
        assertThat(rejection.reason()).isEqualTo(QuarantineReason.MISSING_REQUIRED_FIELD);
    }

    @Test
    void aRecordWithoutItsKeyIsRejectedWithoutAnEventId() {
        Rejection rejection = click(CLICK.replace("\"event_id\":\"c-1\",", "")).rejection();

        assertThat(rejection.reason()).isEqualTo(QuarantineReason.MISSING_REQUIRED_FIELD);
        assertThat(rejection.field()).isEqualTo("event_id");
        assertThat(rejection.eventId()).isNull();
    }

    @Test
    void sameRecordSameOutcome() {
        assertThat(all(click(CLICK).row(), ClickstreamEvents.SCHEMA)).isEqualTo(all(click(CLICK).row(), ClickstreamEvents.SCHEMA));
        assertThat(click("{").rejection().rule()).isEqualTo(click("{").rejection().rule());
    }

    /**
     * The token-by-token path and the tree give the same outcome, rows and worded rejections alike,
     * for every generated click and fulfillment event (with their planted defects, undeclared
     * fields, wrong types and broken JSON), and the fast path answers most of them itself.
     */
    @Test
    void theFastPathGivesTheTreesOutcomeForEveryGeneratedEvent() {
        DomainEventGenerator generator = new DomainEventGenerator(20261123L, java.time.Instant.parse("2026-11-20T09:00:00Z"));
        int fast = 0;
        int scanned = 0;
        int total = 0;
        for (boolean clicks : new boolean[] {true, false}) {
            EventSchema schema = clicks ? ClickstreamEvents.SCHEMA : FulfillmentEvents.SCHEMA;
            EventValidator validator = new EventValidator(schema, 512 * 1024);
            for (DomainEventGenerator.Event event : clicks ? generator.clickstream(20_000) : generator.fulfillment(20_000)) {
                RawRecord in = new RawRecord(clicks ? "clickstream" : "fulfillment", "1", String.valueOf(total), event.value, INGEST);
                EventValidator.Outcome outcome = validator.validate(in);
                total++;
                if (event.value == null || event.value.length > 512 * 1024 || event.value.length == 0) {
                    continue;
                }
                EventValidator.Outcome tree = validator.validateTree(in, event.value);
                assertThat(outcome.isValid()).as(event.defect + ": " + new String(event.value, StandardCharsets.UTF_8))
                        .isEqualTo(tree.isValid());
                if (tree.isValid()) {
                    assertThat(all(outcome.row(), schema)).isEqualTo(all(tree.row(), schema));
                } else {
                    assertThat(outcome.rejection()).usingRecursiveComparison().isEqualTo(tree.rejection());
                }
                GenericRowData tokens = validator.validRow(event.value);
                if (tokens != null) {
                    fast++;
                    assertThat(declared(tokens, schema)).isEqualTo(declared(tree.row(), schema));
                }
                RowData bytes = validator.scannedRow(event.value, null);
                if (bytes != null) {
                    scanned++;
                    assertThat(bytes).isInstanceOf(BinaryRowData.class);
                    assertThat(declared(bytes, schema)).as(new String(event.value, StandardCharsets.UTF_8))
                            .isEqualTo(declared(tree.row(), schema));
                }
            }
        }
        assertThat(fast).as("answered without the tree, of %d", total).isGreaterThan(total * 8 / 10);
        assertThat(scanned).as("answered from the bytes, of %d", total).isGreaterThan(total * 8 / 10);
    }

    /**
     * Every form at the edge of what the byte scan reads (whitespace, number forms, literals, escapes,
     * characters outside printable ASCII, control characters, broken syntax) gets the tree's outcome,
     * row or worded rejection alike; the scan answers only the forms it reads and leaves the rest.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // case | replace | with | the scan answers
        "as generated|||true",
        "whitespace around every token|{\"event_id\":\"c-1\",|`{ \"event_id\" :\t\"c-1\" ,\n`|true",
        "whitespace after the object|okhttp/4.12\"}|`okhttp/4.12\"} \r\n`|true",
        "data after the object|okhttp/4.12\"}|okhttp/4.12\"}x|false",
        "fields out of order|{\"event_id\":\"c-1\",\"user_id\":42,|{\"user_id\":42,\"event_id\":\"c-1\",|true",
        "negative zero|\"user_id\":42|\"user_id\":-0|false",
        "below the minimum|\"user_id\":42|\"user_id\":-5|false",
        "leading zero|\"user_id\":42|\"user_id\":042|false",
        "eighteen digits|\"user_id\":42|\"user_id\":123456789012345678|true",
        "nineteen digits|\"user_id\":42|\"user_id\":1234567890123456789|false",
        "beyond a long|\"user_id\":42|\"user_id\":92233720368547758070|false",
        "long minimum|\"user_id\":42|\"user_id\":-9223372036854775808|false",
        "whole number with a fraction|\"user_id\":42|\"user_id\":42.0|false",
        "fraction|\"user_id\":42|\"user_id\":42.5|false",
        "exponent|\"user_id\":42|\"user_id\":4e1|false",
        "minus alone|\"user_id\":42|\"user_id\":-|false",
        "number as a string|\"user_id\":42|\"user_id\":\"42\"|false",
        "boolean|\"user_id\":42|\"user_id\":true|false",
        "broken literal|\"session_hint\":\"s-42-1\"|\"session_hint\":nul|false",
        "literal run on|\"session_hint\":\"s-42-1\"|\"session_hint\":nullx|false",
        "number run on|\"user_id\":42|\"user_id\":42x|false",
        "optional null|\"session_hint\":\"s-42-1\"|\"session_hint\":null|true",
        "optional empty|\"session_hint\":\"s-42-1\"|`\"session_hint\":\"  \"`|true",
        "optional absent|\"session_hint\":\"s-42-1\",||true",
        "required empty|\"page\":\"/cart\"|\"page\":\"\"|false",
        "required null|\"page\":\"/cart\"|\"page\":null|false",
        "required absent|\"page\":\"/cart\",||false",
        "spaces trimmed|\"page\":\"/cart\"|`\"page\":\"  /cart \"`|true",
        "code mixed case|add_to_cart|Add_To_Cart|true",
        "code with spaces|add_to_cart|` view `|true",
        "code not allowed|add_to_cart|buy|false",
        "escaped quote|\"page\":\"/cart\"|\"page\":\"/ca\\\"rt\"|false",
        "escaped unicode|\"page\":\"/cart\"|\"page\":\"/caf\\u00e9\"|false",
        "raw UTF-8|\"page\":\"/cart\"|\"page\":\"/café\"|false",
        "raw tab in a string|\"page\":\"/cart\"|\"page\":\"/ca\trt\"|false",
        "escaped name|\"event_id\"|\"event\\u005fid\"|false",
        "epoch millis|\"2026-11-20T09:00:01Z\"|1763629201000|true",
        "epoch millis too early|\"2026-11-20T09:00:01Z\"|946684799999|false",
        "time with an offset|2026-11-20T09:00:01Z|2026-11-20T10:00:01+01:00|true",
        "time without an offset|2026-11-20T09:00:01Z|2026-11-20T09:00:01|false",
        "time out of range|2026-11-20T09:00:01Z|2100-01-01T00:00:00Z|false",
        "undeclared field|{\"event_id\"|{\"x\":1,\"event_id\"|false",
        "nested value|\"session_hint\":\"s-42-1\"|\"session_hint\":{\"a\":1}|false",
        "missing comma|,\"page\"|` \"page\"`|false",
        "trailing comma|okhttp/4.12\"}|okhttp/4.12\",}|false",
        "missing colon|\"page\":|`\"page\" `|false",
        "unterminated|okhttp/4.12\"}|okhttp/4.12|false",
        "empty object|*|{}|false",
        "empty object and whitespace|*|` { } `|false",
        "array|*|[1]|false",
        "only whitespace|*|`  `|false",
    })
    void theByteScanGivesTheTreesOutcomeAtItsEdges(String name, String replace, String with, boolean scans) {
        String payload = replace == null ? CLICK : "*".equals(replace) ? with : CLICK.replace(replace, with == null ? "" : with);
        if (replace != null) {
            assertThat(payload).as("the case changes the event").isNotEqualTo(CLICK);
        }
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        RawRecord in = record(payload);

        EventValidator.Outcome outcome = CLICKS.validate(in);
        EventValidator.Outcome tree = CLICKS.validateTree(in, bytes);
        assertThat(outcome.isValid()).as(payload).isEqualTo(tree.isValid());
        if (tree.isValid()) {
            assertThat(all(outcome.row(), ClickstreamEvents.SCHEMA)).isEqualTo(all(tree.row(), ClickstreamEvents.SCHEMA));
        } else {
            assertThat(outcome.rejection()).usingRecursiveComparison().isEqualTo(tree.rejection());
        }
        RowData scanned = CLICKS.scannedRow(bytes, null);
        assertThat(scanned != null).as("answered from the bytes: " + payload).isEqualTo(scans);
        if (scanned != null) {
            assertThat(declared(scanned, ClickstreamEvents.SCHEMA)).isEqualTo(declared(tree.row(), ClickstreamEvents.SCHEMA));
        }
    }

    /** The declared fields' values of a silver row (the coordinates after them are added by {@code validate}). */
    private static List<Object> declared(RowData row, EventSchema schema) {
        return values(row, schema, schema.fields().size());
    }

    /** Every value of a silver row, whatever its class (the byte scan writes binary rows, the other paths generic ones). */
    private static List<Object> all(RowData row, EventSchema schema) {
        assertThat(row.getArity()).isEqualTo(schema.fields().size() + SilverEventTable.TRAILING_COLUMNS);
        return values(row, schema, row.getArity());
    }

    private static List<Object> values(RowData row, EventSchema schema, int count) {
        RowType type = FlinkSchemaUtil.convert(schema.silverSchema());
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(RowData.createFieldGetter(type.getTypeAt(i), i).getFieldOrNull(row));
        }
        return values;
    }
}
