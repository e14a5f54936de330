package dev.lakestream.localservices.support;

import dev.lakestream.localservices.ServiceStartException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Polling with a deadline. Internal: not part of the API. */
public final class Wait {
  private Wait() {}

  /** A condition polled until it holds; an exception counts as "not yet" and is kept as cause. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Checked before each poll; throws to give up early, e.g. when the server process died. */
  @FunctionalInterface
  public interface Abort {
    void check();
  }

  /**
   * Polls {@code condition} every {@code interval} until it holds.
   *
   * @param what what we wait for, for the timeout message, e.g. "Kafka to answer on 127.0.0.1:1234"
   * @throws ServiceStartException naming {@code what} when {@code timeout} passes
   */
  public static void until(String what, Duration timeout, Duration interval, Abort abort, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      abort.check();
      try {
        if (condition.holds()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServiceStartException("Interrupted while waiting for " + what, e);
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        String reason = last == null ? "" : " (last error: " + last + ")";
        throw new ServiceStartException("Timed out after " + timeout.toSeconds() + " s waiting for " + what + reason, last);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServiceStartException("Interrupted while waiting for " + what, e);
      }
    }
  }
}
