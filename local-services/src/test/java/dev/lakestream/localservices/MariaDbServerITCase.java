package dev.lakestream.localservices;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakestream.localservices.support.Settings;
import dev.lakestream.localservices.support.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Proves that the MariaDB of {@link LocalServices#shared()} is what a MySQL CDC reader needs. */
class MariaDbServerITCase {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbServerITCase.class);

  private static LocalServices services;
  private static MariaDbServer mariaDb;

  @BeforeAll
  static void startServices() {
    services = LocalServices.shared();
    mariaDb = services.mariaDb();
    LOG.info("{} on port {} started in {}", mariaDb.version(), mariaDb.port(), services.startupTimes());
  }

  @Test
  void theBinaryLogIsRowBasedWithFullImages() throws SQLException {
    assertThat(mariaDb.host()).isEqualTo("127.0.0.1");
    assertThat(mariaDb.version()).contains("MariaDB");
    try (Connection c = mariaDb.connect(""); Statement s = c.createStatement()) {
      assertThat(single(s, "SELECT @@log_bin")).isEqualTo("1");
      assertThat(single(s, "SELECT @@binlog_format")).isEqualTo("ROW");
      assertThat(single(s, "SELECT @@binlog_row_image")).isEqualTo("FULL");
      assertThat(single(s, "SELECT @@server_id")).isEqualTo(String.valueOf(mariaDb.serverId())).isEqualTo("1");
      assertThat(single(s, "SELECT @@time_zone")).isEqualTo("+00:00");
      assertThat(single(s, "SELECT @@character_set_server")).isEqualTo("utf8mb4");
      assertThat(single(s, "SELECT @@bind_address")).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void theCdcUserReadsRowsAndTheBinaryLogButCannotWrite() throws SQLException {
    String database = services.uniqueName("binlog");
    mariaDb.createDatabase(database);
    mariaDb.execute(database, "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL);"
        + " INSERT INTO customers VALUES (1, 'ada');"
        + " UPDATE customers SET name = 'grace' WHERE id = 1;"
        + " DELETE FROM customers WHERE id = 1;"
        + " INSERT INTO customers VALUES (2, 'edsger')");

    try (Connection c = DriverManager.getConnection(mariaDb.jdbcUrl(database), mariaDb.cdcUser(), mariaDb.cdcPassword());
         Statement s = c.createStatement()) {
      assertThat(single(s, "SELECT name FROM customers")).isEqualTo("edsger");
      String grants = single(s, "SHOW GRANTS");
      assertThat(grants).contains("SELECT", "REPLICATION SLAVE").doesNotContain("INSERT", "ALL PRIVILEGES");

      // What Debezium reads: the current binlog position, then row events of the table.
      String file;
      try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
        assertThat(rs.next()).as("SHOW MASTER STATUS answers for the CDC user").isTrue();
        file = rs.getString("File");
        assertThat(file).matches("mysql-bin\\.\\d{6}");
        assertThat(rs.getLong("Position")).isPositive();
      }
      List<String> rowEvents = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
        while (rs.next()) {
          String info = rs.getString("Info");
          if (rs.getString("Event_type").endsWith("_rows_v1") && info.contains("table_id")) {
            rowEvents.add(rs.getString("Event_type"));
          }
        }
      }
      assertThat(rowEvents).containsSubsequence("Write_rows_v1", "Update_rows_v1", "Delete_rows_v1", "Write_rows_v1");

      assertThatThrownBy(() -> s.execute("INSERT INTO customers VALUES (3, 'barbara')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("denied");
    }
  }

  @Test
  void createDatabaseIsIdempotentUnderConcurrency() throws Exception {
    String database = services.uniqueName("concurrent");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Object>> results = pool.invokeAll(IntStream.range(0, 4)
          .mapToObj(i -> (Callable<Object>) () -> {
            mariaDb.createDatabase(database);
            return null;
          })
          .collect(Collectors.toList()), 60, TimeUnit.SECONDS);
      for (Future<Object> result : results) {
        result.get();
      }
    } finally {
      pool.shutdownNow();
    }
    mariaDb.execute(database, "CREATE TABLE t (id INT); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)");
    try (Connection c = mariaDb.connect(database); Statement s = c.createStatement()) {
      assertThat(single(s, "SELECT count(*) FROM t")).isEqualTo("2");
      assertThat(single(s, "SELECT @@character_set_database")).isEqualTo("utf8mb4");
    }
    assertThatThrownBy(() -> mariaDb.execute(database, "SELECT * FROM missing_table"))
        .isInstanceOf(ServiceStartException.class)
        .hasMessageContaining(database)
        .hasMessageContaining("missing_table");
  }

  @Test
  void theServerNeverRunsAsRoot() {
    List<ProcessHandle> servers = ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("--port=" + mariaDb.port()))
        .filter(p -> p.info().command().map(command -> command.endsWith("mariadbd") || command.endsWith("mysqld")).orElse(false))
        .collect(Collectors.toList());
    assertThat(servers).as("the mariadbd child process of this JVM").hasSize(1);
    Optional<String> user = servers.get(0).info().user();
    assertThat(user).isPresent();
    if (Users.isRoot()) {
      assertThat(user.get()).isEqualTo("mysql");
    } else {
      assertThat(user.get()).isEqualTo(System.getProperty("user.name"));
    }
  }

  @Test
  void aServerThatCannotStartFailsWithItsLog(@TempDir Path workDir, @TempDir Path bin) throws Exception {
    // Stand-ins: an install that succeeds and a server that fails the way a real one can.
    Files.writeString(bin.resolve("mariadb-install-db"), "#!/bin/sh\n"
        + "for a; do case \"$a\" in --datadir=*) mkdir -p \"${a#--datadir=}/mysql\";; esac; done\n", UTF_8);
    Files.writeString(bin.resolve("mariadbd"), "#!/bin/sh\n"
        + "echo \"[ERROR] Can't start server: Bind on TCP/IP port: Address already in use (stand-in)\"\n"
        + "echo '[ERROR] Aborting'\nexit 1\n", UTF_8);
    for (Path path : List.of(bin, bin.resolve("mariadb-install-db"), bin.resolve("mariadbd"))) {
      // As root the commands run as user mysql, who must reach them.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    String saved = System.getProperty(Settings.MARIADB_BIN);
    System.setProperty(Settings.MARIADB_BIN, bin.toString());
    try {
      assertThatThrownBy(() -> LocalServices.builder()
              .mode(ServicesMode.EMBEDDED)
              .workDir(workDir)
              .withMariaDb()
              .start())
          .isInstanceOf(ServiceStartException.class)
          .hasMessageContaining("MariaDB exited with code 1 while starting")
          .hasMessageContaining("Address already in use (stand-in)")
          .hasMessageContaining("Aborting");

      Path empty = Files.createDirectories(workDir.resolve("empty-bin"));
      System.setProperty(Settings.MARIADB_BIN, empty.toString());
      assertThatThrownBy(() -> LocalServices.builder().mode(ServicesMode.EMBEDDED).workDir(workDir).withMariaDb().start())
          .isInstanceOf(ServiceStartException.class)
          .hasMessageContaining(Settings.MARIADB_BIN + "=" + empty)
          .hasMessageContaining("mariadbd");
    } finally {
      if (saved == null) {
        System.clearProperty(Settings.MARIADB_BIN);
      } else {
        System.setProperty(Settings.MARIADB_BIN, saved);
      }
    }
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getString(1);
    }
  }
}
