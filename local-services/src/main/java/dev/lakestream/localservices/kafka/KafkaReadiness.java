package dev.lakestream.localservices.kafka;

import dev.lakestream.localservices.support.Wait;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Waits until an AdminClient can describe the cluster. Internal: not part of the API. */
public final class KafkaReadiness {
  private KafkaReadiness() {}

  public static void await(String name, String bootstrapServers, Duration timeout, Wait.Abort abort) {
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
    try (Admin admin = Admin.create(config)) {
      Wait.until(name + " to answer an AdminClient on " + bootstrapServers, timeout, Duration.ofMillis(100), abort,
          () -> !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
              .nodes().get(3, TimeUnit.SECONDS).isEmpty());
    }
  }
}
