package dev.lakestream.localservices;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the local servers come from. Chosen by system property {@value #PROPERTY}, else
 * environment variable {@value #ENV}; unset or blank means {@link #EMBEDDED}.
 */
public enum ServicesMode {
  /** Every server from Maven, npm or Debian packages on loopback; no Docker needed. The default. */
  EMBEDDED("embedded"),
  /**
   * Kafka and the object store (MinIO) in Docker through Testcontainers; PostgreSQL, MariaDB and
   * the Kinesis-API server stay embedded. Needs a Docker daemon.
   */
  TESTCONTAINERS("testcontainers");

  /** System property selecting the mode. */
  public static final String PROPERTY = "lakestream.services";
  /** Environment variable selecting the mode when the system property is unset. */
  public static final String ENV = "LAKESTREAM_SERVICES";

  private final String id;

  ServicesMode(String id) {
    this.id = id;
  }

  /** The value that selects this mode, e.g. {@code embedded}. */
  public String id() {
    return id;
  }

  /**
   * The mode selected by system property {@value #PROPERTY}, else environment variable
   * {@value #ENV}, else {@link #EMBEDDED}.
   *
   * @throws IllegalArgumentException naming the key and the allowed values for any other value
   */
  public static ServicesMode fromSystem() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return parse(property, "system property " + PROPERTY);
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return parse(env, "environment variable " + ENV);
    }
    return EMBEDDED;
  }

  /**
   * Parses a mode id, ignoring case and surrounding blanks.
   *
   * @param source where the value came from, for the error message, e.g. "system property lakestream.services"
   * @throws IllegalArgumentException naming {@code source} and the allowed values when {@code value} is none of them
   */
  public static ServicesMode parse(String value, String source) {
    String normalized = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (ServicesMode mode : values()) {
      if (mode.id.equals(normalized)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("Unsupported value '" + value + "' of " + source + ": allowed values are "
        + Arrays.stream(values()).map(ServicesMode::id).collect(Collectors.joining(", "))
        + " (unset means " + EMBEDDED.id + ")");
  }
}
