package dev.lakestream.deploy;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.lakestream.deploy.CloudFormationTemplate.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/scripts: syntax, shellcheck, --help, the AWS CLI and kubectl calls of their dry runs, and
 * (with stub aws/kubectl on the PATH) the configuration backfill.sh really hands over.
 */
class ScriptsTest {

    static final Path SCRIPTS = Repo.ROOT.resolve("deploy/scripts");
    static final Path DOCKER_PIPELINE = Repo.ROOT.resolve("deploy/docker/pipeline.properties");

    record Result(int exit, String stdout, String stderr) {}

    static Result run(Map<String, String> env, Path dir, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(Arrays.toString(command) + " did not end within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result script(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(name).toString()));
        command.addAll(List.of(args));
        return run(Map.of(), Repo.ROOT, command.toArray(new String[0]));
    }

    static List<Path> shellScripts() throws IOException {
        try (Stream<Path> files = Files.walk(Repo.ROOT.resolve("deploy"))) {
            return files.filter(p -> p.toString().endsWith(".sh"))
                    .filter(p -> !Repo.ROOT.resolve("deploy").relativize(p).startsWith("target"))
                    .sorted().collect(Collectors.toList());
        }
    }

    // ------------------------------------------------------------------ static checks

    @Test
    void everyScriptIsValidBashAndShellcheckClean() throws Exception {
        List<Path> scripts = shellScripts();
        assertThat(scripts).extracting(p -> p.getFileName().toString())
                .contains("deploy.sh", "upgrade.sh", "backfill.sh", "lib.sh");
        for (Path script : scripts) {
            Result syntax = run(Map.of(), Repo.ROOT, "bash", "-n", script.toString());
            assertThat(syntax.exit()).as("bash -n " + script + ": " + syntax.stderr()).isZero();
            Result lint = shellcheck(script);
            assertThat(lint.exit()).as("shellcheck " + script + ":\n" + lint.stdout()).isZero();
        }
    }

    @Test
    void syntaxErrorsAndShellcheckFindingsAreReported(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.sh");
        Files.writeString(broken, Files.readString(SCRIPTS.resolve("deploy.sh")).replace("esac\n", "esac\nif then\n"));
        assertThat(run(Map.of(), dir, "bash", "-n", broken.toString()).exit()).isNotZero();

        Path unquoted = dir.resolve("unquoted.sh");
        Files.writeString(unquoted, "#!/usr/bin/env bash\nset -euo pipefail\ntarget=\"$1\"\nrm -rf $target/*\n");
        Result lint = shellcheck(unquoted);
        assertThat(lint.exit()).isNotZero();
        assertThat(lint.stdout()).contains("SC2086");
    }

    private static Result shellcheck(Path script) throws Exception {
        try {
            return run(Map.of(), script.getParent(), "shellcheck", "-x", script.getFileName().toString());
        } catch (IOException e) {
            throw new AssertionError("shellcheck is not installed (the deploy build installs Debian's package when it runs as"
                    + " root with apt-get): sudo apt-get install -y shellcheck, or brew install shellcheck", e);
        }
    }

    @Test
    void helpDescribesTheCalls() throws Exception {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("deploy.sh", List.of("aws cloudformation deploy", "aws kinesisanalyticsv2 start-application", "kubectl apply"));
        expected.put("upgrade.sh", List.of("aws kinesisanalyticsv2 update-application", "--run-configuration-update",
                "create-application-snapshot", "kubectl patch flinkdeployment"));
        expected.put("backfill.sh", List.of("aws kinesisanalyticsv2 create-application", "kafka.starting-offsets=TIMESTAMP",
                "kafka.stopping-offsets=TIMESTAMP", "sink.branch", "--set KEY=VALUE"));
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            Result help = script(e.getKey(), "--help");
            assertThat(help.exit()).as(e.getKey() + " --help").isZero();
            assertThat(help.stdout()).as(e.getKey()).startsWith("Usage: " + e.getKey()).contains(e.getValue());
        }
    }

    // ------------------------------------------------------------------ dry runs

