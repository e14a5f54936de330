package dev.lakestream.localservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakestream.localservices.testcontainers.DockerProbe;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Selecting Testcontainers without a Docker daemon fails fast and says what to do. */
class TestcontainersModeTest {
  private static final Duration FAST = Duration.ofSeconds(20);
  private String saved;

  @BeforeEach
  void saveProperty() {
    saved = System.getProperty(ServicesMode.PROPERTY);
  }

  @AfterEach
  void restoreProperty() {
    if (saved == null) {
      System.clearProperty(ServicesMode.PROPERTY);
    } else {
      System.setProperty(ServicesMode.PROPERTY, saved);
    }
  }

  @Test
  void withoutDockerStartFailsWithTheClearMessage() {
    DockerProbe noDocker = timeout -> Optional.of("no Docker daemon at unix:///var/run/docker.sock");
    assertThatThrownBy(() -> LocalServices.builder()
            .mode(ServicesMode.TESTCONTAINERS)
            .dockerProbe(noDocker, FAST)
            .withKafka()
            .withObjectStore()
            .start())
        .isInstanceOf(ServiceStartException.class)
        .hasMessageStartingWith("lakestream.services=testcontainers needs a Docker daemon: ")
        .hasMessageContaining("no Docker daemon at unix:///var/run/docker.sock")
        .hasMessageContaining("unset it to use the embedded servers");
  }

  /**
   * The real probe, selected through the system property as a user would. This machine has no
   * Docker daemon, so start() must fail within seconds; where a daemon answers, the probe must say
   * so just as fast (and no container is started by a unit test).
   */
  @Test
  void selectedBySystemPropertyTheRealProbeAnswersFast() {
    System.setProperty(ServicesMode.PROPERTY, "testcontainers");
    long begin = System.nanoTime();
    Optional<String> problem = DockerProbe.testcontainers().problem(FAST);
    Duration probeTime = Duration.ofNanos(System.nanoTime() - begin);
    assertThat(probeTime).isLessThan(FAST.plusSeconds(2));

    if (problem.isPresent()) {
      begin = System.nanoTime();
      assertThatThrownBy(() -> LocalServices.builder().withKafka().withObjectStore().start())
          .isInstanceOf(ServiceStartException.class)
          .hasMessageStartingWith("lakestream.services=testcontainers needs a Docker daemon: ")
          .hasMessageContaining("unset it to use the embedded servers");
      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(FAST.plusSeconds(2));
    } else {
      assertThat(ServicesMode.fromSystem()).isEqualTo(ServicesMode.TESTCONTAINERS);
    }
  }
}
