package dev.lakestream.jobs.silver.schema;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One declared field of an event stream: its name in the JSON and in silver, its type, whether it
 * is required, and the values it may take. Built fluently, e.g. {@code
 * FieldSpec.code("event_type").required().allowed("VIEW", "PURCHASE")}.
 */
public final class FieldSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final FieldType type;
    private boolean required;
    private Long min;
    private Long max;
    private int maxLength = Integer.MAX_VALUE;
    private Set<String> allowed = Collections.emptySet();
    private String doc;

    private FieldSpec(String name, FieldType type) {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Field name '" + name + "' must match [a-z][a-z0-9_]*");
        }
        this.name = name;
        this.type = Objects.requireNonNull(type);
    }

    public static FieldSpec string(String name) {
        return new FieldSpec(name, FieldType.STRING);
    }

    public static FieldSpec code(String name) {
        return new FieldSpec(name, FieldType.CODE);
    }

    public static FieldSpec longField(String name) {
        return new FieldSpec(name, FieldType.LONG);
    }

    public static FieldSpec intField(String name) {
        return new FieldSpec(name, FieldType.INT);
    }

    public static FieldSpec timestamp(String name) {
        return new FieldSpec(name, FieldType.TIMESTAMP);
    }

    public FieldSpec required() {
        this.required = true;
        return this;
    }

    /** Inclusive bounds of a numeric field. */
    public FieldSpec range(long min, long max) {
        if (type != FieldType.LONG && type != FieldType.INT) {
            throw new IllegalArgumentException("Field " + name + " is " + type + ": only numbers have a range");
        }
        if (min > max) {
            throw new IllegalArgumentException("Field " + name + ": min " + min + " > max " + max);
        }
        this.min = min;
        this.max = max;
        return this;
    }

    /** Longest accepted string, in characters. */
    public FieldSpec maxLength(int maxLength) {
        if (type != FieldType.STRING && type != FieldType.CODE) {
            throw new IllegalArgumentException("Field " + name + " is " + type + ": only strings have a length");
        }
        this.maxLength = maxLength;
        return this;
    }

    /** The codes a {@link FieldType#CODE} field may take, after upper-casing. None means any. */
    public FieldSpec allowed(String... codes) {
        if (type != FieldType.CODE) {
            throw new IllegalArgumentException("Field " + name + " is " + type + ": only codes have allowed values");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String c : codes) {
            set.add(c.toUpperCase(Locale.ROOT));
        }
        this.allowed = Collections.unmodifiableSet(set);
        return this;
    }

    public FieldSpec doc(String doc) {
        this.doc = doc;
        return this;
    }

    public String name() {
        return name;
    }

    public FieldType type() {
        return type;
    }

    public boolean isRequired() {
        return required;
    }

    public Long min() {
        return min;
    }

    public Long max() {
        return max;
    }

    public int maxLength() {
        return maxLength;
    }

    public Set<String> allowed() {
        return allowed;
    }

    public String doc() {
        return doc;
    }

    @Override
    public String toString() {
        return name + " " + type + (required ? " required" : "");
    }
}
