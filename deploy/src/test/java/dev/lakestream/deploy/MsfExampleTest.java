package dev.lakestream.deploy;

import dev.lakestream.jobs.CompactionApplication;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.silver.SilverOptions;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.lakestream.deploy.CloudFormationTemplate.asList;
import static dev.lakestream.deploy.CloudFormationTemplate.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/** The MSF property-group example in deploy/ is a configuration the pipeline accepts. */
class MsfExampleTest {

    static final Path EXAMPLE = Repo.ROOT.resolve("deploy/msf-runtime-properties.example.json");

    static Map<String, Map<String, String>> groups(String json) {
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (Object group : asList(Yaml.read(json, "example"), "property groups")) {
            Map<String, String> map = new LinkedHashMap<>();
            asMap(asMap(group, "group").get("PropertyMap"), "PropertyMap").forEach((k, v) -> map.put(k, String.valueOf(v)));
            groups.put(String.valueOf(asMap(group, "group").get("PropertyGroupId")), map);
        }
        return groups;
    }

    @Test
    void theMsfExampleIsAValidConfiguration() throws IOException {
        Map<String, Map<String, String>> groups = groups(Files.readString(EXAMPLE));
        assertThat(JobConfigs.problemsOfGroups(groups)).isEmpty();

        Map<String, Properties> propertyGroups = new LinkedHashMap<>();
        groups.forEach((g, map) -> {
            Properties props = new Properties();
            map.forEach(props::setProperty);
            propertyGroups.put(g, props);
        });
        Configuration config = IngestionPipeline.validate(
                PipelineConfig.fromPropertyGroups(propertyGroups, IngestionPipeline.options())).configuration();

        assertThat(SilverOptions.datasetsBySource(config)).containsOnlyKeys("clickstream", "fulfillment-events");
        // Bronze for 3 sources, silver and quarantine for 2 datasets, gold throughput, facility features
        // (log and latest), sessions and late events.
        assertThat(IngestionPipeline.tables(config)).hasSize(12);
        assertThat(CompactionApplication.tablesToCompact(config))
                .as("tables with equality deletes").extracting(Object::toString)
                .containsExactly("gold.facility_throughput_hourly", "gold.facility_features_latest");
    }

    @Test
    void aKeyTheJobDoesNotReadIsReported() throws IOException {
        String broken = Files.readString(EXAMPLE).replace("\"group-id\"", "\"group.id\"");

        assertThat(JobConfigs.problemsOfGroups(groups(broken))).isEqualTo(List.of(JobConfigs.problemsOfGroups(groups(broken)).get(0)))
                .singleElement().asString().contains("unknown key 'kafka.group.id'");
    }
}
