package dev.lakestream.jobs.config;

import org.apache.flink.configuration.ReadableConfig;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads secrets with {@code GetSecretValue} (AWS SDK v2, the SDK version Iceberg's S3FileIO and
 * Glue client use). Credentials come from the default chain: on MSF, the application's IAM role,
 * which needs {@code secretsmanager:GetSecretValue} on the secrets (and {@code kms:Decrypt} for a
 * customer-managed key). Each secret is read once per start, however many keys reference it.
 *
 * <p>Region: {@code secretsmanager.region}, else the region in the secret's ARN, else the SDK's
 * default region chain. Used only on the JobManager while the job starts; nothing of it is
 * serialized into the job graph.
 */
final class SecretsManagerStore implements SecretStore {

    /** A start should fail in seconds, not hang, when Secrets Manager is unreachable (no VPC endpoint, say). */
    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Optional<String> region;
    private final Optional<URI> endpoint;
    private final AwsCredentialsProvider credentials;
    private final Map<String, SecretsManagerClient> clients = new HashMap<>();
    private final Map<String, String> read = new HashMap<>();

    SecretsManagerStore(ReadableConfig config) {
        this(config, DefaultCredentialsProvider.builder().build());
    }

    /** With given credentials: tests against a local server. */
    SecretsManagerStore(ReadableConfig config, AwsCredentialsProvider credentials) {
        this.region = config.getOptional(SecretsManagerOptions.REGION).map(String::trim).filter(r -> !r.isEmpty());
        this.endpoint = config.getOptional(SecretsManagerOptions.ENDPOINT).map(URI::create);
        this.credentials = credentials;
    }

    @Override
    public String secretString(String secretId) {
        String cached = read.get(secretId);
        if (cached != null) {
            return cached;
        }
        GetSecretValueResponse response;
        try {
            response = client(secretId).getSecretValue(r -> r.secretId(secretId));
        } catch (ResourceNotFoundException e) {
            throw new SecretLookupException("it was not found (" + awsError(e) + ")");
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String why = "AccessDeniedException".equals(code)
                    ? "access was denied: the application's role needs secretsmanager:GetSecretValue on it"
                    : "DecryptionFailure".equals(code) || "DecryptionFailureException".equals(code)
                            ? "it cannot be decrypted: the application's role needs kms:Decrypt on its KMS key"
                            : "Secrets Manager refused the request";
            throw new SecretLookupException(why + " (" + awsError(e) + ")");
        } catch (SdkClientException e) {
            throw new SecretLookupException("Secrets Manager could not be reached or no AWS credentials or region were"
                    + " found (" + e.getMessage() + "); set '" + SecretsManagerOptions.REGION.key() + "' or '"
                    + SecretsManagerOptions.ENDPOINT.key() + "' if the defaults do not apply");
        }
        if (response.secretString() == null) {
            throw new SecretLookupException("it holds binary data (SecretBinary); only text secrets (SecretString) can"
                    + " be configuration values");
        }
        read.put(secretId, response.secretString());
        return response.secretString();
    }

    private SecretsManagerClient client(String secretId) {
        Optional<String> clientRegion = region.or(() -> SecretReference.arnRegion(secretId));
        return clients.computeIfAbsent(clientRegion.orElse(""), r -> {
            SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                    .credentialsProvider(credentials)
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT).build());
            if (!r.isEmpty()) {
                builder.region(Region.of(r));
            }
            endpoint.ifPresent(builder::endpointOverride);
            return builder.build();
        });
    }

    private static String awsError(AwsServiceException e) {
        if (e.awsErrorDetails() == null) {
            return "HTTP " + e.statusCode();
        }
        return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
    }

    @Override
    public void close() {
        clients.values().forEach(SecretsManagerClient::close);
        clients.clear();
        read.clear();
        if (credentials instanceof SdkAutoCloseable) {
            ((SdkAutoCloseable) credentials).close();
        }
    }
}
