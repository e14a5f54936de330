package dev.lakestream.localservices.testcontainers;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.kafka.KafkaReadiness;
import dev.lakestream.localservices.kafka.KafkaService;
import dev.lakestream.localservices.objectstore.S3ObjectStore;
import java.net.URI;
import java.time.Duration;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka and MinIO in Docker through Testcontainers. Internal: not part of the API. */
public final class ContainerServices {
  public static final String KAFKA_IMAGE = "apache/kafka:3.8.1";
  public static final String MINIO_IMAGE = "minio/minio:RELEASE.2023-09-04T19-57-37Z";

  private ContainerServices() {}

  /**
   * Fails fast, before any container, when no Docker daemon answers.
   *
   * @throws ServiceStartException saying what to do
   */
  public static void requireDocker(DockerProbe probe, Duration timeout) {
    probe.problem(timeout).ifPresent(problem -> {
      throw new ServiceStartException("lakestream.services=testcontainers needs a Docker daemon: " + problem
          + "; unset it to use the embedded servers (or set lakestream.services=embedded).");
    });
  }

  public static KafkaService startKafka(Duration timeout) {
    KafkaContainer container = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_NUM_PARTITIONS", "1")
        .withStartupTimeout(timeout);
    String name = "Kafka (Testcontainers " + KAFKA_IMAGE + ")";
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw new ServiceStartException(name + " failed to start: " + e + ". Container log:\n" + safeLogs(container), e);
    }
    String bootstrapServers = container.getBootstrapServers();
    try {
      KafkaReadiness.await(name, bootstrapServers, timeout, () -> { });
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
    return new KafkaService() {
      @Override
      public String bootstrapServers() {
        return bootstrapServers;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public void close() {
        container.stop();
      }
    };
  }

  public static S3ObjectStore startMinio(Duration timeout) {
    MinIOContainer container = new MinIOContainer(DockerImageName.parse(MINIO_IMAGE)).withStartupTimeout(timeout);
    String name = "S3-compatible store (Testcontainers " + MINIO_IMAGE + ")";
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw new ServiceStartException(name + " failed to start: " + e + ". Container log:\n" + safeLogs(container), e);
    }
    return new S3ObjectStore(name, URI.create(container.getS3URL()), container.getUserName(), container.getPassword(),
        container::stop);
  }

  private static String safeLogs(org.testcontainers.containers.GenericContainer<?> container) {
    try {
      return container.getLogs();
    } catch (RuntimeException e) {
      return "(no container log: " + e + ")";
    }
  }
}
