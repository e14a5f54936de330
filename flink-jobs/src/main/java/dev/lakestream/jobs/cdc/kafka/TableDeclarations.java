package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the table declarations of {@link DebeziumKafkaOptions} ({@code tables}, {@code primary-keys},
 * {@code column-types}, {@code silver-partition-columns}) into {@link CdcTableSchema}s, collecting a
 * problem for every declaration that does not hold, each naming its key and what is expected.
 */
final class TableDeclarations {

    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");
    /** {@code name TYPE} or {@code name TYPE(n)} or {@code name TYPE(n,m)}. */
    private static final Pattern COLUMN =
            Pattern.compile("([^\\s,()]+)\\s+([A-Za-z_]+)\\s*(?:\\(\\s*(\\d{1,3})\\s*(?:,\\s*(\\d{1,3})\\s*)?\\))?");

    /** Fraction digits of a timestamp without one declared: PostgreSQL's default. */
    static final int DEFAULT_TIMESTAMP_PRECISION = 6;

    private TableDeclarations() {}

    /** The schemas of the tables whose declarations hold; a problem for each that does not. */
    static Map<String, CdcTableSchema> schemas(ReadableConfig config, List<String> problems) {
        List<String> tables = DebeziumKafkaOptions.tables(config);
        Map<String, String> lakehouseNames = new HashMap<>();
        for (String table : tables) {
            if (!TABLE.matcher(table).matches()) {
                problems.add("invalid table '" + table + "' in key '" + DebeziumKafkaOptions.TABLES.key()
                        + "': expected schema.table (or database.table)");
            }
            String name = CdcChangelogTable.tableName(table, "");
            String other = lakehouseNames.putIfAbsent(name, table);
            if (other != null) {
                problems.add("tables '" + other + "' and '" + table + "' in key '" + DebeziumKafkaOptions.TABLES.key()
                        + "' would share the lakehouse tables (their names leave the schema out, e.g. bronze."
                        + name + "): capture only one of them");
            }
        }
        for (ConfigOption<List<String>> option : List.of(DebeziumKafkaOptions.PRIMARY_KEYS,
                DebeziumKafkaOptions.COLUMN_TYPES, DebeziumKafkaOptions.SILVER_PARTITION_COLUMNS)) {
            Set<String> seen = new HashSet<>();
            for (String entry : config.getOptional(option).orElse(List.of())) {
                int eq = entry.indexOf('=');
                String table = eq > 0 ? entry.substring(0, eq).trim() : null;
                if (table == null || !tables.contains(table) || entry.substring(eq + 1).isBlank()) {
                    problems.add("invalid entry '" + entry.trim() + "' in key '" + option.key() + "': expected"
                            + " schema.table=... with a table of " + DebeziumKafkaOptions.TABLES.key() + " " + tables);
                } else if (!seen.add(table)) {
                    problems.add("table '" + table + "' appears more than once in key '" + option.key() + "'");
                }
            }
        }
        Map<String, List<String>> keys = DebeziumKafkaOptions.primaryKeys(config);
        Map<String, String> declarations = DebeziumKafkaOptions.entries(config, DebeziumKafkaOptions.COLUMN_TYPES);
        Map<String, String> partitions = DebeziumKafkaOptions.silverPartitionColumns(config);
        Map<String, CdcTableSchema> schemas = new LinkedHashMap<>();
        for (String table : tables) {
            List<String> key = keys.getOrDefault(table, List.of());
            if (key.isEmpty()) {
                problems.add("table '" + table + "' has no primary key in key '" + DebeziumKafkaOptions.PRIMARY_KEYS.key()
                        + "': add " + table + "=<key column>[,<key column>...]");
            }
            String declaration = declarations.get(table);
            if (declaration == null || declaration.isBlank()) {
                problems.add("table '" + table + "' has no columns in key '" + DebeziumKafkaOptions.COLUMN_TYPES.key()
                        + "': add " + table + "=<column> <TYPE>[, <column> <TYPE>...] with TYPE one of "
                        + DebeziumKafkaOptions.TYPE_NAMES);
                continue;
            }
            int before = problems.size();
            List<Column> columns = columns(table, declaration, new HashSet<>(key), problems);
            Set<String> names = new HashSet<>();
            columns.forEach(c -> names.add(c.name()));
            for (String k : key) {
                if (!names.contains(k)) {
                    problems.add("key column '" + k + "' of " + table + " (key '" + DebeziumKafkaOptions.PRIMARY_KEYS.key()
                            + "') is not declared in key '" + DebeziumKafkaOptions.COLUMN_TYPES.key() + "'");
                }
            }
            if (new HashSet<>(key).size() != key.size()) {
                problems.add("key of " + table + " in key '" + DebeziumKafkaOptions.PRIMARY_KEYS.key()
                        + "' names a column twice: " + key);
            }
            String partition = partitions.get(table);
            if (partition != null && !names.contains(partition)) {
                problems.add("partition column '" + partition + "' of " + table + " (key '"
                        + DebeziumKafkaOptions.SILVER_PARTITION_COLUMNS.key() + "') is not declared in key '"
                        + DebeziumKafkaOptions.COLUMN_TYPES.key() + "'");
            }
            if (problems.size() == before && !key.isEmpty()) {
                schemas.put(table, new CdcTableSchema(table, columns, key));
            }
        }
        return schemas;
    }

