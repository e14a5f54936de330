package dev.lakestream.localservices.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a server even when this JVM is killed (SIGKILL, a test fork killed on timeout), where no
 * shutdown hook runs. A small {@code sh} reads a line from a pipe whose write end only this JVM
 * holds: the kernel closes it when the JVM dies, {@code read} sees end of file and the shell runs
 * the cleanup script. {@link #disarm()} writes "disarm" so a normal stop skips the cleanup.
 * Internal: not part of the API.
 */
public final class ProcessGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGuard.class);
  private static final String SCRIPT =
      "IFS= read -r line; [ \"$line\" = disarm ] && exit 0; exec sh -c \"$1\"";

  private final String name;
  private final Process process;

  private ProcessGuard(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts a guard; when it cannot (no sh), logs a warning and returns a guard that does nothing,
   * since the guard only matters when the JVM dies without its shutdown hook.
   */
  public static ProcessGuard arm(String name, String cleanupScript) {
    try {
      Process process = new ProcessBuilder("sh", "-c", SCRIPT, "lakestream-guard", cleanupScript)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return new ProcessGuard(name, process);
    } catch (IOException e) {
      LOG.warn("No guard for {} (it may outlive a killed JVM): {}", name, e.toString());
      return new ProcessGuard(name, null);
    }
  }

  /** A guard that does nothing, for what needs no cleanup. */
  public static ProcessGuard none() {
    return new ProcessGuard("nothing", null);
  }

  /** The server was stopped normally: end the guard without running its cleanup. */
  public void disarm() {
    if (process == null || !process.isAlive()) {
      return;
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write("disarm\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      LOG.debug("Guard of {} already gone: {}", name, e.toString());
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    disarm();
  }
}
