package dev.lakestream.jobs.localrun;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic events of the retail domain (online orders and clickstream), with defects planted
 * on purpose and counted: client-retry duplicates, out-of-order and late events, malformed JSON,
 * missing fields, wrong types, out-of-range values, inconsistent codes, schema drift, an oversized
 * payload and null payloads. The same seed always gives the same records in the same order.
 */
public final class DomainEventGenerator {

    /** What, if anything, is wrong with a generated record on purpose. */
    public enum Defect {
        NONE,
        RETRY_DUPLICATE,
        OUT_OF_ORDER,
        LATE,
        MALFORMED_JSON,
        MISSING_FIELD,
        WRONG_TYPE,
        OUT_OF_RANGE,
        INCONSISTENT_CODE,
        SCHEMA_DRIFT,
        OVERSIZED,
        NULL_PAYLOAD,
        /** A code outside the allowed values (an event type nobody declared). */
        UNKNOWN_CODE,
        /** A whole-number field sent with a fraction ({@code "units": 7.5}). */
        TYPE_NARROWING
    }

    /** One record to produce. {@code value} is null for a null payload. */
    public static final class Event {
        public final String key;
        public final byte[] value;
        public final Defect defect;
        /** The event id written into the payload (also for most broken payloads). */
        public final String eventId;
        /**
         * What silver should make of it, worked out here from the values the generator wrote (not
         * by the pipeline's code): the declared columns in order, '|'-separated, with the UTC event
         * time and the undeclared fields as JSON; null when the record must be rejected.
         */
        public final String expectedSilver;
        /** The expected quarantine reason and field, e.g. {@code WRONG_TYPE(units)}; null when valid. */
        public final String expectedRejection;

        Event(String key, byte[] value, Defect defect, String eventId, String expectedSilver, String expectedRejection) {
            this.key = key;
            this.value = value;
            this.defect = defect;
            this.eventId = eventId;
            this.expectedSilver = expectedSilver;
            this.expectedRejection = expectedRejection;
        }
    }

    /** A record's payload and what silver should make of it, before payload-level defects apply. */
    private static final class Draft {
        final String eventId;
        final String json;
        final String expectedSilver;
        final String expectedRejection;

        Draft(String eventId, String json, String expectedSilver, String expectedRejection) {
            this.eventId = eventId;
            this.json = json;
            this.expectedSilver = expectedSilver;
            this.expectedRejection = expectedRejection;
        }
    }

    private static final String[] PAGES = {"/", "/search", "/product", "/cart", "/checkout", "/account"};
    private static final String[] CLICK_TYPES = {"view", "view", "view", "add_to_cart", "checkout", "purchase"};
    private static final String[] FULFILLMENT_TYPES = {"received", "picked", "picked", "packed", "shipped", "damaged"};
    private static final String[] STATUSES = {"placed", "paid", "shipped", "delivered", "cancelled", "test"};
    private static final String[] CURRENCIES = {"USD", "EUR", "GBP"};
    private static final String[] AGENTS = {"Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone)", "okhttp/4.12"};
    private static final int OVERSIZED_BYTES = 600 * 1024;

    private final SplittableRandom random;
    private final Instant start;
    private final Map<Defect, Integer> counts = new EnumMap<>(Defect.class);
    private final java.util.Set<String> oversizedPlanted = new java.util.HashSet<>();
    private long sequence;

    public DomainEventGenerator(long seed, Instant start) {
        this.random = new SplittableRandom(seed);
        this.start = start;
    }

    /** Event times of the next batches start this much after the generator's start (later batches of one run). */
    private java.time.Duration shift = java.time.Duration.ZERO;

    /** Clickstream events like {@link #clickstream(int)}, spread over the hour starting {@code shift} after the generator's start. */
    public List<Event> clickstream(int count, java.time.Duration shift) {
        java.time.Duration before = this.shift;
        this.shift = shift;
        try {
            return clickstream(count);
        } finally {
            this.shift = before;
        }
    }

