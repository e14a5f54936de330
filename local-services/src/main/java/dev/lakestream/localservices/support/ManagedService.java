package dev.lakestream.localservices.support;

/** A started server that {@code LocalServices} stops. Internal: not part of the API. */
public interface ManagedService extends AutoCloseable {

  /** Human-readable name for logs and error messages, e.g. "Kafka (embedded KRaft)". */
  String name();

  /** Stops the server; may throw, the caller logs it. */
  @Override
  void close();
}
