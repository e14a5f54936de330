package dev.lakestream.localservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServicesModeTest {
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
  void parsesTheAllowedValuesIgnoringCaseAndBlanks() {
    assertThat(ServicesMode.parse("embedded", "test")).isEqualTo(ServicesMode.EMBEDDED);
    assertThat(ServicesMode.parse(" TestContainers ", "test")).isEqualTo(ServicesMode.TESTCONTAINERS);
  }

  @Test
  void badValueNamesTheKeyAndTheAllowedValues() {
    assertThatThrownBy(() -> ServicesMode.parse("docker", "system property lakestream.services"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'docker'")
        .hasMessageContaining("lakestream.services")
        .hasMessageContaining("embedded, testcontainers");
  }

  @Test
  void fromSystemReadsTheSystemProperty() {
    System.setProperty(ServicesMode.PROPERTY, "testcontainers");
    assertThat(ServicesMode.fromSystem()).isEqualTo(ServicesMode.TESTCONTAINERS);
    System.setProperty(ServicesMode.PROPERTY, "embedded");
    assertThat(ServicesMode.fromSystem()).isEqualTo(ServicesMode.EMBEDDED);
  }

  @Test
  void fromSystemRejectsABadSystemPropertyNamingIt() {
    System.setProperty(ServicesMode.PROPERTY, "containers");
    assertThatThrownBy(ServicesMode::fromSystem)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("system property lakestream.services")
        .hasMessageContaining("embedded, testcontainers");
  }

  @Test
  void blankSystemPropertyFallsBackToTheEnvironmentOrEmbedded() {
    System.setProperty(ServicesMode.PROPERTY, " ");
    String env = System.getenv(ServicesMode.ENV);
    ServicesMode expected = env == null || env.isBlank() ? ServicesMode.EMBEDDED : ServicesMode.parse(env, "env");
    assertThat(ServicesMode.fromSystem()).isEqualTo(expected);
  }
}