    /** Clickstream events for the {@code clickstream} topic, keyed by user. */
    public List<Event> clickstream(int count) {
        List<Event> events = new ArrayList<>(count);
        while (events.size() < count) {
            long user = 1 + random.nextInt(5_000);
            String eventId = "c-" + (++sequence);
            Instant ts = eventTime(events.size(), count);
            Defect defect = pickDefect("clickstream");
            String type = pick(CLICK_TYPES);
            String page = pick(PAGES);
            String agent = pick(AGENTS);
            String session = "s-" + user + "-" + ts.getEpochSecond() / 1800;
            Draft draft;
            switch (defect) {
                case MISSING_FIELD:
                    draft = new Draft(eventId, String.format(Locale.ROOT,
                            "{\"event_id\":\"%s\",\"page\":\"%s\",\"event_ts\":\"%s\"}", eventId, page, ts),
                            null, "MISSING_REQUIRED_FIELD(user_id)");
                    break;
                case WRONG_TYPE:
                    draft = click(eventId, "\"user-" + user + "\"", session, page, type, ts, agent, "", null,
                            "WRONG_TYPE(user_id)");
                    break;
                case TYPE_NARROWING:
                    draft = click(eventId, user + ".5", session, page, type, ts, agent, "", null, "WRONG_TYPE(user_id)");
                    break;
                case OUT_OF_RANGE:
                    draft = click(eventId, String.valueOf(-user), session, page, type, ts, agent, "", null,
                            "OUT_OF_RANGE(user_id)");
                    break;
                case UNKNOWN_CODE:
                    draft = click(eventId, String.valueOf(user), session, page, "hover", ts, agent, "", null,
                            "NOT_ALLOWED_VALUE(event_type)");
                    break;
                case INCONSISTENT_CODE:
                    draft = validClick(eventId, user, session, page, mixedCase(type), type, ts, agent, "", null);
                    break;
                case SCHEMA_DRIFT:
                    draft = validClick(eventId, user, session, page, type, type, ts, agent, ",\"referrer\":\"newsletter\"",
                            "{\"referrer\":\"newsletter\"}");
                    break;
                case LATE:
                    Instant late = ts.minus(Duration.ofMinutes(5 + random.nextInt(180)));
                    draft = validClick(eventId, user, "s-" + user + "-" + late.getEpochSecond() / 1800, page, type, type, late,
                            agent, "", null);
                    break;
                case OUT_OF_ORDER:
                    Instant early = ts.minusSeconds(1 + random.nextInt(5));
                    draft = validClick(eventId, user, session, page, type, type, early, agent, "", null);
                    break;
                default:
                    draft = validClick(eventId, user, session, page, type, type, ts, agent, "", null);
            }
            add(events, "user-" + user, draft, defect, count);
        }
        return events;
    }

    /**
     * Fulfillment-center events for the {@code fulfillment-events} Kinesis stream, keyed by
     * facility; a few of the 500 facilities send most of the traffic. Kinesis cannot carry a null
     * payload, so none is planted here.
     */
    public List<Event> fulfillment(int count) {
        List<Event> events = new ArrayList<>(count);
        while (events.size() < count) {
            int facility = random.nextInt(100) < 50 ? 1 + random.nextInt(5) : 1 + random.nextInt(500);
            String facilityId = String.format(Locale.ROOT, "fc-%03d", facility);
            String eventId = "f-" + (++sequence);
            Instant ts = eventTime(events.size(), count);
            Defect defect = pickDefect("fulfillment");
            if (defect == Defect.NULL_PAYLOAD) {
                defect = Defect.NONE;
            }
            String type = pick(FULFILLMENT_TYPES);
            int units = 1 + random.nextInt(40);
            Draft draft;
            switch (defect) {
                case MISSING_FIELD:
                    draft = new Draft(eventId, String.format(Locale.ROOT,
                            "{\"event_id\":\"%s\",\"facility_id\":\"%s\",\"event_type\":\"%s\",\"event_ts\":\"%s\"}",
                            eventId, facilityId, type, ts), null, "MISSING_REQUIRED_FIELD(units)");
                    break;
                case WRONG_TYPE:
                    draft = fulfillmentDraft(eventId, facilityId, type, "\"seven\"", ts, "", null, "WRONG_TYPE(units)");
                    break;
                case TYPE_NARROWING:
                    draft = fulfillmentDraft(eventId, facilityId, type, units + ".5", ts, "", null, "WRONG_TYPE(units)");
                    break;
                case OUT_OF_RANGE:
                    draft = fulfillmentDraft(eventId, facilityId, type, String.valueOf(-units), ts, "", null,
                            "OUT_OF_RANGE(units)");
                    break;
                case UNKNOWN_CODE:
                    draft = fulfillmentDraft(eventId, facilityId, "teleported", String.valueOf(units), ts, "", null,
                            "NOT_ALLOWED_VALUE(event_type)");
                    break;
                case INCONSISTENT_CODE:
                    draft = validFulfillment(eventId, facilityId, mixedCase(type), type, units + ".0", units, ts, "", null);
                    break;
                case SCHEMA_DRIFT:
                    draft = validFulfillment(eventId, facilityId, type, type, String.valueOf(units), units, ts,
                            ",\"temperature_c\":4.5", "{\"temperature_c\":4.5}");
                    break;
                case LATE:
                    draft = validFulfillment(eventId, facilityId, type, type, String.valueOf(units), units,
                            ts.minus(Duration.ofMinutes(5 + random.nextInt(180))), "", null);
                    break;
                case OUT_OF_ORDER:
                    draft = validFulfillment(eventId, facilityId, type, type, String.valueOf(units), units,
                            ts.minusSeconds(1 + random.nextInt(5)), "", null);
                    break;
                default:
                    draft = validFulfillment(eventId, facilityId, type, type, String.valueOf(units), units, ts, "", null);
            }
            add(events, facilityId, draft, defect, count);
        }
        return events;
    }

