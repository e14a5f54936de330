package dev.lakestream.jobs.config;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.silver.SilverOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The MSF property-group example in deploy/ is a configuration the pipeline accepts. */
class DeployExampleTest {

    @Test
    void theMsfExampleIsAValidConfiguration() throws Exception {
        JsonNode groups = new ObjectMapper().readTree(Files.readString(Path.of("../deploy/msf-runtime-properties.example.json")));
        Map<String, Properties> propertyGroups = new LinkedHashMap<>();
        for (JsonNode group : groups) {
            Properties props = new Properties();
            group.get("PropertyMap").fields().forEachRemaining(e -> props.setProperty(e.getKey(), e.getValue().asText()));
            propertyGroups.put(group.get("PropertyGroupId").asText(), props);
        }

        Configuration config = IngestionPipeline.validate(
                PipelineConfig.fromPropertyGroups(propertyGroups, IngestionPipeline.options())).configuration();

        assertThat(SilverOptions.datasetsBySource(config)).containsOnlyKeys("clickstream", "fulfillment-events");
        // Bronze for 3 sources, silver and quarantine for 2 datasets, gold throughput, facility features
        // (log and latest), sessions and late events.
        assertThat(IngestionPipeline.tables(config)).hasSize(12);
        assertThat(dev.lakestream.jobs.CompactionApplication.tablesToCompact(config))
                .as("tables with equality deletes").extracting(Object::toString)
                .containsExactly("gold.facility_throughput_hourly", "gold.facility_features_latest");
    }
}
