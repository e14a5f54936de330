package dev.lakestream.cdc;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A captured table as its database declares it: columns in order with their types, and the primary
 * key. Read from the database's catalog when the job starts, so the silver table follows the
 * source's columns (an added column appears on the next start).
 */
public final class CdcTableSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Column types as silver stores them. */
    public enum ColumnType {
        LONG,
        INT,
        DECIMAL,
        STRING,
        /** timestamptz: an instant, stored as UTC. */
        TIMESTAMP_UTC,
        /** timestamp without time zone: a wall-clock time, stored as it is. */
        TIMESTAMP_LOCAL,
        DATE,
        BOOLEAN,
        DOUBLE,
        FLOAT
    }

    /** One column; precision and scale matter for DECIMAL (digits) and timestamps (fraction digits). */
    public static final class Column implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String name;
        private final ColumnType type;
        private final int precision;
        private final int scale;
        private final boolean nullable;
        private final String sourceType;

        public Column(String name, ColumnType type, int precision, int scale, boolean nullable, String sourceType) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
            this.precision = precision;
            this.scale = scale;
            this.nullable = nullable;
            this.sourceType = sourceType;
        }

        public String name() {
            return name;
        }

        public ColumnType type() {
            return type;
        }

        public int precision() {
            return precision;
        }

        public int scale() {
            return scale;
        }

        public boolean nullable() {
            return nullable;
        }

        /** The database's own type name, e.g. {@code numeric(12,2)}. */
        public String sourceType() {
            return sourceType;
        }

        @Override
        public String toString() {
            return name + " " + sourceType;
        }
    }

    private final String table;
    private final List<Column> columns;
    private final List<String> primaryKey;

    public CdcTableSchema(String table, List<Column> columns, List<String> primaryKey) {
        this.table = Objects.requireNonNull(table);
        this.columns = List.copyOf(columns);
        this.primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("Table " + table + " has no primary key: CDC into current state needs one");
        }
        List<String> names = columns.stream().map(Column::name).collect(Collectors.toList());
        if (!names.containsAll(primaryKey)) {
            throw new IllegalArgumentException("Table " + table + " key " + primaryKey + " is not among its columns " + names);
        }
    }

    /** {@code schema.table}. */
    public String table() {
        return table;
    }

    /** The table name without its schema, e.g. {@code orders}. */
    public String name() {
        return table.substring(table.indexOf('.') + 1);
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    /**
     * This schema with the columns {@code newer} has and this one lacks appended, in {@code
     * newer}'s order. Existing columns keep their types: a column whose type changed upstream is
     * not re-typed (its values that no longer fit are quarantined instead).
     */
    public CdcTableSchema withAddedColumns(CdcTableSchema newer) {
        List<Column> merged = new java.util.ArrayList<>(columns);
        java.util.Set<String> names = columns.stream().map(Column::name).collect(Collectors.toSet());
        for (Column c : newer.columns) {
            if (!names.contains(c.name)) {
                // A column added to a table with rows is nullable for every row before it.
                merged.add(new Column(c.name, c.type, c.precision, c.scale, true, c.sourceType));
            }
        }
        return merged.size() == columns.size() ? this : new CdcTableSchema(table, merged, primaryKey);
    }

    @Override
    public String toString() {
        return table + columns + " key " + primaryKey;
    }
}