    @Test
    void deployDryRunPrintsTheStackDeployAndTheStart() throws Exception {
        Result msf = script("deploy.sh", "--target", "msf", "--jar", "/tmp/flink-jobs-1.0-application.jar", "--jar-bucket", "jars",
                "--parameter", "KafkaTopics=orders;clicks", "--region", "eu-west-1", "--dry-run");

        assertThat(msf.exit()).as(msf.stderr()).isZero();
        assertThat(lines(msf.stdout())).containsSubsequence(
                "+ aws --region eu-west-1 s3 cp /tmp/flink-jobs-1.0-application.jar s3://jars/lakestream/jars/flink-jobs-1.0-application.jar",
                "+ aws --region eu-west-1 cloudformation deploy --template-file " + Repo.ROOT.resolve("deploy/cloudformation/lakestream.yaml")
                        + " --stack-name lakestream --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset --parameter-overrides"
                        + " JarBucketName=jars JarKeyPrefix=lakestream/jars/ JarFileName=flink-jobs-1.0-application.jar 'KafkaTopics=orders;clicks'",
                "+ aws --region eu-west-1 kinesisanalyticsv2 start-application --application-name '<application-name>' --run-configuration"
                        + " '{\"ApplicationRestoreConfiguration\":{\"ApplicationRestoreType\":\"RESTORE_FROM_LATEST_SNAPSHOT\"}}'");
        assertThat(script("deploy.sh", "--target", "msf", "--jar", "x.jar", "--jar-bucket", "jars", "--restore", "skip", "--dry-run")
                .stdout()).contains("SKIP_RESTORE_FROM_SNAPSHOT");

        Result k8s = script("deploy.sh", "--target", "k8s", "--namespace", "data", "--dry-run");
        assertThat(k8s.stdout()).contains("+ kubectl apply --namespace data -f "
                + Repo.ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"));
    }

    @Test
    void upgradeDryRunSnapshotsThenUpdatesTheCodeRestoringState() throws Exception {
        Result latest = script("upgrade.sh", "--target", "msf", "--application", "lakestream", "--jar", "/tmp/flink-jobs-2.0-application.jar",
                "--jar-bucket", "jars", "--dry-run");

        assertThat(latest.exit()).as(latest.stderr()).isZero();
        List<String> calls = lines(latest.stdout());
        assertThat(calls.get(0)).isEqualTo("+ aws s3 cp /tmp/flink-jobs-2.0-application.jar s3://jars/lakestream/jars/flink-jobs-2.0-application.jar");
        assertThat(calls.get(1)).startsWith("+ aws kinesisanalyticsv2 create-application-snapshot --application-name lakestream --snapshot-name pre-upgrade-");
        String update = calls.stream().filter(c -> c.contains("update-application")).findFirst().orElseThrow();
        assertThat(update).contains("--current-application-version-id '<current-application-version-id>'");
        JsonNode code = json(argument(update, "--application-configuration-update"));
        assertThat(code.at("/ApplicationCodeConfigurationUpdate/CodeContentUpdate/S3ContentLocationUpdate/FileKeyUpdate").asText())
                .isEqualTo("lakestream/jars/flink-jobs-2.0-application.jar");
        assertThat(code.at("/ApplicationCodeConfigurationUpdate/CodeContentUpdate/S3ContentLocationUpdate/BucketARNUpdate").asText())
                .isEqualTo("arn:aws:s3:::jars");
        JsonNode run = json(argument(update, "--run-configuration-update"));
        assertThat(run.at("/ApplicationRestoreConfiguration/ApplicationRestoreType").asText()).isEqualTo("RESTORE_FROM_LATEST_SNAPSHOT");
        assertThat(run.at("/FlinkRunConfiguration/AllowNonRestoredState").asBoolean()).isFalse();

        Result named = script("upgrade.sh", "--target", "msf", "--application", "lakestream", "--jar", "old.jar", "--jar-bucket", "jars",
                "--restore", "snapshot:pre-upgrade-20260101-000000", "--no-snapshot-before", "--dry-run");
        assertThat(named.stdout()).doesNotContain("create-application-snapshot");
        JsonNode restore = json(argument(lines(named.stdout()).stream().filter(c -> c.contains("update-application")).findFirst().orElseThrow(),
                "--run-configuration-update"));
        assertThat(restore.at("/ApplicationRestoreConfiguration/ApplicationRestoreType").asText()).isEqualTo("RESTORE_FROM_CUSTOM_SNAPSHOT");
        assertThat(restore.at("/ApplicationRestoreConfiguration/SnapshotName").asText()).isEqualTo("pre-upgrade-20260101-000000");

        Result k8s = script("upgrade.sh", "--target", "k8s", "--image", "registry.example.com/lakestream:0.2.0", "--dry-run");
        assertThat(lines(k8s.stdout())).containsExactly(
                "+ kubectl patch flinkdeployment lakestream --namespace default --type merge -p '{\"spec\":{\"image\":\"registry.example.com/lakestream:0.2.0\"}}'",
                "+ kubectl wait flinkdeployment/lakestream --namespace default '--for=jsonpath={.status.lifecycleState}=STABLE' --timeout=15m");
    }

    @Test
    void badArgumentsStopWithTheOptionNamed() throws Exception {
        Result missing = script("upgrade.sh", "--target", "msf", "--application", "a", "--jar", "x.jar", "--dry-run");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.stderr()).contains("--jar-bucket is required");

        Result restore = script("deploy.sh", "--target", "msf", "--jar-bucket", "b", "--restore", "newest", "--dry-run");
        assertThat(restore.exit()).isEqualTo(2);
        assertThat(restore.stderr()).contains("--restore must be latest, skip or snapshot:<name>, not 'newest'");

        Result unpinned = script("upgrade.sh", "--target", "k8s", "--image", "registry.example.com/lakestream:latest", "--dry-run");
        assertThat(unpinned.exit()).isEqualTo(2);
        assertThat(unpinned.stderr()).contains("pinned tag");

        assertThat(script("backfill.sh", "--target", "msf", "--config", DOCKER_PIPELINE.toString(), "--id", "Jan!", "--dry-run").stderr())
                .contains("--id must be");
    }

