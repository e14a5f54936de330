package dev.lakestream.jobs.config;

/**
 * Where {@code secretsmanager:} references in the configuration are looked up: AWS Secrets Manager
 * in production ({@link SecretsManagerStore}), a map in unit tests.
 */
public interface SecretStore extends AutoCloseable {

    /**
     * The text value ({@code SecretString}) of the current version of a secret.
     *
     * @param secretId the secret's name or ARN
     * @throws SecretLookupException saying why the secret cannot be read; its message never holds
     *     the value
     */
    String secretString(String secretId);

    @Override
    void close();
}
