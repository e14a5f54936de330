package dev.lakestream.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * How every Kafka client of the job (the bronze topic sources and the Debezium source) reaches the
 * brokers: TLS, SASL (PLAIN, SCRAM) or Amazon MSK IAM. Property group {@code kafka} on MSF.
 *
 * <p>{@link #clientProperties} turns the options into Kafka client properties; a source applies
 * them after its own, so every source authenticates the same way. Passwords end up in Kafka's own
 * {@code Password}-typed settings ({@code sasl.jaas.config}, {@code ssl.*.password}), which Kafka
 * prints as {@code [hidden]} when it logs its configuration.
 */
public final class KafkaSecurityOptions {

    /** Kafka's {@code security.protocol}. */
    public enum SecurityProtocol {
        PLAINTEXT,
        SSL,
        SASL_PLAINTEXT,
        SASL_SSL;

        boolean usesTls() {
            return this == SSL || this == SASL_SSL;
        }

        boolean usesSasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }
    }

    /** Kafka's {@code sasl.mechanism}; parsed and printed with Kafka's spelling (e.g. SCRAM-SHA-256). */
    public enum SaslMechanism {
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        /** Amazon MSK IAM access control: signs with the application's IAM role (aws-msk-iam-auth). */
        AWS_MSK_IAM("AWS_MSK_IAM", "software.amazon.msk.auth.iam.IAMLoginModule");

        private final String kafkaName;
        private final String loginModule;

        SaslMechanism(String kafkaName, String loginModule) {
            this.kafkaName = kafkaName;
            this.loginModule = loginModule;
        }

        /** Flink matches configured values against this (case-insensitively). */
        @Override
        public String toString() {
            return kafkaName;
        }

        boolean usesPassword() {
            return this != AWS_MSK_IAM;
        }
    }

    /** Keystore and truststore file formats Kafka reads. */
    public enum StoreType {
        JKS,
        PKCS12,
        PEM
    }

    static final String MSK_IAM_CALLBACK_HANDLER = "software.amazon.msk.auth.iam.IAMClientCallbackHandler";

    public static final ConfigOption<SecurityProtocol> SECURITY_PROTOCOL =
            ConfigOptions.key("kafka.security.protocol")
                    .enumType(SecurityProtocol.class)
                    .defaultValue(SecurityProtocol.PLAINTEXT)
                    .withDescription(
                            "How the job's Kafka clients (bronze topics and Debezium topics) connect: PLAINTEXT, SSL"
                                    + " (TLS), SASL_PLAINTEXT or SASL_SSL (SASL over TLS; Amazon MSK with IAM or SCRAM).");

    public static final ConfigOption<SaslMechanism> SASL_MECHANISM =
            ConfigOptions.key("kafka.sasl.mechanism")
                    .enumType(SaslMechanism.class)
                    .noDefaultValue()
                    .withDescription(
                            "SASL mechanism, required with SASL_PLAINTEXT and SASL_SSL: PLAIN, SCRAM-SHA-256,"
                                    + " SCRAM-SHA-512 (all with kafka.sasl.username and kafka.sasl.password) or"
                                    + " AWS_MSK_IAM (Amazon MSK IAM access control with the application's IAM role;"
                                    + " SASL_SSL only).");

    public static final ConfigOption<String> SASL_USERNAME =
            ConfigOptions.key("kafka.sasl.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("SASL user of PLAIN and SCRAM mechanisms.");

    public static final ConfigOption<String> SASL_PASSWORD =
            ConfigOptions.key("kafka.sasl.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "SASL password of kafka.sasl.username (PLAIN and SCRAM). Never logged; may be a"
                                    + " secretsmanager: reference.");

    public static final ConfigOption<String> TRUSTSTORE_LOCATION =
            ConfigOptions.key("kafka.ssl.truststore-location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Truststore file on every TaskManager with the brokers' CA (SSL and SASL_SSL). Unset: the"
                                    + " JVM's default CAs, which trust Amazon MSK's certificates.");

    public static final ConfigOption<String> TRUSTSTORE_PASSWORD =
            ConfigOptions.key("kafka.ssl.truststore-password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of kafka.ssl.truststore-location. Never logged.");

    public static final ConfigOption<StoreType> TRUSTSTORE_TYPE =
            ConfigOptions.key("kafka.ssl.truststore-type")
                    .enumType(StoreType.class)
                    .noDefaultValue()
                    .withDescription("Format of kafka.ssl.truststore-location: JKS, PKCS12 or PEM. Unset: Kafka's default (JKS).");

    public static final ConfigOption<String> TRUSTSTORE_CERTIFICATES =
            ConfigOptions.key("kafka.ssl.truststore-certificates")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The brokers' CA certificates as PEM text, instead of a truststore file (no file to ship"
                                    + " to MSF TaskManagers). Not with kafka.ssl.truststore-location.");

    public static final ConfigOption<String> KEYSTORE_LOCATION =
            ConfigOptions.key("kafka.ssl.keystore-location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Keystore file on every TaskManager with the client certificate and key, for mutual TLS"
                                    + " (SSL and SASL_SSL). Unset: no client certificate.");

    public static final ConfigOption<String> KEYSTORE_PASSWORD =
            ConfigOptions.key("kafka.ssl.keystore-password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of kafka.ssl.keystore-location. Never logged.");

    public static final ConfigOption<StoreType> KEYSTORE_TYPE =
            ConfigOptions.key("kafka.ssl.keystore-type")
                    .enumType(StoreType.class)
                    .noDefaultValue()
                    .withDescription("Format of kafka.ssl.keystore-location: JKS, PKCS12 or PEM. Unset: Kafka's default (JKS).");

    public static final ConfigOption<String> KEY_PASSWORD =
            ConfigOptions.key("kafka.ssl.key-password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password of the private key in kafka.ssl.keystore-location, when it differs from the"
                                    + " keystore's. Never logged.");

    private KafkaSecurityOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(SECURITY_PROTOCOL, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD, TRUSTSTORE_LOCATION,
                TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, TRUSTSTORE_CERTIFICATES, KEYSTORE_LOCATION, KEYSTORE_PASSWORD,
                KEYSTORE_TYPE, KEY_PASSWORD);
    }

    /** Options whose values are credentials. */
    public static List<ConfigOption<?>> secrets() {
        return List.of(SASL_PASSWORD, TRUSTSTORE_PASSWORD, KEYSTORE_PASSWORD, KEY_PASSWORD);
    }

    /** Cross-field rules, for {@link PipelineConfig#check}. Messages name keys, never values of secrets. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        SecurityProtocol protocol = config.get(SECURITY_PROTOCOL);
        Optional<SaslMechanism> mechanism = config.getOptional(SASL_MECHANISM);
        String protocolIs = SECURITY_PROTOCOL.key() + " is " + protocol;
        if (protocol.usesSasl() && mechanism.isEmpty()) {
            problems.add("'" + SASL_MECHANISM.key() + "' is required when " + protocolIs + ": allowed values are "
                    + allowed(SaslMechanism.values()));
        }
        if (!protocol.usesSasl()) {
            for (ConfigOption<?> option : List.of(SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD)) {
                if (config.getOptional(option).isPresent()) {
                    problems.add("'" + option.key() + "' is set but " + protocolIs + ": it is only used with "
                            + SECURITY_PROTOCOL.key() + " SASL_PLAINTEXT or SASL_SSL");
                }
            }
        }
        mechanism.filter(m -> protocol.usesSasl()).ifPresent(m -> {
            if (m == SaslMechanism.AWS_MSK_IAM) {
                if (protocol != SecurityProtocol.SASL_SSL) {
                    problems.add("invalid value '" + protocol + "' for key '" + SECURITY_PROTOCOL.key() + "': "
                            + SASL_MECHANISM.key() + " AWS_MSK_IAM needs SASL_SSL (MSK's IAM listener is TLS only)");
                }
                for (ConfigOption<String> option : List.of(SASL_USERNAME, SASL_PASSWORD)) {
                    if (config.getOptional(option).isPresent()) {
                        problems.add("'" + option.key() + "' is set but " + SASL_MECHANISM.key() + " is AWS_MSK_IAM,"
                                + " which signs with the application's IAM role: remove it");
                    }
                }
            } else {
                for (ConfigOption<String> option : List.of(SASL_USERNAME, SASL_PASSWORD)) {
                    if (config.getOptional(option).filter(v -> !v.isEmpty()).isEmpty()) {
                        problems.add("'" + option.key() + "' is required when " + SASL_MECHANISM.key() + " is " + m);
                    }
                }
            }
        });
        if (!protocol.usesTls()) {
            for (ConfigOption<?> option : List.of(TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
                    TRUSTSTORE_CERTIFICATES, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD)) {
                if (config.getOptional(option).isPresent()) {
                    problems.add("'" + option.key() + "' is set but " + protocolIs + ": it is only used with "
                            + SECURITY_PROTOCOL.key() + " SSL or SASL_SSL");
                }
            }
            return problems;
        }
        boolean truststoreFile = config.getOptional(TRUSTSTORE_LOCATION).isPresent();
        if (truststoreFile && config.getOptional(TRUSTSTORE_CERTIFICATES).isPresent()) {
            problems.add("set either '" + TRUSTSTORE_LOCATION.key() + "' or '" + TRUSTSTORE_CERTIFICATES.key()
                    + "', not both");
        }
        requires(config, TRUSTSTORE_PASSWORD, TRUSTSTORE_LOCATION, problems);
        requires(config, TRUSTSTORE_TYPE, TRUSTSTORE_LOCATION, problems);
        requires(config, KEYSTORE_PASSWORD, KEYSTORE_LOCATION, problems);
        requires(config, KEYSTORE_TYPE, KEYSTORE_LOCATION, problems);
        requires(config, KEY_PASSWORD, KEYSTORE_LOCATION, problems);
        return problems;
    }

    /**
     * The Kafka client properties of the configured security: {@code security.protocol}, SASL and
     * TLS settings. Applied to every Kafka source the job builds.
     */
    public static Properties clientProperties(ReadableConfig config) {
        Properties properties = new Properties();
        SecurityProtocol protocol = config.get(SECURITY_PROTOCOL);
        properties.setProperty("security.protocol", protocol.name());
        if (protocol.usesSasl()) {
            config.getOptional(SASL_MECHANISM).ifPresent(mechanism -> {
                properties.setProperty("sasl.mechanism", mechanism.toString());
                if (mechanism.usesPassword()) {
                    properties.setProperty("sasl.jaas.config", mechanism.loginModule + " required username=\""
                            + jaasQuoted(config.getOptional(SASL_USERNAME).orElse("")) + "\" password=\""
                            + jaasQuoted(config.getOptional(SASL_PASSWORD).orElse("")) + "\";");
                } else {
                    // The library finds the application's IAM role through the AWS default credentials chain.
                    properties.setProperty("sasl.jaas.config", mechanism.loginModule + " required;");
                    properties.setProperty("sasl.client.callback.handler.class", MSK_IAM_CALLBACK_HANDLER);
                }
            });
        }
        if (protocol.usesTls()) {
            config.getOptional(TRUSTSTORE_LOCATION).ifPresent(v -> properties.setProperty("ssl.truststore.location", v));
            config.getOptional(TRUSTSTORE_PASSWORD).ifPresent(v -> properties.setProperty("ssl.truststore.password", v));
            config.getOptional(TRUSTSTORE_TYPE).ifPresent(v -> properties.setProperty("ssl.truststore.type", v.name()));
            config.getOptional(TRUSTSTORE_CERTIFICATES).ifPresent(v -> {
                properties.setProperty("ssl.truststore.type", StoreType.PEM.name());
                properties.setProperty("ssl.truststore.certificates", v);
            });
            config.getOptional(KEYSTORE_LOCATION).ifPresent(v -> properties.setProperty("ssl.keystore.location", v));
            config.getOptional(KEYSTORE_PASSWORD).ifPresent(v -> properties.setProperty("ssl.keystore.password", v));
            config.getOptional(KEYSTORE_TYPE).ifPresent(v -> properties.setProperty("ssl.keystore.type", v.name()));
            config.getOptional(KEY_PASSWORD).ifPresent(v -> properties.setProperty("ssl.key.password", v));
        }
        return properties;
    }

    /** A JAAS option value inside double quotes: Kafka's parser reads backslash escapes there. */
    static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void requires(ReadableConfig config, ConfigOption<?> option, ConfigOption<?> needed,
            List<String> problems) {
        if (config.getOptional(option).isPresent() && config.getOptional(needed).isEmpty()) {
            problems.add("'" + option.key() + "' is set without '" + needed.key() + "', which it belongs to");
        }
    }

    private static String allowed(Enum<?>[] values) {
        return Arrays.stream(values).map(Object::toString).collect(Collectors.joining(", "));
    }
}
