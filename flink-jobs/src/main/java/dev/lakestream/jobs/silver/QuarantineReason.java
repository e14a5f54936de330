package dev.lakestream.jobs.silver;

/** Why silver rejected a record. Stored by name in the quarantine table's {@code reason} column. */
public enum QuarantineReason {
    /** The record had no payload at all (a null Kafka value). */
    NULL_PAYLOAD,
    /** The payload is larger than {@code silver.max-payload-size}. */
    OVERSIZED_PAYLOAD,
    /** The payload is empty, not UTF-8 JSON, truncated, has trailing data or repeats a key. */
    MALFORMED_JSON,
    /** Valid JSON, but not an object (an array, a string, a number ...). */
    NOT_A_JSON_OBJECT,
    /** A required field is absent, null or an empty string. */
    MISSING_REQUIRED_FIELD,
    /** A field has the wrong JSON type, e.g. {@code "units": "seven"} or a fraction where a whole number belongs. */
    WRONG_TYPE,
    /** A number outside its declared bounds, a string over its length, a timestamp outside 2000-2099. */
    OUT_OF_RANGE,
    /** A code that is not one of the field's allowed values. */
    NOT_ALLOWED_VALUE
}
