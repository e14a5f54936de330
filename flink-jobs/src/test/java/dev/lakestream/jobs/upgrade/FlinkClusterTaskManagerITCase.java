package dev.lakestream.jobs.upgrade;

import dev.lakestream.localservices.flink.FlinkCluster;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * local-services' {@link FlinkCluster#killTaskManager()} and {@link FlinkCluster#startTaskManager()},
 * which the freshness benchmark uses to lose a TaskManager under load: the kill ends the process
 * for real (SIGKILL), the replacement is a new process that registers under a new id, and the
 * JobManager drops the lost one (its heartbeats fail). Here rather than in local-services because
 * this module resolves the cluster's classpath ({@code target/flink-cluster}).
 */
class FlinkClusterTaskManagerITCase {

    @Test
    void aKilledTaskManagerIsGoneAndItsReplacementRegisters() throws Exception {
        Path dir = Path.of("target", "flink-cluster-tm-loss-" + ProcessHandle.current().pid()).toAbsolutePath();
        try (FlinkCluster cluster = FlinkCluster.builder(FlinkCluster.classpathFrom(Path.of("target", "flink-cluster")))
                .dir(dir).taskSlots(1).start()) {
            assertThat(taskManagers(cluster.restEndpoint())).contains("\"lakestream-taskmanager-1\"");
            assertThatThrownBy(cluster::startTaskManager).as("a second TaskManager while the first runs")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("still running");

            long lost = cluster.taskManagerPid();
            cluster.killTaskManager();
            assertThat(ProcessHandle.of(lost).map(ProcessHandle::isAlive).orElse(false)).as("killed TaskManager alive").isFalse();

            cluster.startTaskManager();
            long replacement = cluster.taskManagerPid();
            assertThat(replacement).isNotEqualTo(lost);
            assertThat(ProcessHandle.of(replacement).map(ProcessHandle::isAlive).orElse(false)).as("replacement alive").isTrue();

            // The JobManager lists the replacement (startTaskManager waited for it) and drops the lost one once its
            // heartbeat RPCs have failed (heartbeat.interval 2 s here); the timeout (20 s) bounds it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String listed = taskManagers(cluster.restEndpoint());
            while (listed.contains("\"lakestream-taskmanager-1\"") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                listed = taskManagers(cluster.restEndpoint());
            }
            assertThat(listed).as("TaskManagers the JobManager lists 60 s after the kill")
                    .contains("\"lakestream-taskmanager-2\"").doesNotContain("\"lakestream-taskmanager-1\"");
        }
    }

    private static String taskManagers(URI rest) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(rest.resolve("/taskmanagers"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /taskmanagers: %s", r.body()).isEqualTo(200);
        return r.body();
    }
}
