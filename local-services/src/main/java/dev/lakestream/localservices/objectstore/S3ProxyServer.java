package dev.lakestream.localservices.objectstore;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.HttpProbe;
import dev.lakestream.localservices.support.Ports;
import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * s3proxy on a filesystem backend, as a child process on the JVM running this code: its fat jar
 * (Java 17, its own AWS SDK, Jetty, Guava, logback) would clash on a Flink classpath. Internal: not
 * part of the API.
 */
public final class S3ProxyServer {
  private static final String NAME = "S3-compatible store (s3proxy)";
  static final String ACCESS_KEY = "lakestream";
  static final String SECRET_KEY = "lakestream-secret";

  private S3ProxyServer() {}

  public static S3ObjectStore start(Path dir, Duration timeout) {
    Path jar = Settings.s3proxyJar();
    if (!Files.isRegularFile(jar)) {
      throw new ServiceStartException(NAME + ": jar not found at " + jar + ". The local-services build copies "
          + "org.gaul:s3proxy:" + Settings.s3proxyVersion() + ":jar-with-dependencies to ~/.cache/lakestream "
          + "(mvn -pl local-services generate-resources); or point system property " + Settings.S3PROXY_JAR
          + " at that jar.");
    }
    int port = Ports.freeLoopbackPort();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Path dataDir = dir.resolve("data");
    Path configFile = dir.resolve("s3proxy.properties");
    Properties config = new Properties();
    config.setProperty("s3proxy.endpoint", endpoint.toString());
    config.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    config.setProperty("s3proxy.identity", ACCESS_KEY);
    config.setProperty("s3proxy.credential", SECRET_KEY);
    // Trino and newer SDKs send headers s3proxy otherwise rejects.
    config.setProperty("s3proxy.ignore-unknown-headers", "true");
    config.setProperty("jclouds.provider", "filesystem-nio2");
    config.setProperty("jclouds.filesystem.basedir", dataDir.toString());
    try {
      Files.createDirectories(dataDir);
      try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
        config.store(out, "lakestream local-services: s3proxy");
      }
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not write its configuration in " + dir + ": " + e, e);
    }

    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = List.of(java.toString(),
        // Small heap and serial GC: the store holds no data in memory, and the machine may have 2 cores.
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toString(), "--properties", configFile.toString());
    String hint = "Unless its log above says why: s3proxy needs Java 17 or newer (this JVM: "
        + System.getProperty("java.version") + ", " + java + ").";
    ChildProcess process = ChildProcess.start(NAME, command, dir, Map.of(), dir.resolve("s3proxy.log"), hint,
        Duration.ofSeconds(5));
    try {
      awaitHttp(endpoint, timeout, process, hint);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return new S3ObjectStore(NAME, endpoint, ACCESS_KEY, SECRET_KEY, process::close);
  }

  private static void awaitHttp(URI endpoint, Duration timeout, ChildProcess process, String hint) {
    // Any HTTP answer (403 without credentials) means the server is up.
    process.awaitReady("answer HTTP on " + endpoint, timeout, hint, () -> HttpProbe.status(endpoint) > 0);
  }
}
