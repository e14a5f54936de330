package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.jobs.silver.OffsetTimestamps;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * A Debezium row image (JSON, as the PostgreSQL and MySQL connectors write it with decimals as
 * strings) to a silver current-state row of its table: the source columns typed as the table
 * declares them, then the cdc_ columns. A value that does not fit its column (after an
 * incompatible source type change, e.g. text where a bigint was) is a {@link ConversionException}
 * naming the column; text that still holds a whole number fits a whole-number column.
 */
public final class ChangeRowConverter implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A value that does not fit its column. */
    public static final class ConversionException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String column;

        ConversionException(String column, String message) {
            super(message, null, false, false);
            this.column = column;
        }

        public String column() {
            return column;
        }
    }

    private final CdcTableSchema schema;

    public ChangeRowConverter(CdcTableSchema schema) {
        this.schema = schema;
    }

    public CdcTableSchema schema() {
        return schema;
    }

    /** The silver row for {@code imageJson}; the cdc_ columns from the change's op, position and time. */
    public GenericRowData toRow(String imageJson, String op, String position, TimestampData sourceTs)
            throws ConversionException {
        return toRow(parse(imageJson), op, position, sourceTs);
    }

    /** A row image as a JSON tree, decimals exact. */
    static JsonNode parse(String imageJson) throws ConversionException {
        try {
            return SHARED.readTree(imageJson);
        } catch (JsonProcessingException e) {
            throw new ConversionException(null, "row image is not JSON: " + e.getOriginalMessage());
        }
    }

    /** As {@link #toRow(String, String, String, TimestampData)}, for an image already parsed. */
    GenericRowData toRow(JsonNode image, String op, String position, TimestampData sourceTs) throws ConversionException {
        List<Column> columns = schema.columns();
        GenericRowData row = new GenericRowData(columns.size() + 3);
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode value = image.get(column.name());
            if (value == null || value.isNull()) {
                if (schema.primaryKey().contains(column.name())) {
                    throw new ConversionException(column.name(), "key column " + column.name() + " is null");
                }
                row.setField(i, null);
            } else {
                row.setField(i, convert(column, value));
            }
        }
        row.setField(columns.size(), StringData.fromString(op));
        row.setField(columns.size() + 1, StringData.fromString(position));
        row.setField(columns.size() + 2, sourceTs);
        return row;
    }

    /** The field names of a row image. */
    static java.util.List<String> fieldNames(JsonNode image) {
        java.util.List<String> names = new java.util.ArrayList<>();
        image.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static final ObjectMapper SHARED =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static Object convert(Column column, JsonNode value) throws ConversionException {
        switch (column.type()) {
            case LONG:
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return value.longValue();
                }
                // After an upstream re-type to text, values that still are whole numbers keep flowing.
                return wholeText(column, value, Long.MIN_VALUE, Long.MAX_VALUE);
            case INT:
                if (value.isIntegralNumber() && value.canConvertToInt()) {
                    return value.intValue();
                }
                return (int) wholeText(column, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case DECIMAL:
                return decimal(column, value);
            case STRING:
                return StringData.fromString(value.isTextual() ? value.textValue() : value.toString());
            case TIMESTAMP_UTC:
                if (value.isTextual()) {
                    try {
                        return TimestampData.fromInstant(OffsetTimestamps.parse(value.textValue()));
                    } catch (DateTimeParseException e) {
                        throw wrongType(column, value);
                    }
                }
                throw wrongType(column, value);
            case TIMESTAMP_LOCAL:
                if (value.isIntegralNumber()) {
                    // Debezium's adaptive precision: Timestamp (millis) up to 3 fraction digits, MicroTimestamp above.
                    long v = value.longValue();
                    return column.precision() <= 3
                            ? TimestampData.fromEpochMillis(v)
                            : TimestampData.fromEpochMillis(Math.floorDiv(v, 1000), (int) Math.floorMod(v, 1000) * 1000);
                }
                if (value.isTextual()) {
                    try {
                        return TimestampData.fromLocalDateTime(LocalDateTime.parse(value.textValue()));
                    } catch (DateTimeParseException e) {
                        throw wrongType(column, value);
                    }
                }
                throw wrongType(column, value);
            case DATE:
                if (value.isIntegralNumber() && value.canConvertToInt()) {
                    return value.intValue();
                }
                if (value.isTextual()) {
                    try {
                        return (int) LocalDate.parse(value.textValue()).toEpochDay();
                    } catch (DateTimeParseException e) {
                        throw wrongType(column, value);
                    }
                }
                throw wrongType(column, value);
            case BOOLEAN:
                if (value.isBoolean()) {
                    return value.booleanValue();
                }
                if (value.isIntegralNumber()) {
                    // MySQL's BOOLEAN is tinyint(1), which Debezium emits as a number; as in MySQL, non-zero is true.
                    return value.bigIntegerValue().signum() != 0;
                }
                throw wrongType(column, value);
            case DOUBLE:
                if (value.isNumber()) {
                    return value.doubleValue();
                }
                throw wrongType(column, value);
            case FLOAT:
                if (value.isNumber()) {
                    return value.floatValue();
                }
                throw wrongType(column, value);
            default:
                throw new IllegalStateException("Unhandled column type " + column.type());
        }
    }

    private static long wholeText(Column column, JsonNode value, long min, long max) throws ConversionException {
        if (value.isTextual()) {
            try {
                long v = Long.parseLong(value.textValue().trim());
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                throw wrongType(column, value);
            }
        }
        throw wrongType(column, value);
    }

    private static DecimalData decimal(Column column, JsonNode value) throws ConversionException {
        BigDecimal decimal;
        try {
            decimal = value.isTextual() ? new BigDecimal(value.textValue().trim()) : value.isNumber() ? value.decimalValue() : null;
        } catch (NumberFormatException e) {
            decimal = null;
        }
        if (decimal == null) {
            throw wrongType(column, value);
        }
        BigDecimal scaled;
        try {
            scaled = decimal.setScale(column.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new ConversionException(column.name(), column.name() + " " + decimal.toPlainString()
                    + " has more than the " + column.scale() + " decimal places of " + column.sourceType());
        }
        DecimalData data = DecimalData.fromBigDecimal(scaled, column.precision(), column.scale());
        if (data == null) {
            throw new ConversionException(column.name(), column.name() + " " + decimal.toPlainString()
                    + " does not fit " + column.sourceType());
        }
        return data;
    }

    private static ConversionException wrongType(Column column, JsonNode value) {
        String shown = value.toString();
        return new ConversionException(column.name(), column.name() + " (" + column.sourceType() + ") cannot hold "
                + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + (shown.length() > 100 ? shown.substring(0, 100) + "..." : shown));
    }

}
