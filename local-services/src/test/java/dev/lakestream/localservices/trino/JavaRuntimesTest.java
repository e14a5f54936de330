package dev.lakestream.localservices.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimesTest {

  @TempDir
  Path dir;

  @AfterEach
  void clearOverride() {
    System.clearProperty(Settings.TRINO_JAVA_HOME);
  }

  @Test
  void featureVersionsOfTheReleaseFileForms() {
    assertThat(JavaRuntimes.feature("25.0.3")).isEqualTo(25);
    assertThat(JavaRuntimes.feature("24")).isEqualTo(24);
    assertThat(JavaRuntimes.feature("17.0.15+6")).isEqualTo(17);
    assertThat(JavaRuntimes.feature("1.8.0_412")).isEqualTo(8);
  }

  @Test
  void aJavaHomeNeedsAnExecutableJavaAndAReleaseFile() throws IOException {
    Path home = fakeHome("jdk-25", "25.0.3");
    assertThat(JavaRuntimes.inspect(home)).hasToString(home + " (Java 25)");
    assertThat(JavaRuntimes.inspect(dir.resolve("nothing"))).isNull();
    Files.delete(home.resolve("release"));
    assertThat(JavaRuntimes.inspect(home)).isNull();
  }

  @Test
  void anOverrideTooOldFailsSayingWhatToInstall() throws IOException {
    System.setProperty(Settings.TRINO_JAVA_HOME, fakeHome("jdk-17", "17.0.15").toString());
    assertThatThrownBy(() -> JavaRuntimes.find(24, "Trino 476")).isInstanceOf(ServiceStartException.class)
        .hasMessageContaining("Trino 476 needs Java 24 or newer").hasMessageContaining("(Java 17)")
        .hasMessageContaining("temurin-25-jdk");
  }

  @Test
  void anOverrideNewEnoughIsTaken() throws IOException {
    Path home = fakeHome("jdk-24", "24.0.1");
    System.setProperty(Settings.TRINO_JAVA_HOME, home.toString());
    assertThat(JavaRuntimes.find(24, "Trino").home).isEqualTo(home);
  }

  private Path fakeHome(String name, String version) throws IOException {
    Path home = dir.resolve(name);
    Path java = home.resolve("bin").resolve("java");
    Files.createDirectories(java.getParent());
    Files.write(java, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.write(home.resolve("release"), ("IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n")
        .getBytes(StandardCharsets.UTF_8));
    return home;
  }
}
