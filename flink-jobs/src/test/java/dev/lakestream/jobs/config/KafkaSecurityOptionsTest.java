package dev.lakestream.jobs.config;

import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeSources;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaSources;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;

import javax.security.auth.login.AppConfigurationEntry;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class KafkaSecurityOptionsTest {

    private static Map<String, String> kafka(String... keyValues) {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "b-1.msk.example:9098");
        raw.put("kafka.topics", "orders");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return raw;
    }

    private static Configuration load(String... keyValues) {
        return IngestionPipeline.validate(PipelineConfig.fromMap(kafka(keyValues), IngestionPipeline.options()))
                .configuration();
    }

    private static List<String> problems(String... keyValues) {
        try {
            load(keyValues);
        } catch (InvalidConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void plaintextIsTheDefaultAndAddsNothingElse() {
        assertThat(KafkaSecurityOptions.clientProperties(load())).containsExactly(entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void saslNeedsAMechanismAndNamesTheAllowedOnes() {
        assertThat(problems("kafka.security.protocol", "SASL_SSL")).singleElement().asString()
                .contains("'kafka.sasl.mechanism' is required when kafka.security.protocol is SASL_SSL")
                .contains("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, AWS_MSK_IAM");
    }

    @Test
    void anUnknownMechanismOrProtocolNamesTheKeyAndTheAllowedValues() {
        assertThat(problems("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "GSSAPI"))
                .singleElement().asString()
                .contains("'GSSAPI' for key 'kafka.sasl.mechanism'")
                .contains("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, AWS_MSK_IAM");
        assertThat(problems("kafka.security.protocol", "TLS")).singleElement().asString()
                .contains("'TLS' for key 'kafka.security.protocol'")
                .contains("PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    }

    @Test
    void mskIamNeedsSaslSslAndNoPassword() {
        assertThat(problems("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "AWS_MSK_IAM"))
                .singleElement().asString()
                .contains("key 'kafka.security.protocol'").contains("AWS_MSK_IAM needs SASL_SSL");
        assertThat(problems("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "AWS_MSK_IAM",
                "kafka.sasl.password", "unused"))
                .singleElement().asString().contains("'kafka.sasl.password' is set but kafka.sasl.mechanism is AWS_MSK_IAM");
    }

    @Test
    void scramAndPlainNeedUsernameAndPassword() {
        assertThat(problems("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "scram-sha-512"))
                .containsExactly(
                        "'kafka.sasl.username' is required when kafka.sasl.mechanism is SCRAM-SHA-512",
                        "'kafka.sasl.password' is required when kafka.sasl.mechanism is SCRAM-SHA-512");
        assertThat(problems("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.username", "ingest"))
                .containsExactly("'kafka.sasl.password' is required when kafka.sasl.mechanism is PLAIN");
    }

    @Test
    void saslAndTlsSettingsWithoutTheirProtocolAreRejected() {
        assertThat(problems("kafka.sasl.mechanism", "PLAIN", "kafka.ssl.truststore-location", "/etc/ca.jks"))
                .containsExactlyInAnyOrder(
                        "'kafka.sasl.mechanism' is set but kafka.security.protocol is PLAINTEXT: it is only used with"
                                + " kafka.security.protocol SASL_PLAINTEXT or SASL_SSL",
                        "'kafka.ssl.truststore-location' is set but kafka.security.protocol is PLAINTEXT: it is only"
                                + " used with kafka.security.protocol SSL or SASL_SSL");
    }

    @Test
    void storePasswordsNeedTheirStoreAndTheTruststoreComesFromOnePlace() {
        assertThat(problems("kafka.security.protocol", "SSL", "kafka.ssl.truststore-password", "changeit",
                "kafka.ssl.key-password", "k3y-pass"))
                .containsExactlyInAnyOrder(
                        "'kafka.ssl.truststore-password' is set without 'kafka.ssl.truststore-location', which it belongs to",
                        "'kafka.ssl.key-password' is set without 'kafka.ssl.keystore-location', which it belongs to");
        assertThat(problems("kafka.security.protocol", "SSL", "kafka.ssl.truststore-location", "/etc/ca.jks",
                "kafka.ssl.truststore-certificates", "-----BEGIN CERTIFICATE-----"))
                .containsExactly("set either 'kafka.ssl.truststore-location' or 'kafka.ssl.truststore-certificates', not both");
    }

    @Test
    void mskIamUsesTheIamLoginModuleAndCallbackHandler() {
        Properties props = KafkaSecurityOptions.clientProperties(
                load("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "AWS_MSK_IAM"));

        assertThat(props).containsOnly(
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "AWS_MSK_IAM"),
                entry("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;"),
                entry("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
    }

    @Test
    void theMskIamClassesAreOnTheClasspath() throws Exception {
        // The Kafka client loads them by name on the TaskManagers: a missing jar fails only there.
        assertThat(Class.forName("software.amazon.msk.auth.iam.IAMLoginModule")).isNotNull();
        assertThat(Class.forName(KafkaSecurityOptions.MSK_IAM_CALLBACK_HANDLER)).isNotNull();
    }

    @Test
    void scramOverTlsWithATruststoreFile() {
        Properties props = KafkaSecurityOptions.clientProperties(load(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-256",
                "kafka.sasl.username", "ingest",
                "kafka.sasl.password", "pa\"ss\\word",
                "kafka.ssl.truststore-location", "/etc/kafka/ca.p12",
                "kafka.ssl.truststore-type", "PKCS12",
                "kafka.ssl.truststore-password", "changeit"));

        assertThat(props).containsOnly(
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "SCRAM-SHA-256"),
                entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"ingest\" password=\"pa\\\"ss\\\\word\";"),
                entry("ssl.truststore.location", "/etc/kafka/ca.p12"),
                entry("ssl.truststore.type", "PKCS12"),
                entry("ssl.truststore.password", "changeit"));
        // Kafka's own JAAS parser reads the escaped password back as configured.
        AppConfigurationEntry jaas = JaasContext.loadClientContext(Map.of("sasl.jaas.config",
                new Password(props.getProperty("sasl.jaas.config")))).configurationEntries().get(0);
        Map<String, ?> options = jaas.getOptions();
        assertThat(options.get("username")).isEqualTo("ingest");
        assertThat(options.get("password")).isEqualTo("pa\"ss\\word");
    }

    @Test
    void plainOverSaslPlaintext() {
        Properties props = KafkaSecurityOptions.clientProperties(load(
                "kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.username", "ingest", "kafka.sasl.password", "s3cret"));

        assertThat(props).containsOnly(
                entry("security.protocol", "SASL_PLAINTEXT"),
                entry("sasl.mechanism", "PLAIN"),
                entry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"ingest\" password=\"s3cret\";"));
    }

    @Test
    void mutualTlsWithInlineCaCertificates() {
        Properties props = KafkaSecurityOptions.clientProperties(load(
                "kafka.security.protocol", "SSL",
                "kafka.ssl.truststore-certificates", "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----",
                "kafka.ssl.keystore-location", "/etc/kafka/client.jks",
                "kafka.ssl.keystore-password", "ks-pass",
                "kafka.ssl.key-password", "key-pass"));

        assertThat(props).containsOnly(
                entry("security.protocol", "SSL"),
                entry("ssl.truststore.type", "PEM"),
                entry("ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----"),
                entry("ssl.keystore.location", "/etc/kafka/client.jks"),
                entry("ssl.keystore.password", "ks-pass"),
                entry("ssl.key.password", "key-pass"));
    }

    @Test
    void everyKafkaSourceOfTheJobCarriesTheSecuritySettings() throws Exception {
        Map<String, String> raw = kafka(
                "cdc.kafka.topics", "shop.public.orders",
                "cdc.kafka.tables", "public.orders",
                "cdc.kafka.primary-keys", "public.orders=order_id",
                "cdc.kafka.column-types", "public.orders=order_id LONG, status STRING");
        raw.putAll(Map.of(
                "kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.username", "ingest", "kafka.sasl.password", "s3cret",
                "kafka.ssl.truststore-location", "/etc/kafka/ca.jks"));
        Configuration config = Configuration.fromMap(raw);
        Properties expected = KafkaSecurityOptions.clientProperties(config);

        assertThat(expected).containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location");
        assertThat(properties(KafkaBronzeSources.forTopic(config, "orders"))).containsAllEntriesOf(expected);
        assertThat(properties(DebeziumKafkaSources.forTopics(config))).containsAllEntriesOf(expected);
    }

    /** The consumer properties a source was built with (KafkaSource exposes them to its own package only). */
    private static Properties properties(KafkaSource<?> source) throws ReflectiveOperationException {
        Field props = KafkaSource.class.getDeclaredField("props");
        props.setAccessible(true);
        return (Properties) props.get(source);
    }

    @Test
    void passwordsAreDeclaredSecrets() {
        assertThat(SecretOptions.all()).containsAll(KafkaSecurityOptions.secrets());
        assertThatThrownBy(() -> load("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.username", "ingest", "kafka.sasl.password", "s3cret-value", "kafka.sasl.jaas", "x"))
                .hasMessageContaining("unknown key 'kafka.sasl.jaas'")
                .hasMessageNotContaining("s3cret-value");
    }
}
