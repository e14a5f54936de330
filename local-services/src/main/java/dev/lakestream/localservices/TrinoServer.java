package dev.lakestream.localservices;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A Trino server on 127.0.0.1 (coordinator and only worker), the local stand-in for Amazon Athena:
 * an engine independent of Flink and of Iceberg's Java reader that reads the tables of
 * {@link LocalServices#icebergCatalogProperties()} through the same JDBC catalog and object store.
 * Its catalog {@value #CATALOG} is read-only and serves the Iceberg tables registered under the
 * JDBC catalog name {@value #ICEBERG_CATALOG_NAME}, the default {@code catalog.name} of the
 * pipeline. Get it from {@link LocalServices#trino()}.
 */
public interface TrinoServer {

  /** The Trino catalog holding the Iceberg tables: {@code SELECT * FROM lakehouse.bronze.orders}. */
  String CATALOG = "lakehouse";

  /**
   * The name tables must be created under in the JDBC catalog ({@code catalog_name} in its tables;
   * the {@code name} given to {@code JdbcCatalog.initialize}) to be seen by Trino.
   */
  String ICEBERG_CATALOG_NAME = "lakehouse";

  /** HTTP endpoint, e.g. {@code http://127.0.0.1:41234}; the web UI is at {@code /ui/}. */
  URI endpoint();

  /** {@code jdbc:trino://127.0.0.1:<port>/lakehouse}, for the {@code io.trino:trino-jdbc} driver. */
  String jdbcUrl();

  /** Any user name is accepted (no authentication); this one is used by {@link #connect()}. */
  String user();

  /** The Trino version, e.g. {@code 476}. */
  String version();

  /** The server's log (stdout and stderr of its JVM). */
  Path logFile();

  /** How long the server took from launch until it ran a query on a worker node. */
  Duration startupTime();

  /**
   * A new JDBC connection as {@link #user()}; needs {@code io.trino:trino-jdbc} on the caller's
   * class path. The caller closes it.
   */
  default Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), null);
  }
}
