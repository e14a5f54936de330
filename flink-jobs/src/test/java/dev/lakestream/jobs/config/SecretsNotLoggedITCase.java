package dev.lakestream.jobs.config;

import dev.lakestream.jobs.IngestionPipeline;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret value reaches a log line, stdout/stderr, the printed configuration, the execution plan,
 * the job's configuration or a configuration error: every secret option is set to a marker (one read
 * from Secrets Manager), the job graph is built as {@code IngestionApplication} builds it, and
 * rejected configurations are loaded, all while every log4j2 logger is at DEBUG.
 */
class SecretsNotLoggedITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SecretsNotLoggedITCase.class);

    /** One distinctive value per secret option; none is a substring of a key or of a message. */
    private static final Map<String, String> MARKERS = Map.of(
            "catalog.jdbc.password", "MARKER-catalog-jdbc-7f3a",
            "catalog.s3.secret-access-key", "MARKER-s3-secret-91bc",
            "catalog.rest.oauth2-credential", "client-id:MARKER-oauth2-55de",
            "kinesis.secret-access-key", "MARKER-kinesis-secret-0e21",
            "cdc.postgres.password", "MARKER-postgres-8c44",
            "cdc.mysql.password", "MARKER-mysql-13f9",
            "kafka.sasl.password", "MARKER-sasl-from-secrets-manager-d2e6",
            "kafka.ssl.truststore-password", "MARKER-truststore-6a01",
            "kafka.ssl.keystore-password", "MARKER-keystore-b7c2",
            "kafka.ssl.key-password", "MARKER-key-4f88");

    /** Read from Secrets Manager for a key that does not look secret. */
    private static final String SASL_USER_MARKER = "MARKER-sasl-user-from-json-a9b0";

    private static FakeSecretsManager secretsManager;

    @TempDir
    static Path warehouse;

    @BeforeAll
    static void start() throws Exception {
        secretsManager = new FakeSecretsManager()
                .put("prod/lakestream/kafka", "{\"username\": \"" + SASL_USER_MARKER + "\", \"password\": \""
                        + MARKERS.get("kafka.sasl.password") + "\"}")
                .put("prod/lakestream/group", "bad group id " + SASL_USER_MARKER);
    }

    @AfterAll
    static void stop() {
        secretsManager.close();
    }

    /** Every source that builds without a server (Kafka, Kinesis, Debezium on Kafka), every secret set. */
    private static Map<String, String> everySecret() {
        Map<String, String> raw = new HashMap<>(secretsManager.clientOptions());
        raw.putAll(MARKERS);
        raw.put("kafka.sasl.username", "secretsmanager:prod/lakestream/kafka#username");
        raw.put("kafka.sasl.password", "secretsmanager:prod/lakestream/kafka#password");
        raw.put("kafka.bootstrap-servers", "b-1.msk.example:9096");
        raw.put("kafka.topics", "clickstream");
        raw.put("kafka.security.protocol", "SASL_SSL");
        raw.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        raw.put("kafka.ssl.truststore-location", "/etc/kafka/ca.jks");
        raw.put("kafka.ssl.keystore-location", "/etc/kafka/client.jks");
        raw.put("kinesis.streams", "arn:aws:kinesis:eu-west-1:123456789012:stream/fulfillment");
        raw.put("kinesis.access-key-id", "AKIDKINESIS");
        raw.put("silver.clickstream.source", "clickstream");
        raw.put("silver.fulfillment-events.source", "fulfillment");
        raw.put("cdc.kafka.topics", "shop.public.payments");
        raw.put("cdc.kafka.tables", "public.payments");
        raw.put("cdc.kafka.primary-keys", "public.payments=payment_id");
        raw.put("cdc.kafka.column-types", "public.payments=payment_id LONG, status STRING");
        // The sinks load their tables while the graph is built: a catalog on local files. The JDBC, S3
        // and OAuth2 secrets are set all the same; they are printed or not whatever the catalog type.
        raw.put("catalog.type", "HADOOP");
        raw.put("catalog.warehouse", warehouse.toUri().toString());
        raw.put("catalog.jdbc.user", "iceberg");
        raw.put("catalog.s3.access-key-id", "AKIDS3");
        return raw;
    }

    private static PipelineConfig load(Map<String, String> raw) {
        return IngestionPipeline.validate(
                PipelineConfig.fromMap(raw, IngestionPipeline.options(), SecretsManagerReferencesITCase.stores()));
    }

    private static List<String> markers() {
        List<String> all = new java.util.ArrayList<>(MARKERS.values());
        all.add(SASL_USER_MARKER);
        return all;
    }

    @Test
    void noSecretIsPrintedWhileTheJobIsConfiguredBuiltAndRejected() throws Exception {
        StringBuilder printed = new StringBuilder();
        try (LogCapture logs = new LogCapture()) {
            // (a) load and resolve, (b) the start-up log line of IngestionApplication.
            PipelineConfig config = load(everySecret());
            assertThat(config.configuration().get(KafkaSecurityOptions.SASL_USERNAME)).isEqualTo(SASL_USER_MARKER);
            LOG.info("Starting {} with configuration:\n{}", "lakestream-ingestion", config.describe());

            // (c) the tables and the job graph as IngestionApplication provisions and builds them, rendered.
            IngestionPipeline.provisionTables(config.configuration());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            IngestionPipeline.build(env, config.configuration());
            printed.append(env.getExecutionPlan()).append('\n');
            StreamGraph streamGraph = env.getStreamGraph(false);
            JobGraph jobGraph = streamGraph.getJobGraph();
            printed.append(jobGraph.getJobConfiguration()).append('\n');
            printed.append(env.getConfiguration()).append('\n');
            printed.append(streamGraph.getExecutionConfig()).append('\n');
            jobGraph.getVertices().forEach(v -> printed.append(v.getName()).append(' ').append(v.getOperatorPrettyName())
                    .append('\n'));
            LOG.info("Built job graph {} with {} vertices", jobGraph.getJobID(), jobGraph.getNumberOfVertices());

            // (d) rejected configurations that involve secret keys and resolved values.
            for (Map<String, String> bad : List.of(
                    with("kafka.security.protocol", "PLAINTEXT"),
                    with("kafka.sasl.mechanism", "AWS_MSK_IAM"),
                    with("catalog.s3.access-key-id", null),
                    with("cdc.kafka.group-id", "secretsmanager:prod/lakestream/group"),
                    with("cdc.postgres.port", "secretsmanager:prod/lakestream/kafka#password"),
                    with("kafka.sasl.pasword", MARKERS.get("kafka.sasl.password")),
                    with("catalog.jdbc.password", "secretsmanager:prod/lakestream/kafka#nope"))) {
                try {
                    load(bad);
                    throw new AssertionError("expected a rejected configuration: " + bad.keySet());
                } catch (InvalidConfigurationException e) {
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    printed.append(trace).append('\n');
                    LOG.error("Configuration rejected", e);
                }
            }

            String captured = logs.text();
            assertThat(captured).as("the capture saw the start-up log line").contains("catalog.jdbc.password = ******");
            assertThat(printed).as("the rejections were rendered").contains("cdc.kafka.group-id");
            for (String marker : markers()) {
                assertThat(captured).as("log output and stdout/stderr").doesNotContain(marker);
                assertThat(printed.toString()).as("execution plan, job configuration and errors").doesNotContain(marker);
            }
        }
    }

    @Test
    void theCaptureSeesAMarkerThatIsLoggedOnPurpose() {
        // Proves the negative test above can fail: a logged secret is caught, by log4j2 and on stdout.
        try (LogCapture logs = new LogCapture()) {
            LoggerFactory.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig")
                    .debug("sasl.password = {}", MARKERS.get("kafka.sasl.password"));
            System.out.println("printed " + MARKERS.get("cdc.postgres.password"));
            assertThat(logs.text()).contains(MARKERS.get("kafka.sasl.password")).contains(MARKERS.get("cdc.postgres.password"));
        }
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> raw = everySecret();
        if (value == null) {
            raw.remove(key);
        } else {
            raw.put(key, value);
        }
        return raw;
    }
}
