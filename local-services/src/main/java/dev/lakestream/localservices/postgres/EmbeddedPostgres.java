package dev.lakestream.localservices.postgres;

import dev.lakestream.localservices.PostgresServer;
import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.Files2;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.Ports;
import dev.lakestream.localservices.support.ProcessGuard;
import dev.lakestream.localservices.support.Settings;
import dev.lakestream.localservices.support.Shell;
import dev.lakestream.localservices.support.Users;
import dev.lakestream.localservices.support.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL from the machine's Debian packages ({@code /usr/lib/postgresql/<major>/bin}), a fresh
 * cluster per start with {@code wal_level=logical}. PostgreSQL refuses to run as root, so as root
 * every server command runs as user {@code postgres} through {@code runuser}, in a data dir under
 * the temp dir that user can reach. Internal: not part of the API.
 */
public final class EmbeddedPostgres implements PostgresServer, ManagedService {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String NAME = "PostgreSQL";
  private static final String SUPERUSER = "postgres";
  private static final String OS_USER = "postgres";
  private static final Path DEBIAN_ROOT = Paths.get("/usr/lib/postgresql");
  private static final String MISSING_HINT = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: "
      + Settings.INSTALL_HINT + " or `apt-get install postgresql`, or point system property "
      + Settings.POSTGRES_BIN + " at a directory holding initdb and pg_ctl.";
  /** SQLSTATE duplicate_database. */
  private static final String DUPLICATE_DATABASE = "42P04";
  /** SQLSTATE object_in_use: CREATE DATABASE while another session uses template1. */
  private static final String OBJECT_IN_USE = "55006";

  private final Path baseDir;
  private final boolean ownsBaseDir;
  private final Path dataDir;
  private final Path binDir;
  private final boolean asPostgresUser;
  private final int port;
  private final ProcessGuard guard;
  private final Object createDatabaseLock = new Object();

  private EmbeddedPostgres(Path baseDir, boolean ownsBaseDir, Path binDir, boolean asPostgresUser, int port, ProcessGuard guard) {
    this.baseDir = baseDir;
    this.ownsBaseDir = ownsBaseDir;
    this.dataDir = baseDir.resolve("data");
    this.binDir = binDir;
    this.asPostgresUser = asPostgresUser;
    this.port = port;
    this.guard = guard;
  }