    /** The declared columns of {@code table}; key columns are required, the others nullable. */
    static List<Column> columns(String table, String declaration, Set<String> key, List<String> problems) {
        List<Column> columns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String part : splitOutsideParentheses(declaration)) {
            Matcher m = COLUMN.matcher(part.trim());
            if (!m.matches()) {
                problems.add("invalid column '" + part.trim() + "' of " + table + " in key '"
                        + DebeziumKafkaOptions.COLUMN_TYPES.key() + "': expected <column> <TYPE> with TYPE one of "
                        + DebeziumKafkaOptions.TYPE_NAMES);
                continue;
            }
            String name = m.group(1);
            if (!names.add(name)) {
                problems.add("column '" + name + "' of " + table + " is declared twice in key '"
                        + DebeziumKafkaOptions.COLUMN_TYPES.key() + "'");
                continue;
            }
            if (name.startsWith("cdc_")) {
                problems.add("column '" + name + "' of " + table + " in key '" + DebeziumKafkaOptions.COLUMN_TYPES.key()
                        + "' clashes with the cdc_ columns silver adds");
                continue;
            }
            Column column = column(table, name, m.group(2), m.group(3), m.group(4), !key.contains(name), problems);
            if (column != null) {
                columns.add(column);
            }
        }
        return columns;
    }

    private static Column column(String table, String name, String typeName, String first, String second,
            boolean nullable, List<String> problems) {
        ColumnType type;
        try {
            type = ColumnType.valueOf(typeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("unknown type '" + typeName + "' of column '" + name + "' of " + table + " in key '"
                    + DebeziumKafkaOptions.COLUMN_TYPES.key() + "': allowed " + DebeziumKafkaOptions.TYPE_NAMES);
            return null;
        }
        String where = "column '" + name + "' of " + table + " in key '" + DebeziumKafkaOptions.COLUMN_TYPES.key() + "'";
        switch (type) {
            case DECIMAL: {
                if (first == null || second == null) {
                    problems.add(where + ": DECIMAL needs (precision,scale), e.g. DECIMAL(12,2)");
                    return null;
                }
                int precision = Integer.parseInt(first);
                int scale = Integer.parseInt(second);
                if (precision < 1 || precision > 38 || scale > precision) {
                    problems.add(where + ": DECIMAL(" + precision + "," + scale + ") needs 1 <= precision <= 38 and"
                            + " 0 <= scale <= precision");
                    return null;
                }
                return new Column(name, type, precision, scale, nullable, "DECIMAL(" + precision + "," + scale + ")");
            }
            case TIMESTAMP_UTC:
            case TIMESTAMP_LOCAL: {
                int precision = first == null ? DEFAULT_TIMESTAMP_PRECISION : Integer.parseInt(first);
                if (second != null || precision > 6) {
                    problems.add(where + ": " + type + " takes at most one argument, 0 to 6 fraction digits");
                    return null;
                }
                return new Column(name, type, precision, 0, nullable, type + "(" + precision + ")");
            }
            default:
                if (first != null) {
                    problems.add(where + ": " + type + " takes no arguments");
                    return null;
                }
                return new Column(name, type, 0, 0, nullable, type.name());
        }
    }

    /** Splits on commas that are not inside parentheses ({@code DECIMAL(12,2)} stays whole). */
    static List<String> splitOutsideParentheses(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth = Math.max(0, depth - 1);
            } else if (ch == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        parts.removeIf(String::isBlank);
        return parts;
    }
}
