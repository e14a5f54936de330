package dev.lakestream.localservices.testcontainers;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;

/** Tells whether a Docker daemon answers. Internal: not part of the API. */
@FunctionalInterface
public interface DockerProbe {

  /** Empty when a Docker daemon answered; else why not, in one line. Returns within {@code timeout}. */
  Optional<String> problem(Duration timeout);

  /** Asks Testcontainers, on a daemon thread so a daemon that never answers cannot hang the caller. */
  static DockerProbe testcontainers() {
    return timeout -> {
      FutureTask<Optional<String>> probe = new FutureTask<>(() -> {
        try {
          DockerClientFactory.instance().client();
          return Optional.empty();
        } catch (Throwable e) {
          String message = String.valueOf(e.getMessage());
          int newline = message.indexOf('\n');
          return Optional.of(e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline)));
        }
      });
      Thread thread = new Thread(probe, "lakestream-docker-probe");
      thread.setDaemon(true);
      thread.start();
      try {
        return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return Optional.of("Testcontainers found no Docker environment within " + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        return Optional.of(String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while looking for a Docker daemon");
      }
    };
  }
}
