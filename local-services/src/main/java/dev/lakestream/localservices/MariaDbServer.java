package dev.lakestream.localservices;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A MariaDB server (MySQL protocol) on 127.0.0.1 with a row-based binary log ({@code
 * binlog_format=ROW}, {@code binlog_row_image=FULL}, {@code server_id=1}), as Debezium / Flink
 * CDC's MySQL source reads it. Sessions default to UTC ({@code default_time_zone=+00:00}) and
 * {@code utf8mb4}.
 *
 * <p>Two users: {@link #user()} may do anything (create databases, tables, rows); {@link
 * #cdcUser()} has only {@code SELECT}, {@code REPLICATION SLAVE} and {@code REPLICATION CLIENT},
 * what a capture needs, so a test proves the capture works with no more.
 */
public interface MariaDbServer {

  /** Always {@code 127.0.0.1}. */
  String host();

  int port();

  /** Administrator with every privilege. */
  String user();

  String password();

  /** User for CDC: SELECT, REPLICATION SLAVE and REPLICATION CLIENT on everything. */
  String cdcUser();

  String cdcPassword();

  /**
   * The server's own {@code server_id}; a binlog client (a CDC source) must use other ids, since
   * the server drops a replica connection that claims its id.
   */
  int serverId();

  /** e.g. {@code 10.11.19-MariaDB-0+deb12u1-log}, from {@code SELECT VERSION()}. */
  String version();

  /** {@code jdbc:mysql://127.0.0.1:<port>/<database>} (MySQL Connector/J). */
  String jdbcUrl(String database);

  /**
   * Creates a database ({@code utf8mb4}); does nothing when it exists. Safe to call from several
   * threads.
   *
   * @throws ServiceStartException when the server refuses
   */
  void createDatabase(String database);

  /**
   * Runs SQL (one statement or several separated by {@code ;}) in {@code database} as {@link
   * #user()}, in auto-commit.
   *
   * @throws ServiceStartException naming the database and the SQL when it fails
   */
  void execute(String database, String sql);

  /** A new JDBC connection to {@code database} as {@link #user()}; the caller closes it. */
  default Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user(), password());
  }
}