    /** Order lifecycle events for the {@code orders} topic, keyed by order. */
    public List<Event> orderEvents(int count) {
        List<Event> events = new ArrayList<>(count);
        while (events.size() < count) {
            long order = 100_000 + random.nextInt(20_000);
            long customer = 1 + random.nextInt(2_000);
            String eventId = "o-" + (++sequence);
            Instant ts = eventTime(events.size(), count);
            String status = pick(STATUSES);
            String currency = pick(CURRENCIES);
            String total = String.format(Locale.ROOT, "%.2f", 5 + random.nextDouble() * 495);
            Defect defect = pickDefect("orders");
            if (defect == Defect.UNKNOWN_CODE || defect == Defect.TYPE_NARROWING) {
                defect = Defect.NONE;
            }
            String json;
            switch (defect) {
                case MISSING_FIELD:
                    json = String.format(Locale.ROOT, "{\"event_id\":\"%s\",\"order_id\":%d,\"event_ts\":\"%s\"}",
                            eventId, order, ts);
                    break;
                case WRONG_TYPE:
                    json = order(eventId, order, customer, status, "\"seven\"", currency, ts, "");
                    break;
                case OUT_OF_RANGE:
                    json = order(eventId, order, customer, status, "-" + total, currency, ts, "");
                    break;
                case INCONSISTENT_CODE:
                    json = order(eventId, order, customer, status, total,
                            random.nextBoolean() ? currency.toLowerCase(Locale.ROOT) : currency.charAt(0)
                                    + currency.substring(1).toLowerCase(Locale.ROOT), ts, "");
                    break;
                case SCHEMA_DRIFT:
                    json = order(eventId, order, customer, status, total, currency, ts, ",\"coupon_code\":\"WINTER26\"");
                    break;
                case LATE:
                    json = order(eventId, order, customer, status, total, currency,
                            ts.minus(Duration.ofMinutes(5 + random.nextInt(180))), "");
                    break;
                case OUT_OF_ORDER:
                    json = order(eventId, order, customer, status, total, currency, ts.minusSeconds(1 + random.nextInt(5)), "");
                    break;
                default:
                    json = order(eventId, order, customer, status, total, currency, ts, "");
            }
            // Orders have no silver event table (they arrive by CDC as current state): no expectations.
            add(events, "order-" + order, new Draft(eventId, json, null, null), defect, count);
        }
        return events;
    }

    /** How many records of each defect were generated so far. */
    public Map<Defect, Integer> defectCounts() {
        return Collections.unmodifiableMap(counts);
    }

