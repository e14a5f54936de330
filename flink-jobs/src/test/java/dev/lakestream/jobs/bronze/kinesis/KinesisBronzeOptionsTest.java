package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KinesisBronzeOptionsTest {

    private static final String ORDERS = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";
    private static final String CLICKS = "arn:aws:kinesis:us-east-1:123456789012:stream/Click.Stream-v1";

    private static PipelineConfig load(Map<String, String> raw) {
        return PipelineConfig.fromMap(raw, KinesisBronzeOptions.all()).check(KinesisBronzeOptions::problems);
    }

    private static Map<String, String> streams(String value) {
        Map<String, String> raw = new HashMap<>();
        raw.put("kinesis.streams", value);
        return raw;
    }

    @Test
    void defaultsStartAtTrimHorizonWithTheDefaultCredentialChain() {
        Configuration config = load(streams(ORDERS + ";" + CLICKS)).configuration();

        assertThat(KinesisBronzeOptions.streams(config)).containsExactly(ORDERS, CLICKS);
        assertThat(config.get(KinesisBronzeOptions.INITIAL_POSITION))
                .isEqualTo(KinesisBronzeOptions.InitialPosition.TRIM_HORIZON);
        assertThat(config.get(KinesisBronzeOptions.SHARD_DISCOVERY_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.getOptional(KinesisBronzeOptions.ACCESS_KEY_ID)).isEmpty();
        assertThat(config.getOptional(KinesisBronzeOptions.REGION)).isEmpty();
    }

    @Test
    void kinesisIsOptional() {
        Configuration config = load(new HashMap<>()).configuration();

        assertThat(KinesisBronzeOptions.streams(config)).isEmpty();
    }

    @Test
    void streamNameAndRegionComeFromTheArn() {
        assertThat(KinesisBronzeOptions.streamName(ORDERS)).isEqualTo("orders");
        assertThat(KinesisBronzeOptions.region(ORDERS)).isEqualTo("eu-west-1");
        assertThat(KinesisBronzeOptions.streamName(CLICKS)).isEqualTo("Click.Stream-v1");
        assertThat(KinesisBronzeOptions.streamName("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/x")).isEqualTo("x");
        assertThatThrownBy(() -> KinesisBronzeOptions.streamName("orders"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arn:aws:kinesis:<region>:<account>:stream/<name>");
    }

    @Test
    void malformedArnNamesTheKeyAndTheExpectedForm() {
        assertThatThrownBy(() -> load(streams(ORDERS + ";orders;arn:aws:kinesis:eu-west-1:123:stream/x")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid stream ARN 'orders' in key 'kinesis.streams'")
                .hasMessageContaining("invalid stream ARN 'arn:aws:kinesis:eu-west-1:123:stream/x'")
                .hasMessageContaining("expected arn:aws:kinesis:<region>:<account>:stream/<name>");
    }

    @Test
    void atTimestampNeedsATimestamp() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.initial-position", "AT_TIMESTAMP");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'kinesis.initial-timestamp' is required when kinesis.initial-position is AT_TIMESTAMP");
    }

    @Test
    void timestampsAreIso8601WithOffsetOrEpochMillis() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.initial-position", "AT_TIMESTAMP");
        raw.put("kinesis.initial-timestamp", "2026-11-20T11:15:30.250+01:00");
        assertThat(KinesisBronzeOptions.initialTimestamp(load(raw).configuration()))
                .contains(Instant.parse("2026-11-20T10:15:30.250Z"));

        raw.put("kinesis.initial-timestamp", "1795176930250");
        assertThat(KinesisBronzeOptions.initialTimestamp(load(raw).configuration()))
                .contains(Instant.ofEpochMilli(1795176930250L));

        raw.put("kinesis.initial-timestamp", "2026-11-20 10:15");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value '2026-11-20 10:15' for key 'kinesis.initial-timestamp'")
                .hasMessageContaining("ISO-8601 with an offset such as 2026-11-20T10:15:30Z, or epoch milliseconds");
    }

    @Test
    void invalidInitialPositionNamesTheAllowedValues() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.initial-position", "EARLIEST");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value 'EARLIEST' for key 'kinesis.initial-position'")
                .hasMessageContaining("TRIM_HORIZON, LATEST, AT_TIMESTAMP");
    }

    @Test
    void accessKeyAndSecretGoTogether() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.access-key-id", "AKIDEXAMPLE");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'kinesis.access-key-id' and 'kinesis.secret-access-key' go together");

        raw.remove("kinesis.access-key-id");
        raw.put("kinesis.secret-access-key", "s3cr3t");
        assertThatThrownBy(() -> load(raw)).hasMessageContaining("go together");

        raw.put("kinesis.access-key-id", "AKIDEXAMPLE");
        assertThat(load(raw).configuration().get(KinesisBronzeOptions.ACCESS_KEY_ID)).isEqualTo("AKIDEXAMPLE");
    }

    @Test
    void discoveryIntervalMustBePositive() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.shard-discovery-interval", "0 s");
        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value for key 'kinesis.shard-discovery-interval': must be positive");

        // Flink's duration syntax has no sign, so a negative value only comes from code.
        Configuration negative = new Configuration();
        negative.set(KinesisBronzeOptions.SHARD_DISCOVERY_INTERVAL, Duration.ofSeconds(-1));
        assertThat(KinesisBronzeOptions.problems(negative))
                .containsExactly("invalid value for key 'kinesis.shard-discovery-interval': must be positive");
    }

    @Test
    void endpointMustBeAnHttpUri() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.endpoint", "127.0.0.1:4568");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value '127.0.0.1:4568' for key 'kinesis.endpoint'");

        raw.put("kinesis.endpoint", "http://127.0.0.1:4568");
        assertThat(load(raw).configuration().get(KinesisBronzeOptions.ENDPOINT)).isEqualTo("http://127.0.0.1:4568");
    }

    @Test
    void describeMasksTheSecretKeyButNotTheKeyId() {
        Map<String, String> raw = streams(ORDERS);
        raw.put("kinesis.access-key-id", "AKIDEXAMPLE");
        raw.put("kinesis.secret-access-key", "wJalrXUtnFEMI");

        String described = load(raw).describe();

        assertThat(PipelineConfig.isSecret(KinesisBronzeOptions.SECRET_ACCESS_KEY.key())).isTrue();
        assertThat(described)
                .contains("kinesis.secret-access-key = ******")
                .contains("kinesis.access-key-id = AKIDEXAMPLE")
                .doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void everyOptionIsDescribed() {
        assertThat(KinesisBronzeOptions.all())
                .allSatisfy(o -> assertThat(o.key()).startsWith("kinesis."))
                .allSatisfy(o -> assertThat(PipelineConfig.descriptionText(o)).isNotBlank());
        assertThat(KinesisBronzeOptions.problems(new Configuration())).isEqualTo(List.of());
    }
}
