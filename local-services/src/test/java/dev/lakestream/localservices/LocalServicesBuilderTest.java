package dev.lakestream.localservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalServicesBuilderTest {

  @Test
  void startWithoutAnyServerIsRefused() {
    assertThatThrownBy(() -> LocalServices.builder().mode(ServicesMode.EMBEDDED).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("withKafka()");
  }

  @Test
  void uniqueNamesAreDistinctAndSafe() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      names.add(LocalServices.uniqueNameFor("Orders-Topic.v1"));
    }
    assertThat(names).hasSize(1_000).allSatisfy(name -> assertThat(name).matches("orders_topic_v1_[0-9]+_[a-z0-9]{6}"));
    assertThat(LocalServices.uniqueNameFor("7up")).matches("n7up_[0-9]+_[a-z0-9]{6}");
    assertThat(LocalServices.uniqueNameFor("x".repeat(100))).hasSizeLessThan(60);
  }

  @Test
  void aServerThatLostItsPortIsStartedAgainButOtherFailuresAreNot() {
    assertThat(LocalServices.isPortClash(new ServiceStartException("kinesis-local exited: Error: listen EADDRINUSE: address already in use"))).isTrue();
    assertThat(LocalServices.isPortClash(new ServiceStartException("Kafka failed",
        new RuntimeException("Socket server failed to bind to 127.0.0.1:1: Address already in use.")))).isTrue();
    assertThat(LocalServices.isPortClash(new ServiceStartException("s3proxy failed", new java.net.BindException("bind")))).isTrue();
    // s3proxy exits after logging Jetty's bind failure; the exception carries the log's last lines.
    assertThat(LocalServices.isPortClash(new ServiceStartException("S3-compatible store (s3proxy) exited with code 1 while"
        + " starting. Last lines of s3proxy.log:\n  | [s3proxy] E 11-22 15:19:01.561 main org.gaul.s3proxy.Main:203 |::]"
        + " Failed to bind to /127.0.0.1:44411"))).isTrue();
    assertThat(LocalServices.isPortClash(new ServiceStartException("PostgreSQL: initdb not found"))).isFalse();
  }
}
