package dev.lakestream.jobs.config;

import dev.lakestream.jobs.IngestionPipeline;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every option the job accepts is documented in the README's configuration table. */
class ConfigurationDocsTest {

    @Test
    void readmeDocumentsEveryOption() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);

        assertThat(IngestionPipeline.options())
                .allSatisfy(option -> assertThat(text).contains("| `" + option.key() + "` |"));
    }
}
