package dev.lakestream.deploy;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs a deployment's configuration through the job's own loading and validation, with the option
 * list read from the job ({@link IngestionPipeline#options()}), so new options are picked up and a
 * key the job does not read is reported.
 */
final class JobConfigs {

    /** The repository root (tests run with the module directory as working directory). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private JobConfigs() {}

    /** Problems of MSF-style property groups; empty when the job accepts them. */
    static List<String> problemsOfGroups(Map<String, Map<String, String>> groups) {
        Map<String, Properties> propertyGroups = new LinkedHashMap<>();
        groups.forEach((group, map) -> {
            Properties props = new Properties();
            map.forEach(props::setProperty);
            propertyGroups.put(group, props);
        });
        try {
            IngestionPipeline.validate(PipelineConfig.fromPropertyGroups(propertyGroups, IngestionPipeline.options()));
            return List.of();
        } catch (InvalidConfigurationException e) {
            return problems(e);
        }
    }

    /** Problems of a properties text (the {@code --config} file); empty when the job accepts it. */
    static List<String> problemsOfProperties(String text) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException e) {
            return List.of("not a properties text: " + e.getMessage());
        }
        Map<String, String> raw = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> raw.put(k.trim(), props.getProperty(k).trim()));
        try {
            IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options()));
            return List.of();
        } catch (InvalidConfigurationException e) {
            return problems(e);
        }
    }

    private static List<String> problems(InvalidConfigurationException e) {
        List<String> problems = new ArrayList<>(e.problems());
        return problems.isEmpty() ? List.of(String.valueOf(e.getMessage())) : problems;
    }
}
