package dev.lakestream.localservices.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * Where the servers that are not Maven dependencies live on this machine: read from
 * {@code dev/lakestream/localservices/local-services.properties}, which the local-services build
 * writes, each key overridable by a system property of the same name. Internal: not part of the API.
 */
public final class Settings {
  public static final String S3PROXY_JAR = "lakestream.s3proxy.jar";
  public static final String S3PROXY_VERSION = "lakestream.s3proxy.version";
  public static final String KINESIS_LOCAL_DIR = "lakestream.kinesis-local.dir";
  public static final String KINESIS_LOCAL_VERSION = "lakestream.kinesis-local.version";
  /** Directory holding initdb and pg_ctl; default: the highest /usr/lib/postgresql/N/bin. */
  public static final String POSTGRES_BIN = "lakestream.postgres.bin";
  /** Directory holding mariadbd and mariadb-install-db; default: /usr/sbin, /usr/bin, ..., the PATH. */
  public static final String MARIADB_BIN = "lakestream.mariadb.bin";
  /** The node binary; default: node on the PATH. */
  public static final String NODE = "lakestream.node";
  public static final String TRINO_VERSION = "lakestream.trino.version";
  /** Trino's server tarball; default: its place in ~/.m2 (the build writes the resolved path). */
  public static final String TRINO_TARBALL = "lakestream.trino.tarball";
  /** Where the tarball's lib/ and Iceberg plugin are extracted; default ~/.cache/lakestream/trino-server-VERSION. */
  public static final String TRINO_HOME = "lakestream.trino.home";
  /** A JDK (or JRE) of the version Trino needs, 24 or newer; default: the newest such under /usr/lib/jvm. */
  public static final String TRINO_JAVA_HOME = "lakestream.trino.java-home";
  /** Trino's data and log dir; default target/trino-PID under the working directory, when it has a target/. */
  public static final String TRINO_DIR = "lakestream.trino.dir";
  /** Trino's JVM heap (-Xmx); default 1g. */
  public static final String TRINO_HEAP = "lakestream.trino.heap";

  /** Shown with every "not found" message: how to get what is missing. */
  public static final String INSTALL_HINT =
      "run local-services/src/main/scripts/install-prerequisites.sh (the local-services build runs it at generate-resources)";

  private static final String RESOURCE = "/dev/lakestream/localservices/local-services.properties";
  private static final Properties BUILD = load();

  private Settings() {}

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = Settings.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + RESOURCE, e);
    }
    return properties;
  }

  /** System property, else the value the build wrote, else {@code fallback}. */
  public static String get(String key, String fallback) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      value = BUILD.getProperty(key);
    }
    // An unfiltered resource (e.g. an IDE build that skipped Maven's filtering) still holds ${...}.
    if (value == null || value.isBlank() || value.contains("${")) {
      return fallback;
    }
    return value.trim();
  }

  public static String kinesisLocalVersion() {
    return get(KINESIS_LOCAL_VERSION, "0.6.2");
  }

  public static String s3proxyVersion() {
    return get(S3PROXY_VERSION, "4.1.0");
  }

  public static Path cacheDir() {
    return Paths.get(System.getProperty("user.home"), ".cache", "lakestream");
  }

  public static Path s3proxyJar() {
    String version = s3proxyVersion();
    return Paths.get(get(S3PROXY_JAR, cacheDir()
        .resolve("s3proxy-" + version).resolve("s3proxy-" + version + "-jar-with-dependencies.jar").toString()));
  }

  public static String trinoVersion() {
    return get(TRINO_VERSION, "476");
  }

  public static Path trinoTarball() {
    String version = trinoVersion();
    return Paths.get(get(TRINO_TARBALL, Paths.get(System.getProperty("user.home"), ".m2", "repository", "io", "trino",
        "trino-server", version, "trino-server-" + version + ".tar.gz").toString()));
  }

  public static Path trinoHome() {
    return Paths.get(get(TRINO_HOME, cacheDir().resolve("trino-server-" + trinoVersion()).toString()));
  }

  public static Path kinesisLocalDir() {
    return Paths.get(get(KINESIS_LOCAL_DIR, cacheDir().resolve("kinesis-local-" + kinesisLocalVersion()).toString()));
  }
}