    // ------------------------------------------------------------------ backfill, with stub CLIs

    @Test
    void backfillOnMsfCreatesAnApplicationWhoseConfigurationTheJobAccepts(@TempDir Path dir) throws Exception {
        Result result = withStubs(dir, "backfill.sh", "--target", "msf", "--config", DOCKER_PIPELINE.toString(), "--id", "jan",
                "--application", "lakestream", "--from", "1767225600000", "--set", "kafka.stopping-offsets=LATEST");

        assertThat(result.exit()).as(result.stderr()).isZero();
        List<List<String>> calls = calls(dir);
        List<String> create = calls.stream().filter(c -> c.contains("create-application")).findFirst().orElseThrow();
        assertThat(create).containsSubsequence("--application-name", "lakestream-backfill-jan", "--runtime-environment", "FLINK-1_20",
                "--service-execution-role", "arn:aws:iam::123456789012:role/lakestream");
        JsonNode configuration = json(create.get(create.indexOf("--application-configuration") + 1));
        assertThat(configuration.at("/ApplicationCodeConfiguration/CodeContent/S3ContentLocation/FileKey").asText())
                .isEqualTo("lakestream/jars/flink-jobs-0.1.0-application.jar");
        // A bounded run commits once at its end; MSF's DEFAULT would force checkpoints on.
        assertThat(configuration.at("/FlinkApplicationConfiguration/CheckpointConfiguration/ConfigurationType").asText())
                .isEqualTo("CUSTOM");
        assertThat(configuration.at("/FlinkApplicationConfiguration/CheckpointConfiguration/CheckpointingEnabled").asBoolean(true))
                .isFalse();
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (JsonNode group : configuration.at("/EnvironmentProperties/PropertyGroups")) {
            Map<String, String> map = new LinkedHashMap<>();
            group.get("PropertyMap").fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
            groups.put(group.get("PropertyGroupId").asText(), map);
        }

        assertThat(JobConfigs.problemsOfGroups(groups)).isEmpty();
        assertThat(groups.get("pipeline")).containsEntry("name", "lakestream-compose-backfill-jan");
        assertThat(groups.get("kafka")).containsEntry("group-id", "lakestream-bronze-backfill-jan")
                .containsEntry("starting-offsets", "TIMESTAMP").containsEntry("starting-timestamp", "1767225600000");
        assertThat(groups).doesNotContainKey("cdc");
        assertThat(groups.get("catalog")).containsEntry("s3.secret-access-key", "minioadmin");
        assertThat(calls.get(calls.size() - 1)).contains("start-application", "lakestream-backfill-jan",
                "{\"ApplicationRestoreConfiguration\":{\"ApplicationRestoreType\":\"SKIP_RESTORE_FROM_SNAPSHOT\"}}");
        assertThat(result.stderr()).as("secrets never logged").doesNotContain("\"s3.secret-access-key\":\"minioadmin\"");
    }

