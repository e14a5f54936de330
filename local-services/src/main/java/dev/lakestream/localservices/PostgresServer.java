package dev.lakestream.localservices;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL server on 127.0.0.1 with {@code wal_level=logical} (for Debezium / Flink CDC with
 * the {@code pgoutput} plugin). The user is a superuser with the REPLICATION attribute.
 */
public interface PostgresServer {

  /** Always {@code 127.0.0.1}. */
  String host();

  int port();

  /** Superuser, {@code postgres}. */
  String user();

  /** Password of {@link #user()}; the server trusts loopback connections, so any is accepted. */
  String password();

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  String jdbcUrl(String database);

  /**
   * Creates a database; does nothing when it exists. Safe to call from several threads.
   *
   * @throws ServiceStartException when the server refuses
   */
  void createDatabase(String database);

  /**
   * Runs SQL (one statement or several separated by {@code ;}) in {@code database}, in auto-commit.
   *
   * @throws ServiceStartException naming the database and the SQL when it fails
   */
  void execute(String database, String sql);

  /** A new JDBC connection to {@code database} as {@link #user()}; the caller closes it. */
  default Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user(), password());
  }
}
