package dev.lakestream.benchmarks;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the benchmark reads of one job from the cluster's REST API (Flink 1.20): whether every task
 * runs ({@code GET /jobs/{id}}: each vertex' status), the checkpoint statistics ({@code GET
 * /jobs/{id}/checkpoints}: its history, kept here by id across polls since the cluster keeps only
 * the last {@code web.checkpoints.history}), and when the JobManager recorded failures ({@code GET
 * /jobs/{id}/exceptions}).
 */
final class FreshnessJobMonitor {

    /** One completed or failed checkpoint as the REST API reports it. */
    static final class Checkpoint {
        long id;
        String status;
        long triggerMillis;
        long latestAckMillis;
        /** end_to_end_duration: trigger to the last acknowledgement. */
        long durationMillis;
        /** checkpointed_size: what this checkpoint uploaded (incremental). */
        long checkpointedBytes;
        /** state_size: the full state the checkpoint refers to. */
        long stateBytes;
        /** failure_message of a failed checkpoint; null for a completed one. */
        String failureMessage;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String jobId;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Long, Checkpoint> checkpoints = new TreeMap<>();

    FreshnessJobMonitor(URI endpoint, String jobId) {
        this.endpoint = endpoint;
        this.jobId = jobId;
    }

    /** The job's state (e.g. RUNNING) and whether every vertex is RUNNING (every task deployed and started). */
    String[] status() throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        boolean all = job.path("vertices").size() > 0;
        for (JsonNode v : job.path("vertices")) {
            all &= "RUNNING".equals(v.path("status").asText());
        }
        return new String[] {job.path("state").asText(), Boolean.toString(all)};
    }

    /** Polls the checkpoint history; returns the completed count the API reports. */
    long pollCheckpoints() throws IOException, InterruptedException {
        JsonNode stats = get("/jobs/" + jobId + "/checkpoints");
        for (JsonNode h : stats.path("history")) {
            String status = h.path("status").asText();
            if (!"COMPLETED".equals(status) && !"FAILED".equals(status)) {
                continue; // in progress: its numbers are not final yet
            }
            Checkpoint c = new Checkpoint();
            c.id = h.path("id").asLong();
            c.status = status;
            c.triggerMillis = h.path("trigger_timestamp").asLong();
            c.latestAckMillis = h.path("latest_ack_timestamp").asLong();
            c.durationMillis = h.path("end_to_end_duration").asLong();
            c.checkpointedBytes = h.path("checkpointed_size").asLong();
            c.stateBytes = h.path("state_size").asLong();
            c.failureMessage = h.hasNonNull("failure_message") ? h.get("failure_message").asText() : null;
            checkpoints.put(c.id, c);
        }
        return stats.path("counts").path("completed").asLong();
    }

    List<Checkpoint> checkpoints() {
        return new ArrayList<>(checkpoints.values());
    }

    /** Timestamps of the failures in the job's exception history, oldest first, with their exception names. */
    TreeMap<Long, String> failures() throws IOException, InterruptedException {
        TreeMap<Long, String> out = new TreeMap<>();
        for (JsonNode e : get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
            out.put(e.path("timestamp").asLong(), e.path("exceptionName").asText());
        }
        return out;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + endpoint + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
