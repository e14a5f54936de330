package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Options of the Kinesis-to-bronze ingestion. Property group {@code kinesis} on MSF. */
public final class KinesisBronzeOptions {

    /** Where a shard is read from when there is no checkpoint or savepoint to restore it from. */
    public enum InitialPosition {
        /** The oldest record still in the stream: a first start drops nothing. */
        TRIM_HORIZON,
        /** Only records put after the source started. */
        LATEST,
        /** The first record that arrived at or after {@code kinesis.initial-timestamp}. */
        AT_TIMESTAMP
    }

    /** The form every stream ARN must have. */
    public static final String ARN_FORM = "arn:aws:kinesis:<region>:<account>:stream/<name>";

    private static final Pattern ARN =
            Pattern.compile("arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\\d{12}):stream/([A-Za-z0-9_.-]{1,128})");

    public static final ConfigOption<List<String>> STREAMS =
            ConfigOptions.key("kinesis.streams")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Stream ARNs to ingest (" + ARN_FORM + "), separated by ';'. Each stream lands in its own"
                                    + " bronze table bronze.kinesis_<stream name>. Optional: no Kinesis ingestion when absent.");

    public static final ConfigOption<String> REGION =
            ConfigOptions.key("kinesis.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "AWS region of the Kinesis endpoint, e.g. eu-west-1. Default: the region in each stream's ARN.");

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("kinesis.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Endpoint URI overriding the region's Kinesis endpoint, for Kinesis-compatible local servers"
                                    + " (e.g. http://127.0.0.1:4568) or VPC endpoints. Default: the region's endpoint.");

    public static final ConfigOption<InitialPosition> INITIAL_POSITION =
            ConfigOptions.key("kinesis.initial-position")
                    .enumType(InitialPosition.class)
                    .defaultValue(InitialPosition.TRIM_HORIZON)
                    .withDescription(
                            "Where to start reading when there is no checkpoint or savepoint to restore from: TRIM_HORIZON"
                                    + " (oldest record kept, so a first start drops nothing), LATEST or AT_TIMESTAMP."
                                    + " Ignored on restore. Shards that appear later (resharding) are always read from"
                                    + " their start.");

    public static final ConfigOption<String> INITIAL_TIMESTAMP =
            ConfigOptions.key("kinesis.initial-timestamp")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Start time when kinesis.initial-position is AT_TIMESTAMP (replays and backfills): ISO-8601"
                                    + " with an offset, e.g. 2026-11-20T10:15:30Z or 2026-11-20T11:15:30+01:00, or epoch"
                                    + " milliseconds.");

    public static final ConfigOption<String> ACCESS_KEY_ID =
            ConfigOptions.key("kinesis.access-key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Static AWS access key id, together with kinesis.secret-access-key. Default: the AWS default"
                                    + " credential chain (on MSF, the application's IAM role).");

    public static final ConfigOption<String> SECRET_ACCESS_KEY =
            ConfigOptions.key("kinesis.secret-access-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Static AWS secret access key, together with kinesis.access-key-id. Never logged.");

    public static final ConfigOption<Duration> SHARD_DISCOVERY_INTERVAL =
            ConfigOptions.key("kinesis.shard-discovery-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often new shards (after a resharding) are looked for. Must be positive: the source"
                                    + " always discovers, and each discovery is one ListShards call. A start without a"
                                    + " checkpoint reads its first records up to one interval after start: the shards"
                                    + " found at start are assigned at the next discovery.");

    private KinesisBronzeOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(
                STREAMS,
                REGION,
                ENDPOINT,
                INITIAL_POSITION,
                INITIAL_TIMESTAMP,
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                SHARD_DISCOVERY_INTERVAL);
    }

    /** The configured stream ARNs, trimmed, blanks and repeats dropped; empty when Kinesis is not configured. */
    public static List<String> streams(ReadableConfig config) {
        return config.getOptional(STREAMS).orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .distinct()
                .collect(Collectors.toList());
    }

    /** Cross-field rules, for {@link PipelineConfig#check}. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        for (String arn : streams(config)) {
            if (!ARN.matcher(arn).matches()) {
                problems.add("invalid stream ARN '" + arn + "' in key '" + STREAMS.key() + "': expected " + ARN_FORM);
            }
        }
        config.getOptional(REGION)
                .filter(String::isBlank)
                .ifPresent(r -> problems.add("invalid value for key '" + REGION.key() + "': must not be blank"));
        config.getOptional(ENDPOINT).ifPresent(endpoint -> endpointProblem(endpoint).ifPresent(problems::add));
        Optional<String> timestamp = config.getOptional(INITIAL_TIMESTAMP);
        if (config.get(INITIAL_POSITION) == InitialPosition.AT_TIMESTAMP && timestamp.isEmpty()) {
            problems.add(PipelineConfig.missing(INITIAL_TIMESTAMP, "when kinesis.initial-position is AT_TIMESTAMP"));
        }
        timestamp.ifPresent(t -> {
            try {
                parseTimestamp(t);
            } catch (IllegalArgumentException e) {
                problems.add("invalid value '" + t + "' for key '" + INITIAL_TIMESTAMP.key() + "': " + e.getMessage());
            }
        });
        boolean hasKeyId = config.getOptional(ACCESS_KEY_ID).isPresent();
        boolean hasSecret = config.getOptional(SECRET_ACCESS_KEY).isPresent();
        if (hasKeyId != hasSecret) {
            problems.add("'" + ACCESS_KEY_ID.key() + "' and '" + SECRET_ACCESS_KEY.key()
                    + "' go together: set both for static credentials, or neither for the default AWS credential chain");
        }
        Duration interval = config.get(SHARD_DISCOVERY_INTERVAL);
        if (interval.isNegative() || interval.isZero()) {
            problems.add("invalid value for key '" + SHARD_DISCOVERY_INTERVAL.key() + "': must be positive");
        }
        return problems;
    }

    /** The stream name in an ARN of the form {@value #ARN_FORM}. */
    /** Whether {@code arn} has the form {@link #ARN_FORM}. */
    public static boolean isStreamArn(String arn) {
        return ARN.matcher(arn.trim()).matches();
    }

    public static String streamName(String arn) {
        return parse(arn).group(4);
    }

    /** The region in an ARN of the form {@value #ARN_FORM}. */
    public static String region(String arn) {
        return parse(arn).group(2);
    }

    /** {@link #INITIAL_TIMESTAMP} as an instant; absent unless configured. */
    public static Optional<Instant> initialTimestamp(ReadableConfig config) {
        return config.getOptional(INITIAL_TIMESTAMP).map(KinesisBronzeOptions::parseTimestamp);
    }

    /** ISO-8601 with an offset, or epoch milliseconds. */
    static Instant parseTimestamp(String value) {
        String v = value.trim();
        if (v.matches("\\d{1,15}")) {
            return Instant.ofEpochMilli(Long.parseLong(v));
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "expected ISO-8601 with an offset such as 2026-11-20T10:15:30Z, or epoch milliseconds", e);
        }
    }

    private static Optional<String> endpointProblem(String endpoint) {
        String expected = "expected an http or https URI such as https://kinesis.eu-west-1.amazonaws.com";
        URI uri;
        try {
            uri = new URI(endpoint.trim());
        } catch (URISyntaxException e) {
            return Optional.of(invalidEndpoint(endpoint, expected + " (" + e.getMessage() + ")"));
        }
        boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
        return http && uri.getHost() != null ? Optional.empty() : Optional.of(invalidEndpoint(endpoint, expected));
    }

    private static String invalidEndpoint(String endpoint, String why) {
        return "invalid value '" + endpoint + "' for key '" + ENDPOINT.key() + "': " + why;
    }

    private static Matcher parse(String arn) {
        Matcher m = ARN.matcher(arn.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid Kinesis stream ARN '" + arn + "': expected " + ARN_FORM);
        }
        return m;
    }
}
