package dev.lakestream.localservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakestream.localservices.support.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A builder-owned set of servers starts, stops on close, and never comes back half-started. */
class LocalServicesLifecycleITCase {

  @Test
  void closeStopsEveryChildServer(@TempDir Path workDir) throws Exception {
    URI objectStore;
    URI kinesis;
    int postgresPort;
    int mariaDbPort;
    try (LocalServices services = LocalServices.builder()
        .mode(ServicesMode.EMBEDDED)
        .workDir(workDir)
        .withObjectStore()
        .withPostgres()
        .withMariaDb()
        .withKinesis()
        .start()) {
      objectStore = services.objectStore().endpoint();
      kinesis = services.kinesisEndpoint();
      postgresPort = services.postgres().port();
      mariaDbPort = services.mariaDb().port();
      assertThat(answers(objectStore.getPort())).isTrue();
      assertThat(answers(kinesis.getPort())).isTrue();
      try (Connection c = services.postgres().connect("postgres")) {
        assertThat(c.isValid(5)).isTrue();
      }
      try (Connection c = services.mariaDb().connect("")) {
        assertThat(c.isValid(5)).isTrue();
      }
      assertThatThrownBy(services::kafkaBootstrapServers)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("withKafka()");
      assertThatThrownBy(services::icebergCatalogProperties)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("withIcebergCatalog()");
      assertThat(Files.exists(workDir.resolve("s3proxy").resolve("s3proxy.log"))).isTrue();
    }
    assertThat(answers(objectStore.getPort())).as("s3proxy stopped").isFalse();
    assertThat(answers(kinesis.getPort())).as("kinesis-local stopped").isFalse();
    assertThat(answers(postgresPort)).as("PostgreSQL stopped").isFalse();
    assertThat(answers(mariaDbPort)).as("MariaDB stopped").isFalse();
    assertThat(childCommands()).noneMatch(command -> command.contains(workDir.toString()));
  }

  @Test
  void aServerThatCannotStartFailsTheWholeStartAndStopsTheOthers(@TempDir Path workDir, @TempDir Path empty) {
    String saved = System.getProperty(Settings.KINESIS_LOCAL_DIR);
    System.setProperty(Settings.KINESIS_LOCAL_DIR, empty.toString());
    try {
      assertThatThrownBy(() -> LocalServices.builder()
              .mode(ServicesMode.EMBEDDED)
              .workDir(workDir)
              .withObjectStore()
              .withKinesis()
              .start())
          .isInstanceOf(ServiceStartException.class)
          .hasMessageContaining("Kinesis-API server (kinesis-local)")
          .hasMessageContaining("not found in " + empty)
          .hasMessageContaining("install-prerequisites.sh");
    } finally {
      if (saved == null) {
        System.clearProperty(Settings.KINESIS_LOCAL_DIR);
      } else {
        System.setProperty(Settings.KINESIS_LOCAL_DIR, saved);
      }
    }
    assertThat(childCommands()).as("s3proxy started beside it was stopped").noneMatch(command -> command.contains("s3proxy")
        && command.contains(workDir.toString()));
  }

  private static boolean answers(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  /** Command lines of this JVM's live child processes (those of the shared servers included). */
  private static List<String> childCommands() {
    return ProcessHandle.current().children()
        .filter(ProcessHandle::isAlive)
        .map(child -> child.info().commandLine().orElse(""))
        .collect(Collectors.toList());
  }
}
