package dev.lakestream.jobs;

import dev.lakestream.jobs.config.InvalidConfigurationException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A bad configuration stops the application's entry point before it provisions tables or submits
 * anything: the configured servers here do not exist, so getting past validation would fail
 * differently (connection errors) than these assertions expect.
 */
class IngestionApplicationTest {

    private static final String VALID =
            "kafka.bootstrap-servers=127.0.0.1:1\n"
                    + "kafka.topics=orders\n"
                    + "catalog.type=JDBC\n"
                    + "catalog.uri=jdbc:postgresql://127.0.0.1:1/none\n"
                    + "catalog.warehouse=s3://nowhere/warehouse\n";

    @Test
    void unknownKeyStopsStartupNamingTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, VALID + "kafka.topic=clickstream\n");

        assertThatThrownBy(() -> IngestionApplication.main(new String[] {"--config", file.toString()}))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown key 'kafka.topic'")
                .hasMessageContaining("did you mean 'kafka.topics'?");
    }

    @Test
    void invalidValueStopsStartupNamingTheKeyAndAllowedValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, VALID.replace("catalog.type=JDBC", "catalog.type=HIVE"));

        assertThatThrownBy(() -> IngestionApplication.main(new String[] {"--config", file.toString()}))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value 'HIVE' for key 'catalog.type'")
                .hasMessageContaining("GLUE, REST, JDBC, HADOOP");
    }

    @Test
    void unknownArgumentIsRejectedWithUsage() {
        assertThatThrownBy(() -> IngestionApplication.main(new String[] {"--conf", "x"}))
                .hasMessageContaining("Usage: [--config <file.properties>]");
    }
}
