package dev.lakestream.jobs.config;

import dev.lakestream.catalog.CatalogOptions;
import dev.lakestream.cdc.postgres.PostgresCdcOptions;
import dev.lakestream.jobs.IngestionPipeline;

import org.apache.flink.configuration.ReadableConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code secretsmanager:} references resolved by the real SDK client against a loopback server
 * speaking Secrets Manager's GetSecretValue protocol.
 */
class SecretsManagerReferencesITCase {

    private static final String DB_JSON = "{\"username\": \"cdc_reader\", \"password\": \"pg-Pa55-from-json\", \"port\": 6432}";

    private static FakeSecretsManager secretsManager;

    @BeforeAll
    static void start() throws Exception {
        secretsManager = new FakeSecretsManager()
                .put("prod/lakestream/catalog-db", "catalog-Pa55-plain")
                .put("prod/lakestream/postgres", DB_JSON)
                .put("prod/lakestream/not-json", "plain text, not JSON")
                .deny("prod/other-team/secret");
    }

    @AfterAll
    static void stop() {
        secretsManager.close();
    }

    /** The store the application uses, with fixed credentials instead of the default chain. */
    static Function<ReadableConfig, SecretStore> stores() {
        return config -> new SecretsManagerStore(config,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret-key")));
    }

    private static Map<String, String> valid(String... keyValues) {
        Map<String, String> raw = new HashMap<>(secretsManager.clientOptions());
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return raw;
    }

    private static PipelineConfig load(Map<String, String> raw) {
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options(), stores()));
    }

    private static List<String> problems(Map<String, String> raw) {
        try {
            load(raw);
        } catch (InvalidConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void aPlainSecretAndJsonKeysResolveIntoTheConfigurationOnly() {
        PipelineConfig config = load(valid(
                "catalog.jdbc.password", "secretsmanager:prod/lakestream/catalog-db",
                "cdc.postgres.username", "secretsmanager:prod/lakestream/postgres#username",
                "cdc.postgres.password", "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
                        + "prod/lakestream/postgres#password",
                "cdc.postgres.port", "secretsmanager:prod/lakestream/postgres#port"));

        assertThat(config.configuration().get(CatalogOptions.JDBC_PASSWORD)).isEqualTo("catalog-Pa55-plain");
        assertThat(config.configuration().get(PostgresCdcOptions.USERNAME)).isEqualTo("cdc_reader");
        assertThat(config.configuration().get(PostgresCdcOptions.PASSWORD)).isEqualTo("pg-Pa55-from-json");
        assertThat(config.configuration().get(PostgresCdcOptions.PORT)).isEqualTo(6432);

        // What is printed names the reference, never the value, whatever the key looks like.
        String described = config.describe();
        assertThat(described)
                .contains("cdc.postgres.username = ****** (secretsmanager:prod/lakestream/postgres#username)")
                .contains("cdc.postgres.port = ****** (secretsmanager:prod/lakestream/postgres#port)")
                .contains("catalog.jdbc.password = ****** (secretsmanager:prod/lakestream/catalog-db)")
                .doesNotContain("cdc_reader").doesNotContain("Pa55").doesNotContain("6432");
        assertThat(config.masks("cdc.postgres.username")).isTrue();
        assertThat(config.masks("cdc.postgres.hostname")).isFalse();
    }

    @Test
    void eachSecretIsReadOnceHoweverManyKeysReferenceIt() {
        int before = secretsManager.requested().size();
        load(valid(
                "cdc.postgres.username", "secretsmanager:prod/lakestream/postgres#username",
                "cdc.postgres.password", "secretsmanager:prod/lakestream/postgres#password"));

        assertThat(secretsManager.requested().subList(before, secretsManager.requested().size()))
                .containsExactly("prod/lakestream/postgres");
    }

    @Test
    void aMissingSecretNamesTheKeyAndTheSecret() {
        assertThat(problems(valid("catalog.jdbc.password", "secretsmanager:prod/lakestream/nope")))
                .singleElement().asString()
                .startsWith("key 'catalog.jdbc.password': secret 'prod/lakestream/nope' of"
                        + " secretsmanager:prod/lakestream/nope cannot be read: it was not found")
                .contains("ResourceNotFoundException");
    }

    @Test
    void deniedAccessSaysWhichPermissionIsMissing() {
        assertThat(problems(valid("kafka.sasl.password", "secretsmanager:prod/other-team/secret",
                "kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "PLAIN", "kafka.sasl.username", "u")))
                .singleElement().asString()
                .contains("key 'kafka.sasl.password': secret 'prod/other-team/secret'")
                .contains("access was denied: the application's role needs secretsmanager:GetSecretValue");
    }

    @Test
    void aMissingJsonKeyListsTheKeysButNoValue() {
        assertThat(problems(valid("cdc.postgres.password", "secretsmanager:prod/lakestream/postgres#pasword")))
                .singleElement().asString()
                .contains("key 'cdc.postgres.password': secret 'prod/lakestream/postgres'")
                .contains("its JSON has no key 'pasword' (keys: username, password, port)")
                .doesNotContain("pg-Pa55-from-json").doesNotContain("cdc_reader");
        assertThat(problems(valid("cdc.postgres.password", "secretsmanager:prod/lakestream/not-json#password")))
                .singleElement().asString()
                .contains("its value is not JSON, so it has no key 'password'")
                .doesNotContain("plain text");
    }

    @Test
    void aMalformedReferenceAndAReferenceForTheStoreItselfAreRejected() {
        assertThat(problems(valid("catalog.jdbc.password", "secretsmanager:#password")))
                .containsExactly("invalid secret reference 'secretsmanager:#password' for key 'catalog.jdbc.password':"
                        + " expected secretsmanager:<secret name or ARN>[#<JSON key>], e.g."
                        + " secretsmanager:prod/lakestream/postgres#password");
        assertThat(problems(valid("secretsmanager.region", "secretsmanager:prod/region")))
                .containsExactly("key 'secretsmanager.region' cannot be a secret reference: it says where references"
                        + " are read from");
    }

    @Test
    void aResolvedValueThatDoesNotParseIsNotPrinted() {
        assertThat(problems(valid("cdc.postgres.port", "secretsmanager:prod/lakestream/postgres#username")))
                .singleElement().asString()
                .contains("invalid value 'secretsmanager:prod/lakestream/postgres#username' for key 'cdc.postgres.port'")
                .doesNotContain("cdc_reader");
    }

    @Test
    void anUnreachableSecretsManagerNamesTheKeysToCheck() {
        Map<String, String> raw = valid("catalog.jdbc.password", "secretsmanager:prod/lakestream/catalog-db");
        raw.put(SecretsManagerOptions.ENDPOINT.key(), "http://127.0.0.1:1");

        assertThat(problems(raw)).singleElement().asString()
                .contains("key 'catalog.jdbc.password': secret 'prod/lakestream/catalog-db'")
                .contains("Secrets Manager could not be reached")
                .contains("'secretsmanager.endpoint'");
    }
}
