package dev.lakestream.deploy;

import dev.lakestream.jobs.IngestionPipeline;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/README.md lists every property group the job reads and links to the option table. */
class DeployDocsTest {

    static final Path README = Repo.ROOT.resolve("deploy/README.md");
    private static final Pattern GROUP_ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\|", Pattern.MULTILINE);

    static Set<String> documentedGroups(String readme) {
        int start = readme.indexOf("## The job's configuration: property groups");
        assertThat(start).as("section \"The job's configuration: property groups\"").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        Matcher m = GROUP_ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        Set<String> groups = new TreeSet<>();
        while (m.find()) {
            groups.add(m.group(1));
        }
        return groups;
    }

    static List<String> undocumentedGroups(String readme) {
        Set<String> documented = documentedGroups(readme);
        return IngestionPipeline.options().stream().map(ConfigOption::key).map(k -> k.substring(0, k.indexOf('.')))
                .distinct().filter(g -> !documented.contains(g)).sorted().collect(Collectors.toList());
    }

    @Test
    void everyPropertyGroupOfTheJobIsListed() throws IOException {
        String readme = Files.readString(README);

        assertThat(undocumentedGroups(readme)).isEmpty();
        assertThat(readme).contains("(../README.md#configuration)");
        assertThat(Files.readString(Repo.ROOT.resolve("README.md"))).contains("\n## Configuration\n");
    }

    @Test
    void aMissingGroupIsReported() throws IOException {
        String broken = Files.readString(README).replace("| `watermarks` |", "| watermarks |");

        assertThat(undocumentedGroups(broken)).containsExactly("watermarks");
    }
}
