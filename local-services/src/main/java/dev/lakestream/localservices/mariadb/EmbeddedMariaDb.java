package dev.lakestream.localservices.mariadb;

import dev.lakestream.localservices.MariaDbServer;
import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.Files2;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.Ports;
import dev.lakestream.localservices.support.ProcessGuard;
import dev.lakestream.localservices.support.Settings;
import dev.lakestream.localservices.support.Shell;
import dev.lakestream.localservices.support.Users;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB from the machine's Debian packages ({@code mariadb-server}): {@code mariadbd
 * --no-defaults} as a child process on a loopback port, with a data dir of its own made by {@code
 * mariadb-install-db}, and a row-based binary log for CDC. mariadbd refuses to run as root, so as
 * root every server command runs as OS user {@code mysql} (which the package creates) through
 * {@code runuser}, in a directory under the temp dir that user can reach. Internal: not part of
 * the API.
 */
public final class EmbeddedMariaDb implements MariaDbServer, ManagedService {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final String NAME = "MariaDB";
  private static final String OS_USER = "mysql";
  static final String ADMIN_USER = "lakestream";
  static final String ADMIN_PASSWORD = "lakestream";
  static final String CDC_USER = "lakestream_cdc";
  static final String CDC_PASSWORD = "lakestream-cdc";
  static final int SERVER_ID = 1;
  /** Instead of the default 96 MB written at install time: test data is small, and the disk is shared. */
  private static final String REDO_LOG_SIZE = "--innodb-log-file-size=16M";
  private static final List<Path> SEARCH_DIRS = List.of(Paths.get("/usr/sbin"), Paths.get("/usr/bin"),
      Paths.get("/usr/local/sbin"), Paths.get("/usr/local/bin"));
  private static final String MISSING_HINT = "MariaDB server binaries (mariadbd and mariadb-install-db) not found in "
      + SEARCH_DIRS + " nor on the PATH: " + Settings.INSTALL_HINT
      + " or `apt-get install -y --no-install-recommends mariadb-server`, or point system property "
      + Settings.MARIADB_BIN + " at a directory holding mariadbd (or mysqld) and mariadb-install-db (or mysql_install_db).";

  private final Path baseDir;
  private final boolean ownsBaseDir;
  private final boolean asMysqlUser;
  private final int port;
  private final ChildProcess process;
  private final ProcessGuard guard;
  private final String version;

  private EmbeddedMariaDb(Path baseDir, boolean ownsBaseDir, boolean asMysqlUser, int port, ChildProcess process,
      ProcessGuard guard, String version) {
    this.baseDir = baseDir;
    this.ownsBaseDir = ownsBaseDir;
    this.asMysqlUser = asMysqlUser;
    this.port = port;
    this.process = process;
    this.guard = guard;
    this.version = version;
  }

  /**
   * @param workDir where the server lives when this JVM is not root (a data dir kept there from an
   *     earlier run is reused); as root it lives in a fresh directory under java.io.tmpdir owned by
   *     user mysql, deleted on close
   */
  public static EmbeddedMariaDb start(Path workDir, Duration timeout) {
    Binaries binaries = findBinaries();
    boolean asMysqlUser = Users.isRoot();
    Path baseDir;
    boolean ownsBaseDir;
    try {
      if (asMysqlUser) {
        // The mysql user must traverse every parent: a work dir under /root would not do.
        baseDir = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "lakestream-mariadb-");
        UserPrincipal owner = baseDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(baseDir, owner);
        ownsBaseDir = true;
      } else {
        baseDir = Files.createDirectories(workDir);
        ownsBaseDir = false;
      }
    } catch (UserPrincipalNotFoundException e) {
      throw new ServiceStartException(NAME + ": this JVM runs as root and mariadbd refuses to, but there is no OS user '"
          + OS_USER + "' to run it as. Debian's mariadb-server package creates it: " + Settings.INSTALL_HINT
          + " or `apt-get install mariadb-server`, or run as a non-root user.", e);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not create its directory: " + e, e);
    }