    @Test
    void backfillPassesExtraKeysThroughAndTheJobJudgesThem(@TempDir Path dir) throws Exception {
        Result result = withStubs(dir, "backfill.sh", "--target", "k8s", "--config", DOCKER_PIPELINE.toString(), "--id", "feb",
                "--image", "registry.example.com/lakestream:0.1.0", "--state-dir", "s3://example/flink/backfill",
                "--set", "kafka.starting-offsets=EARLIEST", "--set", "kafka.stopping-offsets=LATEST", "--set", "kafka.no-such-option=1");

        assertThat(result.exit()).as(result.stderr()).isZero();
        List<Object> documents = Yaml.readAll(Files.readString(dir.resolve("applied.yaml")), "applied.yaml");
        Map<String, Object> secret = KubernetesManifestTest.ofKind(documents, "Secret");
        String properties = String.valueOf(asMap(secret.get("stringData"), "stringData").get("pipeline.properties"));
        assertThat(properties).contains("kafka.starting-offsets=EARLIEST", "kafka.no-such-option=1",
                "pipeline.name=lakestream-compose-backfill-feb", "catalog.s3.secret-access-key=minioadmin")
                .doesNotContain("cdc.");
        // The script knows no option names: the job names the one it does not read.
        assertThat(JobConfigs.problemsOfProperties(properties)).singleElement().asString().contains("unknown key 'kafka.no-such-option'");
        assertThat(JobConfigs.problemsOfProperties(properties.replace("kafka.no-such-option=1\n", ""))).isEmpty();

        Map<String, Object> spec = asMap(KubernetesManifestTest.ofKind(documents, "FlinkDeployment").get("spec"), "spec");
        assertThat(asMap(spec.get("job"), "job")).containsEntry("upgradeMode", "stateless");
        assertThat(Repo.unknownFlinkKeys(asMap(spec.get("flinkConfiguration"), "flink").keySet())).isEmpty();
    }

    @Test
    void backfillDryRunMasksSecrets() throws Exception {
        Result dry = script("backfill.sh", "--target", "k8s", "--config", DOCKER_PIPELINE.toString(), "--id", "mar",
                "--image", "registry.example.com/lakestream:0.1.0", "--state-dir", "s3://example/flink/backfill",
                "--set", "kafka.stopping-offsets=LATEST", "--dry-run");

        assertThat(dry.exit()).as(dry.stderr()).isZero();
        assertThat(dry.stdout()).contains("catalog.s3.secret-access-key=******", "+ kubectl apply --namespace default -f lakestream-backfill-mar.yaml")
                .doesNotContain("secret-access-key=minioadmin");
        Result msf = script("backfill.sh", "--target", "msf", "--config", DOCKER_PIPELINE.toString(), "--id", "mar",
                "--application", "lakestream", "--set", "kafka.stopping-offsets=LATEST", "--dry-run");
        assertThat(msf.stdout()).contains("\"s3.secret-access-key\":\"******\"").doesNotContain("\"s3.secret-access-key\":\"minioadmin\"");
    }

    @Test
    void aBackfillWithoutAnEndIsRefused() throws Exception {
        Result unbounded = script("backfill.sh", "--target", "msf", "--config", DOCKER_PIPELINE.toString(), "--id", "apr",
                "--application", "lakestream", "--dry-run");

        assertThat(unbounded.exit()).isNotZero();
        assertThat(unbounded.stderr()).contains("a backfill must end", "kafka.stopping-offsets");
    }

    /** Runs a script with stub aws and kubectl first on the PATH; each call's arguments land in dir/calls. */
    private static Result withStubs(Path dir, String script, String... args) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("calls"));
        stub(bin.resolve("aws"), "#!/usr/bin/env bash\n"
                + "n=$(ls \"" + dir.resolve("calls") + "\" | wc -l)\n"
                + "printf '%s\\0' \"$@\" > \"" + dir.resolve("calls") + "/$(printf %03d \"$n\")\"\n"
                + "case \"$*\" in\n"
                + "  *ServiceExecutionRole*) echo arn:aws:iam::123456789012:role/lakestream ;;\n"
                + "  *BucketARN*) echo arn:aws:s3:::jars ;;\n"
                + "  *FileKey*) echo lakestream/jars/flink-jobs-0.1.0-application.jar ;;\n"
                + "esac\n");
        stub(bin.resolve("kubectl"), "#!/usr/bin/env bash\n"
                + "while [ $# -gt 0 ]; do if [ \"$1\" = -f ]; then cp \"$2\" \"" + dir.resolve("applied.yaml") + "\"; fi; shift; done\n");
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        return run(Map.of("PATH", bin + ":" + System.getenv("PATH")), dir, command.toArray(new String[0]));
    }

    private static void stub(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static List<List<String>> calls(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("calls"))) {
            List<List<String>> calls = new ArrayList<>();
            for (Path call : files.sorted().collect(Collectors.toList())) {
                String text = new String(Files.readAllBytes(call), StandardCharsets.UTF_8);
                calls.add(Arrays.asList(text.substring(0, text.length() - 1).split("\0", -1)));
            }
            return calls;
        }
    }

    private static List<String> lines(String text) {
        return text.lines().filter(l -> l.startsWith("+ ")).collect(Collectors.toList());
    }

    /** The single-quoted argument after an option in a printed command line. */
    private static String argument(String line, String option) {
        int start = line.indexOf(option + " '") + option.length() + 2;
        return line.substring(start, line.indexOf('\'', start));
    }

    private static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text);
    }
}
