package dev.lakestream.jobs.silver.schema;

import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** What a declared field holds in silver, and what JSON it accepts. */
public enum FieldType {
    /** A JSON string, trimmed; an empty string counts as absent. */
    STRING(Types.StringType.get()),
    /** A JSON string, trimmed and upper-cased: {@code usd}, {@code Usd} and {@code USD} are one code. */
    CODE(Types.StringType.get()),
    /** A JSON integer; a number with a fraction (type narrowing) or a string is a wrong type. */
    LONG(Types.LongType.get()),
    /** As {@link #LONG}, within the 32-bit range. */
    INT(Types.IntegerType.get()),
    /**
     * An ISO-8601 instant with a zone or offset ({@code 2026-11-20T09:00:00Z}, {@code
     * ...+01:00}), or epoch milliseconds; stored as UTC {@code timestamp}. A local date-time
     * without offset is ambiguous and a wrong type.
     */
    TIMESTAMP(Types.TimestampType.withoutZone());

    private final Type icebergType;

    FieldType(Type icebergType) {
        this.icebergType = icebergType;
    }

    public Type icebergType() {
        return icebergType;
    }
}
