package dev.lakestream.jobs.config;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeSources;
import dev.lakestream.jobs.testing.MiniClusters;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bronze Kafka source authenticates with the configured SASL credentials against a real broker
 * that accepts nothing else, and fails with an authentication error on a wrong password; the
 * password appears in no log line of the run (Kafka prints its JAAS setting as [hidden]).
 */
class KafkaSaslITCase {

    private static final String PASSWORD = "MARKER-sasl-itcase-5e7d";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    @TempDir
    static Path dir;

    private static SaslKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = SaslKafkaBroker.start(dir, PASSWORD);
        broker.createTopic("sasl_orders", List.of("first", "second", "third"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Configuration config(String password) {
        Map<String, String> raw = new HashMap<>(broker.jobOptions(password));
        raw.put("kafka.topics", "sasl_orders");
        raw.put("kafka.starting-offsets", "EARLIEST");
        return PipelineConfig.fromMap(raw, IngestionPipeline.options()).check(KafkaSecurityOptions::problems)
                .configuration();
    }

    private static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration noRestart = new Configuration();
        // An authentication failure is final: the job must fail, not restart.
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestart);
        env.setParallelism(1);
        return env;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theBronzeSourceReadsWithTheConfiguredCredentials() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            // The source exactly as the job builds it for the topic.
            BronzeSource bronze = KafkaBronzeSources.bronzeSource(config(PASSWORD), "sasl_orders");
            List<RowData> rows = env()
                    .fromSource(bronze.source(), WatermarkStrategy.noWatermarks(), "sasl-orders")
                    .executeAndCollect(3);

            List<String> values = new ArrayList<>();
            for (RowData row : rows) {
                values.add(new String(bronze.rawRecords().map(row).payload(), StandardCharsets.UTF_8));
            }
            assertThat(values).containsExactly("first", "second", "third");
            assertThat(logs.text()).as("Kafka logged its consumer configuration").contains("sasl.jaas.config = [hidden]");
            assertThat(logs.text()).doesNotContain(PASSWORD);
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aWrongPasswordFailsTheJobWithAnAuthenticationError() {
        assertThatThrownBy(() -> env()
                .fromSource(KafkaBronzeSources.forTopic(config("wrong-password"), "sasl_orders"),
                        WatermarkStrategy.noWatermarks(), "sasl-orders")
                .executeAndCollect(1))
                .satisfies(e -> assertThat(ExceptionUtils.findThrowable(e, SaslAuthenticationException.class))
                        .as("an authentication error in %s", ExceptionUtils.stringifyException(e)).isPresent());
    }
}
