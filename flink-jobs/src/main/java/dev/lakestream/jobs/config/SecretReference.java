package dev.lakestream.jobs.config;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A configuration value that names a secret in AWS Secrets Manager instead of holding it:
 * {@code secretsmanager:<secret name or ARN>} takes the whole secret string,
 * {@code secretsmanager:<secret name or ARN>#<key>} one key of a JSON secret (as the RDS and
 * Secrets Manager rotation templates store {@code {"username": ..., "password": ...}}).
 *
 * <p>{@code #} separates the key because ARNs contain {@code :} and secret names cannot contain
 * {@code #}. The reference itself is safe to print; the value it resolves to is not.
 */
public final class SecretReference {

    public static final String PREFIX = "secretsmanager:";

    public static final String FORM = PREFIX + "<secret name or ARN>[#<JSON key>]";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secretId;
    private final String jsonKey;

    private SecretReference(String secretId, String jsonKey) {
        this.secretId = secretId;
        this.jsonKey = jsonKey;
    }

    /** Whether a configuration value is a reference (it may still be malformed). */
    public static boolean isReference(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /**
     * The reference in {@code value} of {@code key}.
     *
     * @throws IllegalArgumentException naming the key and the expected form
     */
    public static SecretReference parse(String key, String value) {
        String body = value.substring(PREFIX.length());
        int hash = body.indexOf('#');
        String id = (hash < 0 ? body : body.substring(0, hash)).trim();
        String jsonKey = hash < 0 ? null : body.substring(hash + 1).trim();
        if (id.isEmpty() || (jsonKey != null && jsonKey.isEmpty())) {
            throw new IllegalArgumentException("invalid secret reference '" + value + "' for key '" + key + "': expected "
                    + FORM + ", e.g. secretsmanager:prod/lakestream/postgres#password");
        }
        return new SecretReference(id, jsonKey);
    }

    public String secretId() {
        return secretId;
    }

    public Optional<String> jsonKey() {
        return Optional.ofNullable(jsonKey);
    }

    /** The region of an ARN-named secret ({@code arn:aws:secretsmanager:<region>:...}). */
    static Optional<String> arnRegion(String secretId) {
        String[] parts = secretId.split(":");
        return parts.length >= 7 && "arn".equals(parts[0]) && "secretsmanager".equals(parts[2]) && !parts[3].isEmpty()
                ? Optional.of(parts[3])
                : Optional.empty();
    }

    /**
     * Looks the value up.
     *
     * @throws SecretLookupException saying why, without the secret's content
     */
    String resolve(SecretStore store) {
        String secret = store.secretString(secretId);
        if (jsonKey == null) {
            return secret;
        }
        JsonNode root;
        try {
            root = JSON.readTree(secret);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the text it failed on: that is the secret, so it is left out.
            throw new SecretLookupException("its value is not JSON, so it has no key '" + jsonKey + "'");
        }
        if (root == null || !root.isObject()) {
            throw new SecretLookupException("its value is not a JSON object, so it has no key '" + jsonKey + "'");
        }
        JsonNode value = root.get(jsonKey);
        if (value == null) {
            List<String> keys = new ArrayList<>();
            root.fieldNames().forEachRemaining(keys::add);
            throw new SecretLookupException("its JSON has no key '" + jsonKey + "' (keys: " + String.join(", ", keys) + ")");
        }
        if (!value.isValueNode() || value.isNull()) {
            throw new SecretLookupException("its JSON key '" + jsonKey + "' holds no string, number or boolean");
        }
        return value.asText();
    }

    @Override
    public String toString() {
        return PREFIX + secretId + (jsonKey == null ? "" : "#" + jsonKey);
    }
}
