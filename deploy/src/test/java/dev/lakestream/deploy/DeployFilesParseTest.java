package dev.lakestream.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every YAML and JSON file under deploy/ and docker-compose.yml parses. */
class DeployFilesParseTest {

    @Test
    void everyYamlAndJsonFileParses() throws Exception {
        List<Path> files = Repo.deployFiles("yaml", "yml", "json");
        assertThat(files).extracting(p -> Repo.ROOT.relativize(p).toString().replace('\\', '/'))
                .contains("deploy/cloudformation/lakestream.yaml", "deploy/kubernetes/flink-deployment.yaml",
                        "deploy/msf-runtime-properties.example.json", "docker-compose.yml");
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                assertThat(Yaml.readAll(file)).as(file.toString()).isNotEmpty().doesNotContainNull();
            } catch (RuntimeException e) {
                failures.add(Repo.ROOT.relativize(file) + ": " + e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void cloudFormationShortTagsBecomeTheLongForm() {
        Object parsed = Yaml.read("a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub '${X}-y'\nd: !If [C, !Ref X, !Ref AWS::NoValue]\n"
                + "e: !Select [1, !Split [':', !Join ['', [a, b]]]]\nf: !Not [!Equals [!Ref X, '']]\n", "tags");

        assertThat(parsed).isEqualTo(Map.of(
                "a", Map.of("Ref", "X"),
                "b", Map.of("Fn::GetAtt", List.of("R", "Arn")),
                "c", Map.of("Fn::Sub", "${X}-y"),
                "d", Map.of("Fn::If", List.of("C", Map.of("Ref", "X"), Map.of("Ref", "AWS::NoValue"))),
                "e", Map.of("Fn::Select", List.of("1", Map.of("Fn::Split", List.of(":", Map.of("Fn::Join", List.of("", List.of("a", "b"))))))),
                "f", Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "X"), ""))))));
    }

    @Test
    void brokenYamlAndDuplicateKeysAreReported(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path template = Repo.ROOT.resolve("deploy/cloudformation/lakestream.yaml");
        Path broken = dir.resolve("broken.yaml");
        // An unbalanced flow sequence, as a bad edit leaves it.
        Files.writeString(broken, Files.readString(template).replace("!If [HasWarehouseBucketName,", "!If [HasWarehouseBucketName"
                + "\n  [,"));
        assertThatThrownBy(() -> Yaml.readAll(broken)).isInstanceOf(RuntimeException.class);

        Path duplicate = dir.resolve("duplicate.yaml");
        Files.writeString(duplicate, Files.readString(template).replace("  LogLevel:\n", "  LogLevel:\n    Type: String\n  LogLevel:\n"));
        assertThatThrownBy(() -> Yaml.readAll(duplicate)).hasMessageContaining("LogLevel");
    }
}
