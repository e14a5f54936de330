package dev.lakestream.localservices.flink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few calls of Flink's REST API (1.20) that a test needs to run an application jar the way an
 * operator does: upload it, run it (optionally from a savepoint), watch the job, stop it with a
 * savepoint, and read why it failed. Over {@code java.net.http}, HTTP/1.1; responses are read
 * with a few field look-ups rather than a JSON library, since local-services carries none.
 */
public final class FlinkRestClient {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkRestClient.class);
  /** States after which a job never runs again. */
  public static final Set<String> TERMINAL = Set.of("FINISHED", "CANCELED", "FAILED");

  private final URI endpoint;
  private final HttpClient http;

  public FlinkRestClient(URI endpoint) {
    this.endpoint = endpoint;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A call answered with an error status, or a job that ended where it should not have. */
  public static final class FlinkRestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FlinkRestException(String message) {
      super(message);
    }

    FlinkRestException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The outcome of a savepoint (or stop-with-savepoint) operation. */
  public static final class SavepointStatus {
    /** {@code IN_PROGRESS} or {@code COMPLETED}. */
    public final String status;
    /** The savepoint's location once completed; null on failure or in progress. */
    public final String location;
    /** Why it failed (the cause's stack trace); null unless it failed. */
    public final String failure;

    SavepointStatus(String status, String location, String failure) {
      this.status = status;
      this.location = location;
      this.failure = failure;
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Whether the REST endpoint answers (for readiness polls). */
  static boolean probe(URI endpoint) throws IOException, InterruptedException {
    return new FlinkRestClient(endpoint).send(HttpRequest.newBuilder(endpoint.resolve("/config")).GET(), Duration.ofSeconds(5))
        .statusCode() == 200;
  }

  /** {@code GET /taskmanagers}: the raw answer; empty when it fails. */
  static String taskManagers(URI endpoint) throws IOException, InterruptedException {
    HttpResponse<String> r = new FlinkRestClient(endpoint).send(
        HttpRequest.newBuilder(endpoint.resolve("/taskmanagers")).GET(), Duration.ofSeconds(5));
    return r.statusCode() == 200 ? r.body() : "";
  }

  /** {@code POST /jars/upload}; returns the jar id for {@link #runJar}. */
  public String uploadJar(Path jar) {
    String boundary = "lakestream-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
          + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.write(Files.readAllBytes(jar));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new FlinkRestException("Cannot read the jar " + jar + " to upload: " + e, e);
    }
    String response = call("upload " + jar.getFileName(), HttpRequest.newBuilder(endpoint.resolve("/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), Duration.ofMinutes(2));
    String filename = string(response, "filename").orElseThrow(() -> new FlinkRestException(
        "Uploading " + jar + " answered without a filename: " + response));
    String id = Path.of(filename).getFileName().toString();
    LOG.info("Uploaded {} as jar {}", jar.getFileName(), id);
    return id;
  }

  /**
   * {@code POST /jars/{id}/run}: runs the jar's main class with {@code programArgs} in the
   * JobManager (which blocks until main() has submitted its job) and returns the job id.
   *
   * @param savepointPath the savepoint to restore, or null for a fresh start
   * @param allowNonRestoredState whether state of the savepoint that maps to no operator may be
   *     dropped; false makes a removed or renamed uid fail the restore
   */
  public String runJar(String jarId, List<String> programArgs, String savepointPath, boolean allowNonRestoredState) {
    StringBuilder json = new StringBuilder("{\"programArgsList\":[");
    for (int i = 0; i < programArgs.size(); i++) {
      json.append(i == 0 ? "" : ",").append(quote(programArgs.get(i)));
    }
    json.append("],\"allowNonRestoredState\":").append(allowNonRestoredState);
    if (savepointPath != null) {
      json.append(",\"savepointPath\":").append(quote(savepointPath));
    }
    json.append('}');
    String response = call("run jar " + jarId, HttpRequest.newBuilder(endpoint.resolve("/jars/" + jarId + "/run"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.toString())), Duration.ofMinutes(5));
    String jobId = string(response, "jobid").orElseThrow(() -> new FlinkRestException(
        "Running jar " + jarId + " answered without a job id: " + response));
    LOG.info("Jar {} runs as job {}{}", jarId, jobId, savepointPath == null ? "" : " from savepoint " + savepointPath);
    return jobId;
  }

  /** {@code GET /jobs/{id}}: the job's state, e.g. {@code RUNNING}. */
  public String jobStatus(String jobId) {
    String response = call("status of job " + jobId, HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId)).GET(),
        Duration.ofSeconds(30));
    return string(response, "state").orElseThrow(() -> new FlinkRestException("No state for job " + jobId + ": " + response));
  }

  /**
   * Polls until the job is in {@code status}; fails at once, with the job's exceptions, when it
   * reaches another terminal state, and with its current state at the deadline.
   */
  public void awaitStatus(String jobId, String status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String current = null;
    while (System.nanoTime() < deadline) {
      current = jobStatus(jobId);
      if (current.equals(status)) {
        return;
      }
      if (TERMINAL.contains(current)) {
        throw new FlinkRestException("Job " + jobId + " is " + current + ", not " + status + ". " + failureSummary(jobId));
      }
      pause();
    }
    throw new FlinkRestException("Job " + jobId + " is still " + current + " after " + timeout.toSeconds() + " s, not "
        + status + ". " + failureSummary(jobId));
  }

  /** {@code GET /jobs/{id}/checkpoints}: how many checkpoints (savepoints included) completed. */
  public long completedCheckpoints(String jobId) {
    String response = call("checkpoints of job " + jobId,
        HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId + "/checkpoints")).GET(), Duration.ofSeconds(30));
    return number(response, "completed").orElse(0L);
  }

  /**
   * {@code POST /jobs/{id}/stop} (stop with savepoint, no drain: the job's watermark is not
   * advanced to the end of time, so event-time state carries over), then polls {@code GET
   * /jobs/{id}/savepoints/{trigger}} until it completes.
   *
   * @param targetDirectory where the savepoint goes; null: the cluster's savepoint directory
   * @return the savepoint's location, for {@link #runJar}
   */
  public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
    String trigger = triggerStop(jobId, targetDirectory);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      SavepointStatus s = savepointStatus(jobId, trigger);
      if ("COMPLETED".equals(s.status)) {
        if (s.failure != null || s.location == null) {
          throw new FlinkRestException("Stop with savepoint of job " + jobId + " failed: " + s.failure + ". "
              + failureSummary(jobId));
        }
        LOG.info("Job {} stopped with savepoint {}", jobId, s.location);
        return s.location;
      }
      pause();
    }
    throw new FlinkRestException("Stop with savepoint of job " + jobId + " did not complete within "
        + timeout.toSeconds() + " s; the job is " + jobStatus(jobId));
  }

  /** {@code POST /jobs/{id}/stop} with {@code drain=false}; returns the trigger id. */
  public String triggerStop(String jobId, String targetDirectory) {
    String body = "{\"drain\":false,\"formatType\":\"CANONICAL\""
        + (targetDirectory == null ? "" : ",\"targetDirectory\":" + quote(targetDirectory)) + "}";
    String response = call("stop job " + jobId, HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId + "/stop"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), Duration.ofSeconds(30));
    return string(response, "request-id").orElseThrow(() -> new FlinkRestException(
        "Stopping job " + jobId + " answered without a request id: " + response));
  }

  /** {@code GET /jobs/{id}/savepoints/{trigger}}. */
  public SavepointStatus savepointStatus(String jobId, String trigger) {
    String response = call("savepoint " + trigger + " of job " + jobId,
        HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId + "/savepoints/" + trigger)).GET(), Duration.ofSeconds(30));
    Matcher status = Pattern.compile("\"status\"\\s*:\\s*\\{\\s*\"id\"\\s*:\\s*\"(\\w+)\"").matcher(response);
    return new SavepointStatus(status.find() ? status.group(1) : "UNKNOWN", string(response, "location").orElse(null),
        response.contains("\"failure-cause\"") ? string(response, "stack-trace").orElse(response) : null);
  }

  /** {@code GET /jobs/{id}/exceptions}: the raw answer (root exception and history). */
  public String exceptions(String jobId) {
    return call("exceptions of job " + jobId, HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId + "/exceptions")).GET(),
        Duration.ofSeconds(30));
  }

  /** The job's root exception, or a note that there is none, for failure messages. */
  public String failureSummary(String jobId) {
    try {
      String answer = exceptions(jobId);
      Optional<String> root = string(answer, "root-exception");
      return root.map(r -> "Root exception: " + (r.length() > 4_000 ? r.substring(0, 4_000) + "..." : r))
          .orElse("No root exception recorded.");
    } catch (RuntimeException e) {
      return "(could not read the job's exceptions: " + e.getMessage() + ")";
    }
  }

  /** {@code PATCH /jobs/{id}?mode=cancel}. */
  public void cancel(String jobId) {
    call("cancel job " + jobId, HttpRequest.newBuilder(endpoint.resolve("/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()), Duration.ofSeconds(30));
  }

  private String call(String what, HttpRequest.Builder request, Duration timeout) {
    HttpResponse<String> response;
    try {
      response = send(request, timeout);
    } catch (IOException e) {
      throw new FlinkRestException("Flink REST call to " + what + " on " + endpoint + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlinkRestException("Interrupted during the Flink REST call to " + what, e);
    }
    if (response.statusCode() / 100 != 2) {
      // Flink answers {"errors":[...]}; for a failing main() the first error holds its stack trace.
      throw new FlinkRestException("Flink REST call to " + what + " answered " + response.statusCode() + ": "
          + unescape(response.body()));
    }
    return response.body();
  }

  private HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) throws IOException, InterruptedException {
    return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlinkRestException("Interrupted while polling the Flink REST API", e);
    }
  }

  /** The first string value of {@code key} anywhere in {@code json}. */
  static Optional<String> string(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    return m.find() ? Optional.of(unescape(m.group(1))) : Optional.empty();
  }

  /** The first integer value of {@code key} anywhere in {@code json}. */
  static Optional<Long> number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
    return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }

  private static String unescape(String s) {
    return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"").replace("\\/", "/").replace("\\\\", "\\");
  }
}
