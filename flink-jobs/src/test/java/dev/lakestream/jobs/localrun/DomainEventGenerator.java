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
        NULL_PAYLOAD
    }

    /** One Kafka record to produce. {@code value} is null for a null payload. */
    public static final class Event {
        public final String key;
        public final byte[] value;
        public final Defect defect;

        Event(String key, byte[] value, Defect defect) {
            this.key = key;
            this.value = value;
            this.defect = defect;
        }
    }

    private static final String[] PAGES = {"/", "/search", "/product", "/cart", "/checkout", "/account"};
    private static final String[] CLICK_TYPES = {"view", "view", "view", "add_to_cart", "checkout", "purchase"};
    private static final String[] STATUSES = {"placed", "paid", "shipped", "delivered", "cancelled", "test"};
    private static final String[] CURRENCIES = {"USD", "EUR", "GBP"};
    private static final String[] AGENTS = {"Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone)", "okhttp/4.12"};
    private static final int OVERSIZED_BYTES = 600 * 1024;

    private final SplittableRandom random;
    private final Instant start;
    private final Map<Defect, Integer> counts = new EnumMap<>(Defect.class);
    private long sequence;

    public DomainEventGenerator(long seed, Instant start) {
        this.random = new SplittableRandom(seed);
        this.start = start;
    }

    /** Clickstream events for the {@code clickstream} topic, keyed by user. */
    public List<Event> clickstream(int count) {
        List<Event> events = new ArrayList<>(count);
        while (events.size() < count) {
            long user = 1 + random.nextInt(5_000);
            String eventId = "c-" + (++sequence);
            Instant ts = eventTime(events.size(), count);
            Defect defect = pickDefect();
            String json;
            switch (defect) {
                case MISSING_FIELD:
                    json = String.format(Locale.ROOT, "{\"event_id\":\"%s\",\"page\":\"%s\",\"event_ts\":\"%s\"}",
                            eventId, pick(PAGES), ts);
                    break;
                case WRONG_TYPE:
                    json = click(eventId, "\"user-" + user + "\"", ts, pick(CLICK_TYPES), "");
                    break;
                case OUT_OF_RANGE:
                    json = click(eventId, String.valueOf(-user), ts, pick(CLICK_TYPES), "");
                    break;
                case INCONSISTENT_CODE:
                    json = click(eventId, String.valueOf(user), ts, pick(CLICK_TYPES).toUpperCase(Locale.ROOT), "");
                    break;
                case SCHEMA_DRIFT:
                    json = click(eventId, String.valueOf(user), ts, pick(CLICK_TYPES), ",\"referrer\":\"newsletter\"");
                    break;
                case LATE:
                    json = click(eventId, String.valueOf(user), ts.minus(Duration.ofMinutes(5 + random.nextInt(180))),
                            pick(CLICK_TYPES), "");
                    break;
                case OUT_OF_ORDER:
                    json = click(eventId, String.valueOf(user), ts.minusSeconds(1 + random.nextInt(5)), pick(CLICK_TYPES), "");
                    break;
                default:
                    json = click(eventId, String.valueOf(user), ts, pick(CLICK_TYPES), "");
            }
            add(events, "user-" + user, json, defect, count);
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
            Defect defect = pickDefect();
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
            add(events, "order-" + order, json, defect, count);
        }
        return events;
    }

    /** How many records of each defect were generated so far. */
    public Map<Defect, Integer> defectCounts() {
        return Collections.unmodifiableMap(counts);
    }

    private void add(List<Event> events, String key, String json, Defect defect, int limit) {
        byte[] value;
        switch (defect) {
            case MALFORMED_JSON:
                value = json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8);
                break;
            case NULL_PAYLOAD:
                value = null;
                break;
            case OVERSIZED:
                value = (json.substring(0, json.length() - 1) + ",\"padding\":\"" + "x".repeat(OVERSIZED_BYTES) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                break;
            default:
                value = json.getBytes(StandardCharsets.UTF_8);
        }
        events.add(new Event(key, value, defect));
        counts.merge(defect, 1, Integer::sum);
        // A client retry sends the identical record again, right after or a little later.
        if (defect == Defect.NONE && events.size() < limit && random.nextInt(100) < 2) {
            events.add(new Event(key, value, Defect.RETRY_DUPLICATE));
            counts.merge(Defect.RETRY_DUPLICATE, 1, Integer::sum);
        }
    }

    private Defect pickDefect() {
        if (!counts.containsKey(Defect.OVERSIZED) && sequence > 50) {
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
        return Defect.NONE;
    }

    private Instant eventTime(int index, int count) {
        // Spread events over one simulated hour, in order, before defects move some of them.
        return start.plusMillis(3_600_000L * index / Math.max(1, count));
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private String click(String eventId, String user, Instant ts, String type, String extra) {
        return String.format(Locale.ROOT,
                "{\"event_id\":\"%s\",\"user_id\":%s,\"session_hint\":\"s-%s-%d\",\"page\":\"%s\",\"event_type\":\"%s\","
                        + "\"event_ts\":\"%s\",\"user_agent\":\"%s\"%s}",
                eventId, user, user.replace("\"", ""), ts.getEpochSecond() / 1800, pick(PAGES), type, ts, pick(AGENTS),
                extra);
    }

    private static String order(String eventId, long order, long customer, String status, String total, String currency,
            Instant ts, String extra) {
        return String.format(Locale.ROOT,
                "{\"event_id\":\"%s\",\"order_id\":%d,\"customer_id\":%d,\"status\":\"%s\",\"total\":%s,"
                        + "\"currency\":\"%s\",\"event_ts\":\"%s\"%s}",
                eventId, order, customer, status, total, currency, ts, extra);
    }
}