  /**
   * @param workDir where the cluster lives when this JVM is not root; as root it lives in a fresh
   *     directory under java.io.tmpdir owned by user postgres, deleted on close
   */
  public static EmbeddedPostgres start(Path workDir, Duration timeout) {
    Path binDir = findBinDir();
    boolean asPostgresUser = Users.isRoot();
    Path baseDir;
    boolean ownsBaseDir;
    try {
      if (asPostgresUser) {
        // The postgres user must traverse every parent: a work dir under /root would not do.
        baseDir = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "lakestream-postgres-");
        UserPrincipal owner = baseDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(baseDir, owner);
        ownsBaseDir = true;
      } else {
        baseDir = Files.createDirectories(workDir);
        ownsBaseDir = false;
      }
    } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
      throw new ServiceStartException(NAME + ": this JVM runs as root and PostgreSQL refuses to, but there is no OS user '"
          + OS_USER + "' to run it as. Debian's postgresql package creates it: " + Settings.INSTALL_HINT
          + " or `apt-get install postgresql`, or run as a non-root user.", e);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not create its directory: " + e, e);
    }

    int port = Ports.freeLoopbackPort();
    Path dataDir = baseDir.resolve("data");
    Path serverLog = baseDir.resolve("postgresql.log");
    EmbeddedPostgres server = null;
    try {
      // A work dir kept from an earlier run (not root) keeps its cluster; appended settings win
      // over earlier ones, so the new port applies.
      if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
        runChecked("initdb", asPostgresUser, baseDir.resolve("initdb.log"), timeout, List.of(binDir.resolve("initdb").toString(),
            "-D", dataDir.toString(), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C",
            // No fsync of the new cluster: test data is thrown away.
            "--no-sync"));
      }
      Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n", "",
          "# lakestream local-services",
          "port = " + port,
          "listen_addresses = '127.0.0.1'",
          "unix_socket_directories = '" + dataDir + "'",
          "wal_level = logical",
          "max_replication_slots = 20",
          "max_wal_senders = 20",
          // One test JVM runs many jobs against it: Iceberg JDBC catalogs (a pool per operator that
          // loads the catalog) and Flink CDC's connection pools add up beyond the default 100.
          "max_connections = 400",
          // Throwaway test data: durability only costs time.
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          // With asynchronous commits, logical decoding (Debezium) sees a commit only once the WAL
          // writer has flushed it: every 10 ms instead of 200 ms.
          "wal_writer_delay = 10ms",
          ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      // If the JVM is killed, stop the server and delete its files all the same.
      String stop = Shell.command(asPostgres(asPostgresUser,
          List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "stop")));
      ProcessGuard guard = ProcessGuard.arm(NAME, stop + " >/dev/null 2>&1"
          + (ownsBaseDir ? "; rm -rf " + Shell.quote(baseDir.toString()) : ""));
      server = new EmbeddedPostgres(baseDir, ownsBaseDir, binDir, asPostgresUser, port, guard);
      runChecked("pg_ctl start", asPostgresUser, baseDir.resolve("pg_ctl-start.log"), timeout.plusSeconds(5), List.of(
          binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", serverLog.toString(),
          "-w", "-t", String.valueOf(timeout.toSeconds()), "start"), serverLog);
      EmbeddedPostgres started = server;
      Wait.until(NAME + " to accept JDBC connections on 127.0.0.1:" + port, timeout, Duration.ofMillis(100), () -> { },
          () -> {
            try (Connection c = started.connect("postgres"); Statement s = c.createStatement()) {
              return s.execute("SELECT 1");
            }
          });
      return server;
    } catch (IOException | RuntimeException e) {
      // Read the log before the cleanup below deletes it.
      ServiceStartException failure = e instanceof ServiceStartException && e.getMessage().contains("Last lines of")
          ? (ServiceStartException) e
          : new ServiceStartException(NAME + " failed to start in " + dataDir + ": " + e.getMessage()
              + ". Last lines of " + serverLog + ":\n" + Files2.tail(serverLog, 25), e);
      if (server != null) {
        server.closeQuietly();
      } else if (ownsBaseDir) {
        Files2.deleteQuietly(baseDir);
      }
      throw failure;
    }
  }

  /** {@code -Dlakestream.postgres.bin}, else the highest /usr/lib/postgresql/N/bin holding initdb. */
  static Path findBinDir() {
    String configured = Settings.get(Settings.POSTGRES_BIN, null);
    if (configured != null) {
      Path dir = Paths.get(configured);
      if (!Files.isExecutable(dir.resolve("initdb")) || !Files.isExecutable(dir.resolve("pg_ctl"))) {
        throw new ServiceStartException(NAME + ": system property " + Settings.POSTGRES_BIN + "=" + dir
            + " holds no executable initdb and pg_ctl.");
      }
      return dir;
    }
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(DEBIAN_ROOT)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(DEBIAN_ROOT)) {
        for (Path version : versions) {
          Path bin = version.resolve("bin");
          if (version.getFileName().toString().matches("\\d+(\\.\\d+)?") && Files.isExecutable(bin.resolve("initdb"))
              && Files.isExecutable(bin.resolve("pg_ctl"))) {
            candidates.add(bin);
          }
        }
      } catch (IOException e) {
        throw new ServiceStartException(NAME + ": could not list " + DEBIAN_ROOT + ": " + e + ". " + MISSING_HINT, e);
      }
    }
    return candidates.stream()
        .max(Comparator.comparingDouble(bin -> Double.parseDouble(bin.getParent().getFileName().toString())))
        .orElseThrow(() -> new ServiceStartException(MISSING_HINT));
  }

  private static List<String> asPostgres(boolean asPostgresUser, List<String> command) {
    if (!asPostgresUser) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void runChecked(String what, boolean asPostgresUser, Path commandLog, Duration timeout, List<String> command) {
    runChecked(what, asPostgresUser, commandLog, timeout, command, null);
  }

  private static void runChecked(
      String what, boolean asPostgresUser, Path commandLog, Duration timeout, List<String> command, Path serverLog) {
    List<String> full = asPostgres(asPostgresUser, command);
    String hint = asPostgresUser
        ? "(As root it runs as OS user '" + OS_USER + "' via runuser, which must be able to reach " + commandLog.getParent() + ".)"
        : "";
    int exit = ChildProcess.run(NAME, full, commandLog.getParent(), commandLog, timeout, hint);
    if (exit != 0) {
      StringBuilder message = new StringBuilder(NAME + ": " + what + " failed with exit code " + exit + " (" + full
          + "). Last lines of " + commandLog + ":\n" + Files2.tail(commandLog, 25));
      if (serverLog != null) {
        message.append("\nLast lines of ").append(serverLog).append(":\n").append(Files2.tail(serverLog, 25));
      }
      if (!hint.isEmpty()) {
        message.append('\n').append(hint);
      }
      throw new ServiceStartException(message.toString());
    }
  }

  @Override
  public String name() {
    return NAME + " " + binDir.getParent().getFileName();
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String user() {
    return SUPERUSER;
  }

  @Override
  public String password() {
    return SUPERUSER;
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void createDatabase(String database) {
    // CREATE DATABASE copies template1 and fails while another session copies it: one at a time.
    synchronized (createDatabaseLock) {
      try {
        Wait.until(NAME + " to create database '" + database + "' (template1 busy)", Duration.ofSeconds(30),
            Duration.ofMillis(100), () -> { }, () -> {
              try (Connection c = connect("postgres")) {
                try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                  exists.setString(1, database);
                  try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                      return true;
                    }
                  }
                }
                try (Statement s = c.createStatement()) {
                  s.execute("CREATE DATABASE " + quoteIdentifier(database));
                  LOG.debug("Created database {}", database);
                  return true;
                } catch (SQLException e) {
                  if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
                    return true;
                  }
                  if (OBJECT_IN_USE.equals(e.getSQLState())) {
                    return false;
                  }
                  throw new ServiceStartException(NAME + " refused CREATE DATABASE " + database + ": " + e.getMessage(), e);
                }
              }
            });
      } catch (ServiceStartException e) {
        if (e.getCause() instanceof ServiceStartException) {
          throw (ServiceStartException) e.getCause();
        }
        throw e;
      }
    }
  }

  @Override
  public void execute(String database, String sql) {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new ServiceStartException(NAME + " on " + jdbcUrl(database) + " failed to execute [" + sql + "]: "
          + e.getMessage(), e);
    }
  }

  static String quoteIdentifier(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void close() {
    try {
      Path commandLog = baseDir.resolve("pg_ctl-stop.log");
      int exit = ChildProcess.run(NAME, asPostgres(asPostgresUser, List.of(binDir.resolve("pg_ctl").toString(), "-D",
          dataDir.toString(), "-m", "fast", "-w", "-t", "30", "stop")), baseDir, commandLog, Duration.ofSeconds(40), "");
      if (exit != 0) {
        throw new ServiceStartException(NAME + ": pg_ctl stop failed with exit code " + exit + ". Last lines of "
            + commandLog + ":\n" + Files2.tail(commandLog, 10));
      }
    } finally {
      guard.disarm();
      if (ownsBaseDir) {
        Files2.deleteQuietly(baseDir);
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.debug("Stopping {} after a failed start: {}", NAME, e.toString());
    }
  }
}
