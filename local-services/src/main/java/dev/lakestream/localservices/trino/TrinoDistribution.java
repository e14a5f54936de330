package dev.lakestream.localservices.trino;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.Files2;
import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of Trino's server tarball that the Iceberg connector needs ({@code lib/} and
 * {@code plugin/iceberg/}, ~190 MB of the 821 MB), extracted once per machine into a cache dir that
 * {@code mvn clean} keeps. Internal: not part of the API.
 */
final class TrinoDistribution {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoDistribution.class);
  private static final String NAME = "Trino";
  /** Written last: its presence means the extraction finished. */
  static final String MARKER = ".lakestream-extracted";
  static final String PLUGIN = "iceberg";

  private TrinoDistribution() {}

  /** The install dir (holding lib/ and plugin/iceberg/), extracting the tarball first if needed. */
  static Path install() {
    Path home = Settings.trinoHome().toAbsolutePath();
    Path tarball = Settings.trinoTarball();
    if (Files.isRegularFile(home.resolve(MARKER))) {
      return home;
    }
    if (!Files.isRegularFile(tarball)) {
      String version = Settings.trinoVersion();
      throw new ServiceStartException(NAME + ": server tarball not found at " + tarball + ". The local-services build "
          + "fetches io.trino:trino-server:" + version + ":tar.gz (821 MB) from Maven Central into the local repository "
          + "(mvn -pl local-services generate-resources, or mvn dependency:get -Dartifact=io.trino:trino-server:"
          + version + ":tar.gz -Dtransitive=false); or point system property " + Settings.TRINO_TARBALL
          + " at that file, or " + Settings.TRINO_HOME + " at an extracted copy.");
    }
    // One extraction per machine at a time: a second JVM waits for the first and then reuses its result.
    synchronized (TrinoDistribution.class) {
      try {
        Files.createDirectories(home.getParent());
        Path lockFile = home.resolveSibling(home.getFileName() + ".lock");
        // Closing the channel releases the lock.
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          channel.lock();
          if (Files.isRegularFile(home.resolve(MARKER))) {
            return home;
          }
          extract(tarball, home);
          return home;
        }
      } catch (IOException e) {
        throw new ServiceStartException(NAME + ": could not extract " + tarball + " into " + home + ": " + e
            + ". Check the free space there (about 200 MB), or point system property " + Settings.TRINO_HOME
            + " elsewhere.", e);
      }
    }
  }

  private static void extract(Path tarball, Path home) throws IOException {
    long begin = System.nanoTime();
    // Beside the target and moved in at the end, so no one ever sees half an install.
    Path staging = home.resolveSibling("." + home.getFileName() + "-" + Long.toString(
        ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36));
    LOG.info("Extracting lib/ and plugin/{}/ of {} into {} (once per machine)", PLUGIN, tarball, home);
    try {
      int files = TarGz.extract(tarball, staging,
          name -> name.startsWith("lib/") || name.startsWith("plugin/" + PLUGIN + "/"));
      if (!Files.isDirectory(staging.resolve("lib")) || !Files.isDirectory(staging.resolve("plugin").resolve(PLUGIN))) {
        throw new IOException("the tarball has no lib/ or plugin/" + PLUGIN + "/ under its top directory");
      }
      Files.write(staging.resolve(MARKER), (tarball + "\n").getBytes(StandardCharsets.UTF_8));
      // A dir without the marker is what an earlier, killed extraction left.
      Files2.deleteQuietly(home);
      Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Extracted {} files of Trino in {} ms", files, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    } finally {
      Files2.deleteQuietly(staging);
    }
  }
}
