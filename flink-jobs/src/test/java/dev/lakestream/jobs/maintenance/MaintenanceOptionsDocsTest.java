package dev.lakestream.jobs.maintenance;

import dev.lakestream.catalog.Layer;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every maintenance option is documented in the README's maintenance table, once for all layers:
 * {@code maintenance.bronze.compaction.enabled} as the row {@code maintenance.<layer>.compaction.enabled}.
 */
class MaintenanceOptionsDocsTest {

    @Test
    void readmeDocumentsEveryMaintenanceOption() throws Exception {
        String text = Files.readString(Path.of("..", "README.md"));

        for (Layer layer : Layer.values()) {
            for (ConfigOption<?> option : MaintenanceOptions.forLayer(layer).all()) {
                String row = "| `" + option.key().replace("maintenance." + layer.namespace() + ".", "maintenance.<layer>.")
                        + "` |";
                assertThat(text).as("README row for %s", option.key()).contains(row);
            }
        }
    }
}
