package dev.lakestream.jobs.silver.schema;

import dev.lakestream.catalog.tables.SilverEventTable;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The declared schema of an event stream: its fields in silver column order. The first field is
 * the business key deduplication runs on (a required string); {@link #eventTimeField()} is the
 * required timestamp silver is partitioned by.
 */
public final class EventSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<FieldSpec> fields;
    private final String eventTimeField;

    public EventSchema(String name, String eventTimeField, List<FieldSpec> fields) {
        this.name = name;
        this.fields = List.copyOf(fields);
        this.eventTimeField = eventTimeField;
        if (fields.isEmpty() || fields.get(0).type() != FieldType.STRING || !fields.get(0).isRequired()) {
            throw new IllegalArgumentException(
                    "Event schema " + name + " must start with its business key, a required string field");
        }
        Set<String> names = new HashSet<>();
        for (FieldSpec f : fields) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("Event schema " + name + " declares field " + f.name() + " twice");
            }
            if (f.name().equals(SilverEventTable.EXTRA_FIELDS) || SilverEventTable.schema(List.of()).findField(f.name()) != null) {
                throw new IllegalArgumentException(
                        "Event schema " + name + " field " + f.name() + " clashes with a column every silver table has");
            }
        }
        FieldSpec time = field(eventTimeField);
        if (time == null || time.type() != FieldType.TIMESTAMP || !time.isRequired()) {
            throw new IllegalArgumentException(
                    "Event schema " + name + " event time field '" + eventTimeField + "' must be a required timestamp");
        }
    }

    public String name() {
        return name;
    }

    public List<FieldSpec> fields() {
        return fields;
    }

    public FieldSpec keyField() {
        return fields.get(0);
    }

    public String eventTimeField() {
        return eventTimeField;
    }

    public FieldSpec field(String fieldName) {
        for (FieldSpec f : fields) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        return null;
    }

    /** The declared fields as Iceberg columns (ids are placeholders; the table spec assigns them). */
    public List<Types.NestedField> icebergColumns() {
        List<Types.NestedField> columns = new ArrayList<>();
        int id = 1;
        for (FieldSpec f : fields) {
            columns.add(Types.NestedField.of(id++, !f.isRequired(), f.name(), f.type().icebergType(), f.doc()));
        }
        return columns;
    }

    /** The silver table's full schema (declared fields, then the common silver columns). */
    public Schema silverSchema() {
        return SilverEventTable.schema(icebergColumns());
    }
}
