package dev.lakestream.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.lakestream.deploy.CloudFormationTemplate.asList;
import static dev.lakestream.deploy.CloudFormationTemplate.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/** deploy/cloudformation/lakestream.yaml: references, least privilege, and what the application is given. */
class CloudFormationTemplateTest {

    static final Path TEMPLATE = Repo.ROOT.resolve("deploy/cloudformation/lakestream.yaml");

    private static final Map<String, String> REQUIRED = Map.of(
            "JarBucketName", "example-jars", "JarFileName", "flink-jobs-0.1.0-application.jar");

    static String text() throws IOException {
        return Files.readString(TEMPLATE);
    }

    static CloudFormationTemplate template(String text) {
        return new CloudFormationTemplate(Yaml.read(text, "lakestream.yaml"));
    }

    static Map<String, String> sample(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>(REQUIRED);
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return values;
    }

    private static final String STREAMS = "arn:aws:kinesis:us-east-1:123456789012:stream/fulfillment-events,"
            + "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

    static Map<String, String> everything() {
        return sample("KafkaBootstrapServers", "b-1.example:9098",
                "KafkaTopics", "orders;clickstream", "ClickstreamSource", "clickstream",
                "MskClusterArn", "arn:aws:kafka:us-east-1:123456789012:cluster/shop/0a1b2c3d-4e5f-6789-abcd-ef0123456789-1",
                "KinesisStreamArns", STREAMS, "FulfillmentEventsSource", "fulfillment-events",
                "SubnetIds", "subnet-1,subnet-2", "SecurityGroupIds", "sg-1",
                "SecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:lakestream-AbCdEf",
                "SecretKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "WarehouseBucketName", "example-lakehouse", "CheckpointIntervalMs", "30000");
    }

    static Stream<Arguments> deployments() {
        return Stream.of(
                Arguments.of("Kafka only", sample("KafkaBootstrapServers", "b-1.example:9092",
                        "KafkaTopics", "orders;clickstream", "ClickstreamSource", "clickstream")),
                Arguments.of("Kinesis only", sample("KinesisStreamArns", STREAMS,
                        "FulfillmentEventsSource", "fulfillment-events")),
                Arguments.of("everything", everything()));
    }

    // ------------------------------------------------------------------ references

    @Test
    void everyReferenceNamesSomethingDeclared() throws IOException {
        assertThat(template(text()).unresolvedReferences()).isEmpty();
    }

    @Test
    void aReferenceToNothingIsReported() throws IOException {
        String broken = text()
                .replace("group-id: !Ref KafkaGroupId", "group-id: !Ref KafkaGroup")
                .replace("\"s3://${WarehouseBucket}/warehouse\"", "\"s3://${WarehouseBuckets}/warehouse\"")
                .replace("!GetAtt ApplicationRole.Arn", "!GetAtt AppRole.Arn")
                .replace("- !If\n                - HasVpc", "- !If\n                - HasVPC");

        assertThat(String.join("\n", template(broken).unresolvedReferences()))
                .contains("Ref 'KafkaGroup'", "'${WarehouseBuckets}'", "GetAtt 'AppRole'", "condition 'HasVPC'");
    }

    // ------------------------------------------------------------------ IAM

    @Test
    void everyDataServiceActionIsExplicitAndEveryResourceScoped() throws IOException {
        CloudFormationTemplate template = template(text());

        assertThat(template.leastPrivilegeProblems()).isEmpty();
        List<String> actions = allowedActions(template, sample());
        assertThat(actions).contains("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                "s3:GetBucketLocation", "s3:AbortMultipartUpload", "glue:GetDatabase", "glue:GetTable",
                "glue:GetTables", "glue:CreateTable", "glue:UpdateTable");
    }

    @Test
    void wildcardActionsAndUnscopedResourcesAreReported() throws IOException {
        String broken = text()
                .replace("                  - s3:DeleteObject\n", "                  - s3:*\n")
                .replace("                  - glue:GetTables\n", "                  - glue:Get*\n")
                .replace("                    - kafka-cluster:ReadData\n", "                    - kafka-cluster:*\n")
                .replace("                  Resource: !Ref KinesisStreamArns", "                  Resource: \"*\"")
                .replace("                    - secretsmanager:DescribeSecret\n", "                    - \"*\"\n");

        String problems = String.join("\n", template(broken).leastPrivilegeProblems());

        assertThat(problems).contains("WarehouseObjects: action 's3:*'", "GlueCatalog: action 'glue:Get*'",
                "MskIamReadTopics: action 'kafka-cluster:*'", "ReadKinesisStreams: resource '*'",
                "ReadCredentialsSecret: action '*'");
    }

    @Test
    void optionalGrantsExistOnlyWithTheirInputs() throws IOException {
        CloudFormationTemplate template = template(text());

        List<String> minimal = sids(template, sample());
        assertThat(minimal).contains("ReadApplicationJars", "WarehouseBucket", "WarehouseObjects", "GlueCatalog",
                "FindLogGroup", "WriteApplicationLogs", "PublishMetrics")
                .doesNotContain("ReadKinesisStreams", "MskIamConnect", "MskIamReadTopics", "MskIamConsumerGroup",
                        "ReadCredentialsSecret", "DecryptCredentialsSecret", "VpcNetworkInterfaces");

        Map<String, String> everything = everything();
        assertThat(sids(template, everything)).contains("ReadKinesisStreams", "MskIamConnect", "MskIamReadTopics",
                "MskIamConsumerGroup", "ReadCredentialsSecret", "DecryptCredentialsSecret", "VpcNetworkInterfaces");

        Map<String, Object> statements = statementsBySid(template, everything);
        assertThat(asMap(statements.get("MskIamReadTopics"), "topics").get("Resource"))
                .isEqualTo("arn:aws:kafka:us-east-1:123456789012:topic/shop/0a1b2c3d-4e5f-6789-abcd-ef0123456789-1/*");
        assertThat(asMap(statements.get("MskIamConsumerGroup"), "group").get("Resource"))
                .isEqualTo("arn:aws:kafka:us-east-1:123456789012:group/shop/0a1b2c3d-4e5f-6789-abcd-ef0123456789-1/lakestream-bronze");
        assertThat(asMap(statements.get("ReadKinesisStreams"), "kinesis").get("Resource")).isEqualTo(List.of(
                "arn:aws:kinesis:us-east-1:123456789012:stream/fulfillment-events",
                "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"));
        assertThat(asMap(statements.get("ReadApplicationJars"), "jars").get("Resource"))
                .isEqualTo("arn:aws:s3:::example-jars/lakestream/jars/*");
    }

    // ------------------------------------------------------------------ resources

    @Test
    void declaresTheWarehouseTheDatabasesAndAFlink120ApplicationWithSnapshots() throws IOException {
        CloudFormationTemplate template = template(text());
        Map<String, Object> resources = asMap(template.evaluate(template.resources(), sample()), "resources");

        Map<String, Object> bucket = properties(resources, "WarehouseBucket");
        assertThat(bucket.get("BucketEncryption").toString()).contains("SSEAlgorithm=AES256");
        assertThat(asMap(bucket.get("PublicAccessBlockConfiguration"), "block").values()).containsOnly("true");
        assertThat(bucket).doesNotContainKey("VersioningConfiguration"); // off: deploy/README.md says why

        assertThat(resources.values().stream().map(r -> asMap(r, "r"))
                .filter(r -> "AWS::Glue::Database".equals(r.get("Type")))
                .map(r -> asMap(asMap(r.get("Properties"), "p").get("DatabaseInput"), "input").get("Name")))
                .containsExactlyInAnyOrder("bronze", "silver", "gold");

        Map<String, Object> application = properties(resources, "Application");
        assertThat(application.get("RuntimeEnvironment")).isEqualTo("FLINK-1_20");
        Map<String, Object> configuration = asMap(application.get("ApplicationConfiguration"), "configuration");
        assertThat(configuration.get("ApplicationSnapshotConfiguration")).isEqualTo(Map.of("SnapshotsEnabled", "true"));
        assertThat(configuration.get("ApplicationCodeConfiguration").toString())
                .contains("BucketARN=arn:aws:s3:::example-jars", "FileKey=lakestream/jars/flink-jobs-0.1.0-application.jar");
        Map<String, Object> flink = asMap(configuration.get("FlinkApplicationConfiguration"), "flink");
        assertThat(flink).containsKeys("CheckpointConfiguration", "ParallelismConfiguration", "MonitoringConfiguration");
        assertThat(configuration).doesNotContainKey("VpcConfigurations");

        Map<String, Object> logging = properties(resources, "ApplicationLogging");
        assertThat(logging.get("ApplicationName")).isEqualTo("application");
        assertThat(logging.get("CloudWatchLoggingOption").toString()).contains("log-group:loggroup:log-stream:logstream");
        assertThat(asMap(resources.get("ApplicationLogging"), "logging").get("Type"))
                .isEqualTo("AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption");
    }

    @Test
    void theVpcConfigurationFollowsTheSubnetsParameter() throws IOException {
        CloudFormationTemplate template = template(text());
        Map<String, Object> resources = asMap(template.evaluate(template.resources(),
                sample("SubnetIds", "subnet-1,subnet-2", "SecurityGroupIds", "sg-1")), "resources");

        Object vpc = asMap(properties(resources, "Application").get("ApplicationConfiguration"), "c").get("VpcConfigurations");

        assertThat(vpc).isEqualTo(List.of(Map.of("SubnetIds", List.of("subnet-1", "subnet-2"), "SecurityGroupIds", List.of("sg-1"))));
    }

    // ------------------------------------------------------------------ property groups

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void thePropertyGroupsAreAConfigurationTheJobAccepts(String name, Map<String, String> parameters) throws IOException {
        Map<String, Map<String, String>> groups = propertyGroups(template(text()), parameters);

        assertThat(JobConfigs.problemsOfGroups(groups)).isEmpty();
        assertThat(groups.get("catalog")).containsEntry("type", "GLUE").containsEntry("region", "us-east-1")
                // The bucket resource's Ref (its name), as the evaluator samples it.
                .containsEntry("warehouse", "s3://warehousebucket/warehouse");
        assertThat(groups.get("pipeline")).containsEntry("checkpoint-interval",
                parameters.getOrDefault("CheckpointIntervalMs", "60000") + " ms");
        if (parameters.containsKey("MskClusterArn")) {
            assertThat(groups.get("kafka")).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "AWS_MSK_IAM");
        } else if (groups.containsKey("kafka")) {
            assertThat(groups.get("kafka")).doesNotContainKeys("security.protocol", "sasl.mechanism");
        }
    }

