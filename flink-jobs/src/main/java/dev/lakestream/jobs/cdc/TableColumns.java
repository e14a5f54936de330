package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

/**
 * A captured table's columns as the job knows them, growing when row images show a column the
 * job has not seen: the table's current schema is read again from its {@link SchemaSource} and
 * the new columns are appended (existing ones keep their types). Fields the source does not
 * declare either are remembered, so they cost one lookup, not one per row.
 */
final class TableColumns implements Serializable {

    private static final long serialVersionUID = 1L;

    private final SchemaSource source;
    private CdcTableSchema schema;
    private final Set<String> undeclared = new HashSet<>();
    private transient ChangeRowConverter converter;

    TableColumns(CdcTableSchema schema, SchemaSource source) {
        this.schema = schema;
        this.source = source;
    }

    CdcTableSchema schema() {
        return schema;
    }

    ChangeRowConverter converter() {
        if (converter == null) {
            converter = new ChangeRowConverter(schema);
        }
        return converter;
    }

    /** Makes room for the fields of {@code image}; true when the columns grew. */
    boolean accommodate(JsonNode image) throws Exception {
        Set<String> unknown = new HashSet<>();
        for (String field : ChangeRowConverter.fieldNames(image)) {
            if (!undeclared.contains(field) && schema.columns().stream().noneMatch(c -> c.name().equals(field))) {
                unknown.add(field);
            }
        }
        if (unknown.isEmpty()) {
            return false;
        }
        CdcTableSchema current = source.current(schema.table());
        CdcTableSchema grown = current == null ? schema : schema.withAddedColumns(current);
        for (String field : unknown) {
            if (grown.columns().stream().noneMatch(c -> c.name().equals(field))) {
                undeclared.add(field);
            }
        }
        if (grown == schema) {
            return false;
        }
        schema = grown;
        converter = new ChangeRowConverter(schema);
        return true;
    }
}
