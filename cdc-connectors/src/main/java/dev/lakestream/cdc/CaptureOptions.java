package dev.lakestream.cdc;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Rules every database capture's options share (tables, connection keys, partition columns, prefix). */
public final class CaptureOptions {

    private CaptureOptions() {}

    /** The entries of a list option, trimmed, without blanks and repeats. */
    public static List<String> tables(ReadableConfig config, ConfigOption<List<String>> option) {
        return config.getOptional(option).orElse(List.of()).stream()
                .map(String::trim).filter(t -> !t.isEmpty()).distinct().collect(Collectors.toList());
    }

    /** {@code table=column} entries as a map. */
    public static Map<String, String> partitionColumns(ReadableConfig config, ConfigOption<List<String>> option) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String entry : config.getOptional(option).orElse(List.of())) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                columns.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        return columns;
    }

    /**
     * Problems of the keys every capture has: required connection keys, {@code table=column}
     * entries naming a captured table, and a table prefix that makes valid Glue names.
     */
    public static void sharedProblems(ReadableConfig config, ConfigOption<List<String>> tablesOption,
            List<ConfigOption<String>> required, ConfigOption<List<String>> partitionColumns,
            ConfigOption<String> tablePrefix, String tableForm, List<String> problems) {
        List<String> tables = tables(config, tablesOption);
        for (ConfigOption<String> option : required) {
            if (config.getOptional(option).filter(s -> !s.isBlank()).isEmpty()) {
                problems.add("'" + option.key() + "' is required when " + tablesOption.key() + " is set");
            }
        }
        for (String entry : config.getOptional(partitionColumns).orElse(List.of())) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || !tables.contains(entry.substring(0, eq).trim()) || entry.substring(eq + 1).isBlank()) {
                problems.add("invalid entry '" + entry + "' in key '" + partitionColumns.key() + "': expected "
                        + tableForm + "=column with a table of " + tablesOption.key() + " " + tables);
            }
        }
        if (!config.get(tablePrefix).matches("[a-z0-9_]*")) {
            problems.add("invalid value for key '" + tablePrefix.key() + "': '" + config.get(tablePrefix)
                    + "' may hold only a-z, 0-9 and _ (Glue and Athena table names)");
        }
    }
}
