package dev.lakestream.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code secretsmanager:} references are resolved (see {@link SecretReference}). Property group
 * {@code secretsmanager} on MSF. These two options cannot be references themselves.
 */
public final class SecretsManagerOptions {

    public static final ConfigOption<String> REGION =
            ConfigOptions.key("secretsmanager.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "AWS region of the secrets that configuration values reference by name (secretsmanager:"
                                    + " references). Unset: the region in the secret's ARN, else the SDK's default"
                                    + " region chain (on MSF, the application's region).");

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("secretsmanager.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Endpoint URI overriding the region's Secrets Manager endpoint: a VPC endpoint, or a local"
                                    + " server in tests. Unset: the region's endpoint.");

    private SecretsManagerOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(REGION, ENDPOINT);
    }

    /** Problems of these options' own values (references are checked by {@link PipelineConfig}). */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        config.getOptional(REGION).filter(String::isBlank)
                .ifPresent(r -> problems.add("invalid value for key '" + REGION.key() + "': must not be blank"));
        config.getOptional(ENDPOINT).ifPresent(endpoint -> {
            String expected = "expected an http:// or https:// URI with a host, e.g."
                    + " https://secretsmanager.eu-west-1.amazonaws.com";
            try {
                URI uri = new URI(endpoint);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    problems.add("invalid value '" + endpoint + "' for key '" + ENDPOINT.key() + "': " + expected);
                }
            } catch (URISyntaxException e) {
                problems.add("invalid value '" + endpoint + "' for key '" + ENDPOINT.key() + "': " + expected);
            }
        });
        return problems;
    }
}
