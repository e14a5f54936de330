package dev.lakestream.benchmarks;

import dev.lakestream.jobs.IngestionPipeline;

import org.apache.flink.configuration.ConfigOption;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A named change to the pipeline's defaults that a benchmark runs beside the unchanged pipeline,
 * interleaved in the same run, so that one setting is judged against the noise of the same machine
 * at the same time: {@code --variant NAME:KEY=VALUE[,KEY=VALUE...]}. A key starting with {@value
 * #TABLE_PROPERTY} is an Iceberg table property set on every table of the run after it is
 * provisioned (e.g. {@code table-property.parquet.enable.dictionary=false}); a key the pipeline
 * declares is one of its options (e.g. {@code pipeline.timers=HEAP}); any other key is a Flink
 * setting of the run's MiniCluster and job (e.g. {@code pipeline.object-reuse=true} or {@code
 * state.backend.rocksdb.use-bloom-filter=true}).
 */
final class Variant {

    static final String TABLE_PROPERTY = "table-property.";

    /** The pipeline as configured, with nothing changed. */
    static final Variant NONE = new Variant("", Map.of(), Map.of(), Map.of());

    private final String name;
    private final Map<String, String> flinkSettings;
    private final Map<String, String> tableProperties;
    private final Map<String, String> pipelineOptions;

    private Variant(String name, Map<String, String> flinkSettings, Map<String, String> tableProperties,
            Map<String, String> pipelineOptions) {
        this.name = name;
        this.flinkSettings = Collections.unmodifiableMap(flinkSettings);
        this.tableProperties = Collections.unmodifiableMap(tableProperties);
        this.pipelineOptions = Collections.unmodifiableMap(pipelineOptions);
    }

    /** Parses {@code NAME:KEY=VALUE[,KEY=VALUE...]}; fails naming the option and the expected form. */
    static Variant parse(String option, String value) {
        int colon = value.indexOf(':');
        String name = colon < 0 ? "" : value.substring(0, colon).trim();
        if (colon < 0 || !name.matches("[A-Za-z0-9_-]+") || colon == value.length() - 1) {
            throw new IllegalArgumentException("--" + option + " '" + value + "': expected NAME:KEY=VALUE[,KEY=VALUE...],"
                    + " NAME of letters, digits, '-' or '_', e.g. reuse:pipeline.object-reuse=true");
        }
        Map<String, String> flink = new LinkedHashMap<>();
        Map<String, String> table = new LinkedHashMap<>();
        Map<String, String> pipeline = new LinkedHashMap<>();
        Set<String> pipelineKeys = IngestionPipeline.options().stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (String setting : value.substring(colon + 1).split(",")) {
            int eq = setting.indexOf('=');
            if (eq <= 0 || eq == setting.length() - 1) {
                throw new IllegalArgumentException("--" + option + " '" + value + "': '" + setting + "' is not KEY=VALUE");
            }
            String key = setting.substring(0, eq).trim();
            String v = setting.substring(eq + 1).trim();
            if (key.startsWith(TABLE_PROPERTY)) {
                table.put(key.substring(TABLE_PROPERTY.length()), v);
            } else if (pipelineKeys.contains(key)) {
                pipeline.put(key, v);
            } else {
                flink.put(key, v);
            }
        }
        return new Variant(name, flink, table, pipeline);
    }

    boolean isNone() {
        return name.isEmpty();
    }

    String name() {
        return name;
    }

    Map<String, String> flinkSettings() {
        return flinkSettings;
    }

    Map<String, String> tableProperties() {
        return tableProperties;
    }

    /** Pipeline options over the benchmark's configuration. */
    Map<String, String> pipelineOptions() {
        return pipelineOptions;
    }

    /** The settings as given, for reports: {@code key=value, table-property.key=value}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        pipelineOptions.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        flinkSettings.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        tableProperties.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(TABLE_PROPERTY).append(k).append('=').append(v));
        return b.toString();
    }
}
