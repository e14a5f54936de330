package dev.lakestream.localservices.trino;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tarball laid out as Trino's: a top dir, plugins whose jars are hard links to files of lib/ and
 * of plugins extracted or not, one name longer than the 100 bytes of a tar header (the ustar prefix
 * field, a GNU long-name record or a pax header, by format). Built with GNU tar.
 */
class TarGzTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"ustar", "gnu", "pax"})
  void extractsTheWantedEntriesWithTheFilesTheirHardLinksPointAtAndNothingElse(String format) throws Exception {
    Path top = dir.resolve("src").resolve("server-1");
    String longName = "plugin/wanted/" + "a-rather-long-directory-name/".repeat(4) + "1.0.jar";
    write(top.resolve("lib/core.jar"), "core");
    write(top.resolve("plugin/other/shared.jar"), "shared");
    write(top.resolve("plugin/other/only-other.jar"), "other");
    write(top.resolve("plugin/wanted/own.jar"), "own");
    write(top.resolve(longName), "long");
    Files.createLink(top.resolve("plugin/wanted/core.jar"), top.resolve("lib/core.jar"));
    Files.createLink(top.resolve("plugin/wanted/shared.jar"), top.resolve("plugin/other/shared.jar"));
    Files.createLink(top.resolve("plugin/unwanted-too.jar"), top.resolve("plugin/other/only-other.jar"));
    Path tarball = dir.resolve("server-1.tar.gz");
    // --sort=name: links come after their targets, as in Trino's tarball (plugin/other before plugin/wanted).
    Process tar = new ProcessBuilder("tar", "--sort=name", "--format=" + format, "-czf", tarball.toString(), "-C",
        top.getParent().toString(), "server-1").redirectErrorStream(true).start();
    assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

    Path target = dir.resolve("out");
    int files = TarGz.extract(tarball, target, name -> name.startsWith("lib/") || name.startsWith("plugin/wanted/"));

    assertThat(files).isEqualTo(5);
    assertThat(tree(target)).containsExactly("lib/core.jar", longName, "plugin/wanted/core.jar", "plugin/wanted/own.jar",
        "plugin/wanted/shared.jar");
    assertThat(read(target.resolve("plugin/wanted/shared.jar"))).isEqualTo("shared");
    assertThat(read(target.resolve("plugin/wanted/core.jar"))).isEqualTo("core");
    assertThat(read(target.resolve(longName))).isEqualTo("long");
    assertThat(Files.exists(target.resolve("plugin/other"))).as("no dir left of the link targets' plugin").isFalse();
  }

  @Test
  void relativeNamesDropTheTopDirectory() {
    assertThat(TarGz.relative("trino-server-476/lib/x.jar")).isEqualTo("lib/x.jar");
    assertThat(TarGz.relative("trino-server-476/")).isEmpty();
    assertThat(TarGz.relative("README")).isEmpty();
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static List<String> tree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted()
          .collect(Collectors.toList());
    }
  }
}
