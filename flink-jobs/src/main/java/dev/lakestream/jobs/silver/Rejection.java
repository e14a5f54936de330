package dev.lakestream.jobs.silver;

import java.util.Objects;

/** Why a record cannot enter silver: the reason class, the field (if one failed) and the rule in words. */
public final class Rejection {

    private final QuarantineReason reason;
    private final String field;
    private final String rule;
    private final String eventId;

    Rejection(QuarantineReason reason, String field, String rule, String eventId) {
        this.reason = Objects.requireNonNull(reason);
        this.field = field;
        this.rule = Objects.requireNonNull(rule);
        this.eventId = eventId;
    }

    public QuarantineReason reason() {
        return reason;
    }

    /** The failing field; null when the record as a whole failed (null, oversized, malformed). */
    public String field() {
        return field;
    }

    public String rule() {
        return rule;
    }

    /** The record's event id when it could be read; null otherwise. */
    public String eventId() {
        return eventId;
    }

    Rejection withEventId(String id) {
        return new Rejection(reason, field, rule, id);
    }

    @Override
    public String toString() {
        return reason + (field == null ? "" : "(" + field + ")") + ": " + rule;
    }
}