    @Test
    void aKeyTheJobDoesNotReadIsReported() throws IOException {
        Map<String, String> kafka = sample("KafkaBootstrapServers", "b-1:9092", "KafkaTopics", "orders");
        String broken = text().replace("                  group-id: !Ref KafkaGroupId", "                  group.id: !Ref KafkaGroupId");

        assertThat(JobConfigs.problemsOfGroups(propertyGroups(template(broken), kafka)))
                .anySatisfy(p -> assertThat(p).contains("unknown key 'kafka.group.id'"));
        // No source at all: the job's cross-field checks run too.
        assertThat(JobConfigs.problemsOfGroups(propertyGroups(template(text()), sample())))
                .anySatisfy(p -> assertThat(p).contains("no source configured"));
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Map<String, String>> propertyGroups(CloudFormationTemplate template, Map<String, String> parameters) {
        Map<String, Object> application = asMap(template.evaluate(template.resource("Application"), parameters), "Application");
        Map<String, Object> environment = asMap(asMap(asMap(application.get("Properties"), "Properties")
                .get("ApplicationConfiguration"), "ApplicationConfiguration").get("EnvironmentProperties"), "EnvironmentProperties");
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (Object group : asList(environment.get("PropertyGroups"), "PropertyGroups")) {
            Map<String, Object> g = asMap(group, "PropertyGroup");
            Map<String, String> map = new LinkedHashMap<>();
            asMap(g.get("PropertyMap"), "PropertyMap").forEach((k, v) -> map.put(k, String.valueOf(v)));
            assertThat(map).as("group " + g.get("PropertyGroupId") + " has properties").isNotEmpty();
            groups.put(String.valueOf(g.get("PropertyGroupId")), map);
        }
        return groups;
    }

    private static Map<String, Object> properties(Map<String, Object> resources, String id) {
        return asMap(asMap(resources.get(id), id).get("Properties"), id + ".Properties");
    }

    private static List<Object> statements(CloudFormationTemplate template, Map<String, String> parameters) {
        Map<String, Object> role = properties(asMap(template.evaluate(template.resources(), parameters), "r"), "ApplicationRole");
        Map<String, Object> policy = asMap(asList(role.get("Policies"), "Policies").get(0), "policy");
        return List.copyOf(asList(asMap(policy.get("PolicyDocument"), "document").get("Statement"), "Statement"));
    }

    private static List<String> sids(CloudFormationTemplate template, Map<String, String> parameters) {
        return statements(template, parameters).stream().map(s -> String.valueOf(asMap(s, "s").get("Sid")))
                .collect(Collectors.toList());
    }

    private static Map<String, Object> statementsBySid(CloudFormationTemplate template, Map<String, String> parameters) {
        Map<String, Object> bySid = new LinkedHashMap<>();
        statements(template, parameters).forEach(s -> bySid.put(String.valueOf(asMap(s, "s").get("Sid")), s));
        return bySid;
    }

    private static List<String> allowedActions(CloudFormationTemplate template, Map<String, String> parameters) {
        return statements(template, parameters).stream()
                .flatMap(s -> {
                    Object a = asMap(s, "s").get("Action");
                    return a instanceof List ? ((List<?>) a).stream().map(String::valueOf) : Stream.of(String.valueOf(a));
                })
                .collect(Collectors.toList());
    }
}
