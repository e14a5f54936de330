package dev.lakestream.localservices.support;

import dev.lakestream.localservices.ServiceStartException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server running as a child process, its output appended to a log file, guarded by a
 * {@link ProcessGuard} so it does not outlive a killed JVM. Internal: not part of the API.
 */
public final class ChildProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
  private static final int LOG_TAIL_LINES = 25;

  private final String serverName;
  private final Process process;
  private final Path logFile;
  private final ProcessGuard guard;
  private final Duration stopGrace;

  private ChildProcess(String serverName, Process process, Path logFile, ProcessGuard guard, Duration stopGrace) {
    this.serverName = serverName;
    this.process = process;
    this.logFile = logFile;
    this.guard = guard;
    this.stopGrace = stopGrace;
  }

  /**
   * Starts {@code command} in {@code workingDir} with {@code env} added to this JVM's environment.
   *
   * @param stopGrace how long {@link #close()} waits after SIGTERM before SIGKILL
   */
  public static ChildProcess start(String serverName, List<String> command, Path workingDir, Map<String, String> env,
      Path logFile, String hint, Duration stopGrace) {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workingDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    LOG.debug("Starting {}: {}", serverName, command);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ServiceStartException(
          serverName + " could not be started: running " + command + " failed: " + e.getMessage() + ". " + hint, e);
    }
    long pid = process.pid();
    // TERM first so the server can clean up, KILL if it is still there 5 s later.
    ProcessGuard guard = ProcessGuard.arm(serverName,
        "kill " + pid + " 2>/dev/null; i=0; while kill -0 " + pid + " 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; kill -9 "
            + pid + " 2>/dev/null");
    return new ChildProcess(serverName, process, logFile, guard, stopGrace);
  }

  /** Runs a command to completion in {@code workingDir}, output to {@code logFile}; returns its exit code. */
  public static int run(
      String serverName, List<String> command, Path workingDir, Path logFile, Duration timeout, String hint) {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workingDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    LOG.debug("{}: running {}", serverName, command);
    try {
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new ServiceStartException(serverName + ": " + command + " did not finish within " + timeout.toSeconds()
            + " s. Last lines of " + logFile + ":\n" + Files2.tail(logFile, LOG_TAIL_LINES) + "\n" + hint);
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new ServiceStartException(
          serverName + ": running " + command + " failed: " + e.getMessage() + ". " + hint, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceStartException(serverName + ": interrupted while running " + command, e);
    }
  }

  /** Throws a {@link ServiceStartException} with exit code and log tail when the process has exited. */
  public void failIfExited(String hint) {
    if (!process.isAlive()) {
      throw new ServiceStartException(serverName + " exited with code " + process.exitValue()
          + " while starting. Last lines of " + logFile + ":\n" + Files2.tail(logFile, LOG_TAIL_LINES) + "\n" + hint);
    }
  }

  /**
   * Polls {@code ready} until it holds; fails early with exit code and log when the process
   * exits, and with the log tail when {@code timeout} passes.
   */
  public void awaitReady(String what, Duration timeout, String hint, Wait.Condition ready) {
    try {
      Wait.until(serverName + " to " + what, timeout, Duration.ofMillis(100), () -> failIfExited(hint), ready);
    } catch (ServiceStartException e) {
      if (!process.isAlive()) {
        throw e;
      }
      throw new ServiceStartException(e.getMessage() + ". It is still running (pid " + process.pid()
          + "); last lines of " + logFile + ":\n" + logTail() + "\n" + hint, e.getCause());
    }
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  /** The last lines of the log, for error messages. */
  public String logTail() {
    return Files2.tail(logFile, LOG_TAIL_LINES);
  }

  /** Stops the process and its children (TERM, then KILL after the grace time), then disarms the guard. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.debug("{} (pid {}) did not stop within {} ms of SIGTERM: killing it", serverName, process.pid(),
              stopGrace.toMillis());
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      guard.disarm();
    }
  }
}