    Path dataDir = baseDir.resolve("data");
    Path serverLog = baseDir.resolve("mariadb.log");
    Path pidFile = baseDir.resolve("mariadbd.pid");
    // If the JVM is killed: ChildProcess' guard stops runuser, which passes SIGTERM on; this one
    // makes sure mariadbd itself is gone (by its pid file), then deletes the files.
    String pid = Shell.quote(pidFile.toString());
    ProcessGuard guard = ProcessGuard.arm(NAME, "pid=$(cat " + pid + " 2>/dev/null); if [ -n \"$pid\" ]; then"
        + " kill \"$pid\" 2>/dev/null; i=0; while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1));"
        + " done; kill -9 \"$pid\" 2>/dev/null; fi" + (ownsBaseDir ? "; rm -rf " + Shell.quote(baseDir.toString()) : ""));
    ChildProcess process = null;
    try {
      // A work dir kept from an earlier run (not root) keeps its databases.
      if (!Files.isDirectory(dataDir.resolve("mysql"))) {
        installDb(binaries, asMysqlUser, dataDir, baseDir.resolve("install-db.log"), timeout);
      }
      Path initFile = baseDir.resolve("init.sql");
      // Read by mariadbd on every start before it accepts connections, so the users exist once it answers.
      Files.writeString(initFile, String.join("\n",
          "CREATE USER IF NOT EXISTS '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "';",
          "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION;",
          "CREATE USER IF NOT EXISTS '" + CDC_USER + "'@'%' IDENTIFIED BY '" + CDC_PASSWORD + "';",
          "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + CDC_USER + "'@'%';",
          ""), StandardCharsets.UTF_8);
      int port = Ports.freeLoopbackPort();
      List<String> command = asMysql(asMysqlUser, List.of(binaries.server.toString(),
          "--no-defaults",
          "--datadir=" + dataDir,
          "--port=" + port,
          "--bind-address=127.0.0.1",
          // Relative to the data dir (mariadbd changes into it): a short path whatever the work dir,
          // since a Unix socket path may hold at most 107 bytes.
          "--socket=mariadbd.sock",
          "--pid-file=" + pidFile,
          "--init-file=" + initFile,
          "--skip-name-resolve",
          // What a CDC reader (Debezium's MySQL connector) needs: every row change with every column.
          "--log-bin=mysql-bin",
          "--binlog-format=ROW",
          "--binlog-row-image=FULL",
          "--server-id=" + SERVER_ID,
          "--character-set-server=utf8mb4",
          // TIMESTAMP values read as text (JDBC, a snapshot) are UTC, as the binlog holds them.
          "--default-time-zone=+00:00",
          // Throwaway test data: durability only costs time.
          "--innodb-flush-log-at-trx-commit=2",
          "--sync-binlog=0",
          REDO_LOG_SIZE));
      String hint = asMysqlUser
          ? "(As root it runs as OS user '" + OS_USER + "' via runuser, which must be able to reach " + baseDir + ".)"
          : "";
      // Errors go to stderr without --log-error, so into the server log.
      process = ChildProcess.start(NAME, command, baseDir, Map.of(), serverLog, hint, Duration.ofSeconds(30));
      AtomicReference<String> version = new AtomicReference<>();
      process.awaitReady("accept JDBC connections on 127.0.0.1:" + port, timeout, hint, () -> {
        try (Connection c = DriverManager.getConnection(jdbcUrl(port, ""), ADMIN_USER, ADMIN_PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION()")) {
          rs.next();
          version.set(rs.getString(1));
          return true;
        }
      });
      return new EmbeddedMariaDb(baseDir, ownsBaseDir, asMysqlUser, port, process, guard, version.get());
    } catch (IOException | RuntimeException e) {
      // Read the log before the cleanup below deletes it.
      ServiceStartException failure = e instanceof ServiceStartException && e.getMessage().contains("Last lines of")
          ? (ServiceStartException) e
          : new ServiceStartException(NAME + " failed to start in " + baseDir + ": " + e.getMessage()
              + ". Last lines of " + serverLog + ":\n" + Files2.tail(serverLog, 25), e);
      if (process != null) {
        process.close();
      }
      guard.disarm();
      if (ownsBaseDir) {
        Files2.deleteQuietly(baseDir);
      }
      throw failure;
    }
  }

  private static void installDb(Binaries binaries, boolean asMysqlUser, Path dataDir, Path log, Duration timeout) {
    List<String> command = asMysql(asMysqlUser, List.of(binaries.installDb.toString(),
        "--no-defaults",
        "--datadir=" + dataDir,
        "--skip-test-db",
        "--skip-name-resolve",
        REDO_LOG_SIZE));
    String hint = asMysqlUser
        ? "(As root it runs as OS user '" + OS_USER + "' via runuser, which must be able to reach " + log.getParent() + ".)"
        : "";
    int exit = ChildProcess.run(NAME, command, log.getParent(), log, timeout, hint);
    if (exit != 0) {
      throw new ServiceStartException(NAME + ": " + binaries.installDb.getFileName() + " failed with exit code " + exit
          + " (" + command + "). Last lines of " + log + ":\n" + Files2.tail(log, 25) + (hint.isEmpty() ? "" : "\n" + hint));
    }
  }

