package dev.lakestream.localservices.trino;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least some feature version: Trino needs a newer one than the JDK 17
 * that builds and tests this project. Internal: not part of the API.
 */
final class JavaRuntimes {
  /** What to install where none is found; Debian 12 has no package of a JDK that new. */
  static final String INSTALL_HINT = "Install Eclipse Temurin 25 (the Debian package temurin-25-jdk from Adoptium's "
      + "apt repository puts it in /usr/lib/jvm/temurin-25-jdk-amd64; Debian 12 itself ships no JDK newer than 17), "
      + "or point system property " + Settings.TRINO_JAVA_HOME + " at any JDK or JRE of that version or newer.";

  private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([0-9][^\"\\s]*)\"?");
  private static final List<Path> SEARCHED = List.of(Paths.get("/usr/lib/jvm"), Paths.get("/usr/java"), Paths.get("/opt/java"));

  /** A Java home and its feature version (25 for 25.0.3). */
  static final class JavaHome {
    final Path home;
    final int feature;

    JavaHome(Path home, int feature) {
      this.home = home;
      this.feature = feature;
    }

    Path java() {
      return home.resolve("bin").resolve("java");
    }

    @Override
    public String toString() {
      return home + " (Java " + feature + ")";
    }
  }

  private JavaRuntimes() {}

  /**
   * The Java home of {@link Settings#TRINO_JAVA_HOME} when set (it must be new enough), else the
   * newest one of at least {@code minimum} among this JVM's, JAVA_HOME and the dirs under
   * /usr/lib/jvm, /usr/java and /opt/java.
   *
   * @throws ServiceStartException naming what was found and what to install
   */
  static JavaHome find(int minimum, String forWhat) {
    String configured = Settings.get(Settings.TRINO_JAVA_HOME, null);
    if (configured != null) {
      JavaHome home = inspect(Paths.get(configured));
      if (home == null || home.feature < minimum) {
        throw new ServiceStartException(forWhat + " needs Java " + minimum + " or newer, but system property "
            + Settings.TRINO_JAVA_HOME + " points at " + (home == null ? configured + ", which is no Java home "
            + "(no bin/java and release file)" : home) + ". " + INSTALL_HINT);
      }
      return home;
    }
    List<JavaHome> found = candidates();
    JavaHome best = null;
    for (JavaHome home : found) {
      if (home.feature >= minimum && (best == null || home.feature > best.feature)) {
        best = home;
      }
    }
    if (best == null) {
      throw new ServiceStartException(forWhat + " needs Java " + minimum + " or newer and none was found (looked in "
          + SEARCHED + ", JAVA_HOME and this JVM; found " + (found.isEmpty() ? "none" : found) + "). " + INSTALL_HINT);
    }
    return best;
  }

  static List<JavaHome> candidates() {
    Set<Path> homes = new LinkedHashSet<>();
    homes.add(Paths.get(System.getProperty("java.home")));
    String env = System.getenv("JAVA_HOME");
    if (env != null && !env.isBlank()) {
      homes.add(Paths.get(env));
    }
    for (Path dir : SEARCHED) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> children = Files.list(dir)) {
          children.sorted().forEach(homes::add);
        } catch (IOException e) {
          // An unreadable dir holds nothing we could run.
        }
      }
    }
    List<JavaHome> found = new ArrayList<>();
    Set<Path> seen = new LinkedHashSet<>();
    for (Path home : homes) {
      JavaHome inspected = inspect(home);
      // Debian's /usr/lib/jvm has symlinks to the same JDK under several names.
      if (inspected != null && seen.add(realPath(inspected.home))) {
        found.add(inspected);
      }
    }
    return found;
  }

  /** The Java home at {@code home}, from its {@code release} file; null when it is none. */
  static JavaHome inspect(Path home) {
    Path release = home.resolve("release");
    if (!Files.isExecutable(home.resolve("bin").resolve("java")) || !Files.isRegularFile(release)) {
      return null;
    }
    try {
      Matcher version = JAVA_VERSION.matcher(new String(Files.readAllBytes(release), StandardCharsets.UTF_8));
      return version.find() ? new JavaHome(home, feature(version.group(1))) : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** 25 for "25.0.3", 24 for "24", 8 for "1.8.0_412". */
  static int feature(String version) {
    String[] parts = version.split("[._+-]");
    int first = Integer.parseInt(parts[0]);
    return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }
}
