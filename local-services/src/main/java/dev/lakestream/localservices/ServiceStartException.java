package dev.lakestream.localservices;

/**
 * A local server could not be started (or a call on a started one failed). The message names the
 * server, says why (exit code and last lines of its log where there is one) and what to do.
 */
public class ServiceStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message which server, why, and what to do */
  public ServiceStartException(String message) {
    super(message);
  }

  /**
   * @param message which server, why, and what to do
   * @param cause the underlying failure
   */
  public ServiceStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