  /** mariadbd and mariadb-install-db (or their older mysqld / mysql_install_db names). */
  static final class Binaries {
    final Path server;
    final Path installDb;

    Binaries(Path server, Path installDb) {
      this.server = server;
      this.installDb = installDb;
    }
  }

  /** {@code -Dlakestream.mariadb.bin}, else the first of /usr/sbin, /usr/bin, ..., the PATH holding them. */
  static Binaries findBinaries() {
    String configured = Settings.get(Settings.MARIADB_BIN, null);
    List<Path> dirs = new ArrayList<>();
    if (configured != null) {
      dirs.add(Paths.get(configured));
    } else {
      Set<Path> all = new LinkedHashSet<>(SEARCH_DIRS);
      String path = System.getenv("PATH");
      if (path != null) {
        for (String dir : path.split(File.pathSeparator)) {
          if (!dir.isBlank()) {
            all.add(Paths.get(dir));
          }
        }
      }
      dirs.addAll(all);
    }
    Optional<Path> server = find(dirs, "mariadbd", "mysqld");
    Optional<Path> installDb = find(dirs, "mariadb-install-db", "mysql_install_db");
    if (server.isEmpty() || installDb.isEmpty()) {
      throw new ServiceStartException(configured == null ? MISSING_HINT
          : NAME + ": system property " + Settings.MARIADB_BIN + "=" + configured
              + " holds no executable mariadbd (or mysqld) and mariadb-install-db (or mysql_install_db).");
    }
    return new Binaries(server.get(), installDb.get());
  }

  private static Optional<Path> find(List<Path> dirs, String... names) {
    for (String name : names) {
      for (Path dir : dirs) {
        Path candidate = dir.resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> asMysql(boolean asMysqlUser, List<String> command) {
    if (!asMysqlUser) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static String jdbcUrl(int port, String database) {
    return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public String name() {
    return NAME + " " + version.replaceFirst("-.*", "");
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
    return ADMIN_USER;
  }

  @Override
  public String password() {
    return ADMIN_PASSWORD;
  }

  @Override
  public String cdcUser() {
    return CDC_USER;
  }

  @Override
  public String cdcPassword() {
    return CDC_PASSWORD;
  }

  @Override
  public int serverId() {
    return SERVER_ID;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public String jdbcUrl(String database) {
    return jdbcUrl(port, database);
  }

  @Override
  public void createDatabase(String database) {
    // IF NOT EXISTS is atomic in MariaDB: concurrent calls need no lock.
    execute("", "CREATE DATABASE IF NOT EXISTS " + quoteIdentifier(database) + " CHARACTER SET utf8mb4");
  }

  @Override
  public void execute(String database, String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(database) + "?allowMultiQueries=true", user(), password());
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new ServiceStartException(NAME + " on " + jdbcUrl(database) + " failed to execute [" + sql + "]: "
          + e.getMessage(), e);
    }
  }

  /**
   * SIGTERM to mariadbd itself, then waits for runuser to exit with it. Signalled itself, runuser
   * would pass SIGTERM on, wait 2 s and SIGKILL mariadbd, whether or not its shutdown was done.
   */
  private void stopServerUnderRunuser() {
    Optional<ProcessHandle> runner = ProcessHandle.of(process.pid());
    if (runner.isEmpty()) {
      return;
    }
    runner.get().descendants().forEach(ProcessHandle::destroy);
    try {
      runner.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("{} did not stop within 30 s of SIGTERM; killing it. Last lines of {}:\n{}", NAME, process.logFile(),
          process.logTail());
    } catch (ExecutionException e) {
      throw new ServiceStartException(NAME + ": waiting for runuser (pid " + process.pid() + ") to exit failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceStartException(NAME + ": interrupted while waiting for mariadbd to stop", e);
    }
  }

  static String quoteIdentifier(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public void close() {
    try {
      if (asMysqlUser) {
        stopServerUnderRunuser();
      }
      // SIGTERM (mariadbd shuts down cleanly), SIGKILL after 30 s; nothing left to do when it exited above.
      process.close();
    } finally {
      guard.disarm();
      if (ownsBaseDir) {
        Files2.deleteQuietly(baseDir);
      }
    }
  }
}
