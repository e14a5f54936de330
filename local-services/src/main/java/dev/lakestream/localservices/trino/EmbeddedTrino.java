package dev.lakestream.localservices.trino;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.TrinoServer;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.Ports;
import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trino as a child process on a Java 24+ runtime, with only the Iceberg plugin, one read-only
 * catalog on the JDBC catalog and object store of the local services, and a small footprint (1 GB
 * heap, 256 MB per query, one node that is coordinator and worker). Internal: not part of the API.
 */
public final class EmbeddedTrino implements TrinoServer, ManagedService {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTrino.class);
  private static final String NAME = "Trino";
  /** Trino 476 refuses to start on older runtimes. */
  static final int MIN_JAVA = 24;
  private static final String USER = "lakestream";

  private final ChildProcess process;
  private final URI endpoint;
  private final String version;
  private final Duration startupTime;

  private EmbeddedTrino(ChildProcess process, URI endpoint, String version, Duration startupTime) {
    this.process = process;
    this.endpoint = endpoint;
    this.version = version;
    this.startupTime = startupTime;
  }

  /**
   * Starts Trino with its config, data and log in {@code dir}, reading the Iceberg catalog of
   * {@code icebergCatalog} (the properties of {@code LocalServices.icebergCatalogProperties()}).
   *
   * @param catalogTablesExist whether Iceberg's JdbcCatalog has created its tables in the catalog
   *     database: Trino reads them but never creates them, so the catalog is checked only then
   */
  public static EmbeddedTrino start(Path dir, Map<String, String> icebergCatalog, BooleanSupplier catalogTablesExist,
      Duration timeout) {
    String version = Settings.trinoVersion();
    JavaRuntimes.JavaHome java = JavaRuntimes.find(MIN_JAVA, NAME + " " + version);
    Path home = TrinoDistribution.install();
    int port = Ports.freeLoopbackPort();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Path etc = dir.resolve("etc");
    Path data = dir.resolve("data");
    try {
      Files.createDirectories(etc.resolve("catalog"));
      Files.createDirectories(data.resolve("tmp"));
      write(etc.resolve("config.properties"), serverConfig(port, home), "Trino server");
      write(etc.resolve("catalog").resolve(CATALOG + ".properties"), catalogConfig(icebergCatalog), "Iceberg catalog");
      write(etc.resolve("catalog-store.properties"), catalogStoreConfig(etc), "catalog store");
      write(etc.resolve("log.properties"), logLevels(), "log levels");
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not write its configuration in " + dir + ": " + e, e);
    }

    List<String> command = new ArrayList<>(List.of(java.java().toString(),
        "-Xmx" + Settings.get(Settings.TRINO_HEAP, "1g"),
        // Two cores: few GC and compiler threads. C1 only: starts in ~9 s instead of ~17 s, and test
        // queries over small tables never run long enough for C2 to pay off.
        "-XX:+UseG1GC", "-XX:ParallelGCThreads=2", "-XX:ConcGCThreads=1", "-XX:TieredStopAtLevel=1",
        "-XX:ReservedCodeCacheSize=128m", "-XX:+ExitOnOutOfMemoryError",
        // What Trino's own jvm.config sets: it attaches an agent to itself to size objects.
        "-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true", "--enable-native-access=ALL-UNNAMED",
        "-Dfile.encoding=UTF-8",
        "-Djava.io.tmpdir=" + data.resolve("tmp"),
        "-Dconfig=" + etc.resolve("config.properties"),
        "-Dlog.levels-file=" + etc.resolve("log.properties"),
        "-cp", home.resolve("lib") + "/*",
        "io.trino.server.TrinoServer"));
    String hint = NAME + " " + version + " runs from " + home + " on " + java + "; its config is in " + etc + ".";
    long begin = System.nanoTime();
    LOG.info("Starting {} {} on {} with {}", NAME, version, endpoint, java);
    // Run in dir: Trino reads etc/catalog-store.properties from its working directory.
    ChildProcess process = ChildProcess.start(NAME, command, dir, Map.of(), dir.resolve("trino.log"), hint,
        Duration.ofSeconds(15));
    try {
      // The HTTP server answers "SERVER_STARTING_UP" for seconds: ready once this node, the
      // coordinator and the only worker, is active (see catalog.management in serverConfig).
      process.awaitReady("run a query on an active worker node", timeout, hint, () -> {
        String active = TrinoStatements.firstValue(endpoint, USER,
            "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'");
        return active != null && Long.parseLong(active) >= 1;
      });
      try {
        if (catalogTablesExist.getAsBoolean()) {
          TrinoStatements.firstValue(endpoint, USER, "SHOW SCHEMAS FROM " + CATALOG);
        }
      } catch (IOException e) {
        throw new ServiceStartException(NAME + " started but cannot read the Iceberg JDBC catalog: " + e.getMessage()
            + ". Last lines of " + process.logFile() + ":\n" + process.logTail() + "\n" + hint, e);
      }
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    LOG.info("{} {} answers on {} after {} ms (log {})", NAME, version, endpoint, took.toMillis(), process.logFile());
    return new EmbeddedTrino(process, endpoint, version, took);
  }

  private static Properties serverConfig(int port, Path home) {
    Properties config = new Properties();
    config.setProperty("coordinator", "true");
    config.setProperty("node-scheduler.include-coordinator", "true");
    config.setProperty("node.environment", "lakestream");
    config.setProperty("node.id", "lakestream-trino");
    config.setProperty("node.internal-address", "127.0.0.1");
    config.setProperty("node.bind-ip", "127.0.0.1");
    config.setProperty("http-server.http.port", String.valueOf(port));
    config.setProperty("discovery.uri", "http://127.0.0.1:" + port);
    config.setProperty("http-server.log.enabled", "false");
    config.setProperty("plugin.dir", home.resolve("plugin").toString());
    // With static catalogs the coordinator learns which nodes serve a catalog from its own
    // announcement, re-read every 5 s: for up to 5 s after "SERVER STARTED" it answers queries
    // on system tables but fails a scan of an Iceberg table with "No nodes available to run
    // query". Every active node serves a dynamic catalog (loaded from etc/catalog as well), so
    // the readiness check of start(), one active node, is enough.
    config.setProperty("catalog.management", "dynamic");
    // Test tables are small; this keeps a runaway query from taking the heap.
    config.setProperty("query.max-memory", "256MB");
    config.setProperty("query.max-memory-per-node", "256MB");
    config.setProperty("memory.heap-headroom-per-node", "256MB");
    return config;
  }

  /** Where the dynamic catalogs are (read-only: no CREATE or DROP CATALOG). */
  private static Properties catalogStoreConfig(Path etc) {
    Properties store = new Properties();
    store.setProperty("catalog.config-dir", etc.resolve("catalog").toString());
    store.setProperty("catalog.read-only", "true");
    return store;
  }

  /** Trino's Iceberg connector on the JDBC catalog and S3 store that Iceberg's Java client uses. */
  static Properties catalogConfig(Map<String, String> iceberg) {
    Properties config = new Properties();
    config.setProperty("connector.name", "iceberg");
    config.setProperty("iceberg.catalog.type", "jdbc");
    config.setProperty("iceberg.jdbc-catalog.catalog-name", ICEBERG_CATALOG_NAME);
    config.setProperty("iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver");
    config.setProperty("iceberg.jdbc-catalog.connection-url", required(iceberg, "uri"));
    config.setProperty("iceberg.jdbc-catalog.connection-user", required(iceberg, "jdbc.user"));
    String password = iceberg.get("jdbc.password");
    if (password != null && !password.isEmpty()) {
      config.setProperty("iceberg.jdbc-catalog.connection-password", password);
    }
    config.setProperty("iceberg.jdbc-catalog.schema-version", iceberg.getOrDefault("jdbc.schema-version", "V1"));
    config.setProperty("iceberg.jdbc-catalog.default-warehouse-dir", required(iceberg, "warehouse"));
    // An independent reader: it must never change what the pipeline wrote.
    config.setProperty("iceberg.security", "read_only");
    config.setProperty("fs.native-s3.enabled", "true");
    config.setProperty("s3.endpoint", required(iceberg, "s3.endpoint"));
    config.setProperty("s3.region", iceberg.getOrDefault("client.region", "us-east-1"));
    config.setProperty("s3.path-style-access", "true");
    config.setProperty("s3.aws-access-key", required(iceberg, "s3.access-key-id"));
    config.setProperty("s3.aws-secret-key", required(iceberg, "s3.secret-access-key"));
    return config;
  }

  private static Properties logLevels() {
    Properties levels = new Properties();
    levels.setProperty("io.trino", "INFO");
    // Its HTTP and discovery clients log every retry while the node announces itself.
    levels.setProperty("io.airlift.discovery.client", "WARN");
    return levels;
  }

  private static String required(Map<String, String> properties, String key) {
    String value = properties.get(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("Iceberg catalog property " + key + " is missing: " + properties.keySet());
    }
    return value;
  }

  private static void write(Path file, Properties properties, String what) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(out, "lakestream local-services: " + what);
    }
  }

  @Override
  public String name() {
    return NAME + " " + version;
  }

  @Override
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public String jdbcUrl() {
    return "jdbc:trino://127.0.0.1:" + endpoint.getPort() + "/" + CATALOG;
  }

  @Override
  public String user() {
    return USER;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public Path logFile() {
    return process.logFile();
  }

  @Override
  public Duration startupTime() {
    return startupTime;
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "Trino " + version + " on " + endpoint;
  }
}