    private void add(List<Event> events, String key, Draft draft, Defect defect, int limit) {
        byte[] value;
        String silver = draft.expectedSilver;
        String rejection = draft.expectedRejection;
        switch (defect) {
            case MALFORMED_JSON:
                value = draft.json.substring(0, draft.json.length() / 2).getBytes(StandardCharsets.UTF_8);
                silver = null;
                rejection = "MALFORMED_JSON";
                break;
            case NULL_PAYLOAD:
                value = null;
                silver = null;
                rejection = "NULL_PAYLOAD";
                break;
            case OVERSIZED:
                value = (draft.json.substring(0, draft.json.length() - 1) + ",\"padding\":\"" + "x".repeat(OVERSIZED_BYTES) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                silver = null;
                rejection = "OVERSIZED_PAYLOAD";
                break;
            default:
                value = draft.json.getBytes(StandardCharsets.UTF_8);
        }
        Event event = new Event(key, value, defect, draft.eventId, silver, rejection);
        events.add(event);
        counts.merge(defect, 1, Integer::sum);
        // A client retry sends the identical record again, right after or a little later.
        if (defect == Defect.NONE && events.size() < limit && random.nextInt(100) < 2) {
            events.add(new Event(key, value, Defect.RETRY_DUPLICATE, draft.eventId, silver, rejection));
            counts.merge(Defect.RETRY_DUPLICATE, 1, Integer::sum);
        }
    }

    /** One oversized payload per stream, early on; then defects at fixed rates. */
    private Defect pickDefect(String stream) {
        if (sequence > 50 && oversizedPlanted.add(stream)) {
            return Defect.OVERSIZED;
        }
        int r = random.nextInt(1000);
        if (r < 5) return Defect.MALFORMED_JSON;
        if (r < 10) return Defect.MISSING_FIELD;
        if (r < 15) return Defect.WRONG_TYPE;
        if (r < 20) return Defect.OUT_OF_RANGE;
        if (r < 35) return Defect.INCONSISTENT_CODE;
        if (r < 40) return Defect.SCHEMA_DRIFT;
        if (r < 45) return Defect.NULL_PAYLOAD;
        if (r < 55) return Defect.LATE;
        if (r < 85) return Defect.OUT_OF_ORDER;
        if (r < 88) return Defect.UNKNOWN_CODE;
        if (r < 91) return Defect.TYPE_NARROWING;
        return Defect.NONE;
    }

    private Instant eventTime(int index, int count) {
        // Spread events over one simulated hour, in order, before defects move some of them.
        return start.plus(shift).plusMillis(3_600_000L * index / Math.max(1, count));
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static Draft click(String eventId, String user, String session, String page, String type, Instant ts,
            String agent, String extra, String expectedSilver, String expectedRejection) {
        String json = String.format(Locale.ROOT,
                "{\"event_id\":\"%s\",\"user_id\":%s,\"session_hint\":\"%s\",\"page\":\"%s\",\"event_type\":\"%s\","
                        + "\"event_ts\":\"%s\",\"user_agent\":\"%s\"%s}",
                eventId, user, session, page, type, ts, agent, extra);
        return new Draft(eventId, json, expectedSilver, expectedRejection);
    }

    /** A valid click: {@code sentType} is what the payload says, {@code type} what silver holds (upper-cased). */
    private static Draft validClick(String eventId, long user, String session, String page, String sentType, String type,
            Instant ts, String agent, String extra, String expectedExtra) {
        String silver = String.join("|", eventId, String.valueOf(user), session, page, type.toUpperCase(Locale.ROOT),
                utc(ts), agent, String.valueOf(expectedExtra));
        return click(eventId, String.valueOf(user), session, page, sentType, ts, agent, extra, silver, null);
    }

    private static Draft fulfillmentDraft(String eventId, String facility, String type, String units, Instant ts,
            String extra, String expectedSilver, String expectedRejection) {
        String json = String.format(Locale.ROOT,
                "{\"event_id\":\"%s\",\"facility_id\":\"%s\",\"event_type\":\"%s\",\"units\":%s,\"event_ts\":\"%s\"%s}",
                eventId, facility, type, units, ts, extra);
        return new Draft(eventId, json, expectedSilver, expectedRejection);
    }

    private static Draft validFulfillment(String eventId, String facility, String sentType, String type, String sentUnits,
            int units, Instant ts, String extra, String expectedExtra) {
        String silver = String.join("|", eventId, facility.toUpperCase(Locale.ROOT), type.toUpperCase(Locale.ROOT),
                String.valueOf(units), utc(ts), String.valueOf(expectedExtra));
        return fulfillmentDraft(eventId, facility, sentType, sentUnits, ts, extra, silver, null);
    }

    /** The UTC wall-clock time silver stores, as {@code LocalDateTime.toString()} prints it. */
    private static String utc(Instant ts) {
        return java.time.LocalDateTime.ofInstant(ts, java.time.ZoneOffset.UTC).toString();
    }

    private String mixedCase(String code) {
        switch (random.nextInt(3)) {
            case 0: return code.toUpperCase(Locale.ROOT);
            case 1: return Character.toUpperCase(code.charAt(0)) + code.substring(1);
            default: return " " + code.toUpperCase(Locale.ROOT).charAt(0) + code.substring(1) + " ";
        }
    }

    private static String order(String eventId, long order, long customer, String status, String total, String currency,
            Instant ts, String extra) {
        return String.format(Locale.ROOT,
                "{\"event_id\":\"%s\",\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":%s,"
                        + "\"currency\":\"%s\",\"event_ts\":\"%s\"%s}",
                eventId, order, customer, status, total, currency, ts, extra);
    }
}
