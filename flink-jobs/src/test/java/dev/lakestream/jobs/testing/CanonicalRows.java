package dev.lakestream.jobs.testing;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Every row of an Iceberg table as one line of text, the same whether Iceberg's Java reader or
 * Trino read it: Trino formats each value in SQL (timestamps as {@code 2026-11-20 09:00:00.000000},
 * binary as upper-case hex, decimals with their scale, lists and structs spelled out), Java the same
 * way. Doubles and floats are read as numbers (Trino's text form of a double is not Java's). Lines
 * come back sorted, so two reads compare with equals.
 */
public final class CanonicalRows {

    /** How a null reads, at any depth. */
    public static final String NULL = "<null>";
    private static final String SEPARATOR = " | ";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

    private CanonicalRows() {}

    /** The current rows of {@code table} through {@link IcebergGenerics} (deletes applied). */
    public static List<String> iceberg(Table table) throws IOException {
        table.refresh();
        List<Types.NestedField> columns = table.schema().columns();
        List<String> rows = new ArrayList<>();
        if (table.currentSnapshot() == null) {
            return rows;
        }
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record record : records) {
                StringJoiner line = new StringJoiner(SEPARATOR);
                for (Types.NestedField column : columns) {
                    line.add(text(record.getField(column.name()), column.type(), true));
                }
                rows.add(line.toString());
            }
        }
        Collections.sort(rows);
        return rows;
    }

    /** The rows of {@code catalog.namespace.table} through Trino, columns as in {@code schema}. */
    public static List<String> trino(Connection connection, String catalog, TableIdentifier table, Schema schema)
            throws SQLException {
        List<Types.NestedField> columns = schema.columns();
        StringJoiner select = new StringJoiner(", ");
        for (Types.NestedField column : columns) {
            String ref = quote(column.name());
            select.add(isFloating(column.type()) ? ref : sql(ref, column.type(), 0));
        }
        List<String> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT " + select + " FROM " + qualified(catalog, table))) {
            while (rs.next()) {
                StringJoiner line = new StringJoiner(SEPARATOR);
                for (int i = 0; i < columns.size(); i++) {
                    Object value = isFloating(columns.get(i).type()) ? rs.getObject(i + 1) : rs.getString(i + 1);
                    line.add(value == null ? NULL : String.valueOf(value));
                }
                rows.add(line.toString());
            }
        }
        Collections.sort(rows);
        return rows;
    }

    /** {@code catalog."namespace"."table"}, or with {@code $suffix} for a metadata table. */
    public static String qualified(String catalog, TableIdentifier table) {
        return qualified(catalog, table, "");
    }

    /** {@code catalog."namespace"."table$suffix"}, e.g. suffix {@code $files}. */
    public static String qualified(String catalog, TableIdentifier table, String suffix) {
        return catalog + "." + quote(table.namespace().toString()) + "." + quote(table.name() + suffix);
    }

    /** A varchar expression of Trino that spells {@code ref} as {@link #text} does. */
    static String sql(String ref, Type type, int depth) {
        switch (type.typeId()) {
            case STRING:
                return "coalesce(" + ref + ", '" + NULL + "')";
            case BOOLEAN:
            case INTEGER:
            case LONG:
            case DECIMAL:
            case DATE:
                return "coalesce(CAST(" + ref + " AS varchar), '" + NULL + "')";
            case TIMESTAMP:
                String instant = ((Types.TimestampType) type).shouldAdjustToUTC() ? ref + " AT TIME ZONE 'UTC'" : ref;
                return "coalesce(CAST(" + instant + " AS varchar), '" + NULL + "')";
            case BINARY:
                return "coalesce(to_hex(" + ref + "), '" + NULL + "')";
            case LIST:
                String element = "e" + depth;
                return "CASE WHEN " + ref + " IS NULL THEN '" + NULL + "' ELSE '[' || array_join(transform(" + ref + ", "
                        + element + " -> " + sql(element, type.asListType().elementType(), depth + 1) + "), ',') || ']' END";
            case STRUCT:
                StringJoiner fields = new StringJoiner(" || ',' || ");
                for (Types.NestedField field : type.asStructType().fields()) {
                    fields.add(sql(ref + "." + quote(field.name()), field.type(), depth + 1));
                }
                return "CASE WHEN " + ref + " IS NULL THEN '" + NULL + "' ELSE '{' || " + fields + " || '}' END";
            default:
                // Maps, floating point inside nested types, and what Athena cannot read (uuid, fixed,
                // time): none in our tables. Fail loudly when one appears.
                throw new IllegalArgumentException("No canonical text for " + type + " at " + ref);
        }
    }

    /** The text of one value as read by Iceberg's generic reader. */
    static String text(Object value, Type type, boolean topLevel) {
        if (value == null) {
            return NULL;
        }
        switch (type.typeId()) {
            case STRING:
            case BOOLEAN:
            case INTEGER:
            case LONG:
            case DATE:
                return value.toString();
            case DOUBLE:
            case FLOAT:
                if (!topLevel) {
                    throw new IllegalArgumentException("No canonical text for nested " + type);
                }
                return value.toString();
            case DECIMAL:
                return ((BigDecimal) value).toPlainString();
            case TIMESTAMP:
                return ((Types.TimestampType) type).shouldAdjustToUTC()
                        ? ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC).format(TIMESTAMP) + " UTC"
                        : ((LocalDateTime) value).format(TIMESTAMP);
            case BINARY:
                ByteBuffer bytes = ((ByteBuffer) value).duplicate();
                StringBuilder hex = new StringBuilder();
                while (bytes.hasRemaining()) {
                    hex.append(String.format(Locale.ROOT, "%02X", bytes.get()));
                }
                return hex.toString();
            case LIST:
                StringJoiner elements = new StringJoiner(",", "[", "]");
                for (Object element : (List<?>) value) {
                    elements.add(text(element, type.asListType().elementType(), false));
                }
                return elements.toString();
            case STRUCT:
                StringJoiner fields = new StringJoiner(",", "{", "}");
                Record struct = (Record) value;
                for (Types.NestedField field : type.asStructType().fields()) {
                    fields.add(text(struct.getField(field.name()), field.type(), false));
                }
                return fields.toString();
            default:
                throw new IllegalArgumentException("No canonical text for " + type);
        }
    }

    private static boolean isFloating(Type type) {
        return type.typeId() == Type.TypeID.DOUBLE || type.typeId() == Type.TypeID.FLOAT;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
