package dev.lakestream.localservices.kafka;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.Ports;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka 3.4 KRaft cluster (combined broker and controller) in this JVM, on free
 * loopback ports. Internal: not part of the API.
 */
public final class EmbeddedKafka implements KafkaService {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String NAME = "Kafka (embedded KRaft)";

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /** Thrown instead of exiting the JVM when Kafka code calls {@code Exit.exit} or {@code Exit.halt}. */
  static final class KafkaExitException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int statusCode;

    KafkaExitException(String kind, int statusCode, String message) {
      super("Kafka called " + kind + "(" + statusCode + ")" + (message == null ? "" : ": " + message));
      this.statusCode = statusCode;
    }
  }

  /**
   * Kafka's tools and fatal-error paths call Exit, which would end the test JVM; make them throw
   * instead, for the life of the JVM (the broker may hit such a path at any time).
   */
  private static synchronized void neverExitTheJvm() {
    Exit.setExitProcedure((statusCode, message) -> {
      throw new KafkaExitException("Exit.exit", statusCode, message);
    });
    Exit.setHaltProcedure((statusCode, message) -> {
      LOG.error("Kafka asked to halt the JVM with status {}: {} (ignored)", statusCode, message);
      throw new KafkaExitException("Exit.halt", statusCode, message);
    });
  }

  public static EmbeddedKafka start(Path dir, Duration timeout) {
    neverExitTheJvm();
    int brokerPort = Ports.freeLoopbackPort();
    int controllerPort = Ports.freeLoopbackPort();
    String bootstrapServers = "127.0.0.1:" + brokerPort;
    Path logDir = dir.resolve("log");
    Properties props = new Properties();
    props.setProperty("process.roles", "broker,controller");
    props.setProperty("node.id", "1");
    props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.setProperty("advertised.listeners", "PLAINTEXT://" + bootstrapServers);
    props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.setProperty("controller.listener.names", "CONTROLLER");
    props.setProperty("inter.broker.listener.name", "PLAINTEXT");
    props.setProperty("log.dirs", logDir.toString());
    props.setProperty("num.partitions", "1");
    props.setProperty("auto.create.topics.enable", "false");
    props.setProperty("group.initial.rebalance.delay.ms", "0");
    // One broker: every internal topic has one replica.
    props.setProperty("offsets.topic.replication.factor", "1");
    props.setProperty("transaction.state.log.replication.factor", "1");
    props.setProperty("transaction.state.log.min.isr", "1");
    // Fewer internal partitions than the default 50: the first consumer group and the first
    // transaction each create one of them, and 50 log segments cost seconds on 2 cores.
    props.setProperty("offsets.topic.num.partitions", "5");
    props.setProperty("transaction.state.log.num.partitions", "5");
    // The log cleaner's default 128 MB dedupe buffer is sized for production.
    props.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    try {
      Files.createDirectories(logDir);
      Path configFile = dir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(configFile)) {
        props.store(out, "lakestream local-services: embedded Kafka KRaft");
      }
      format(configFile);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not prepare its log dir " + logDir + ": " + e, e);
    }

    KafkaRaftServer server;
    try {
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM, scala.Option.empty());
      server.startup();
    } catch (RuntimeException e) {
      throw new ServiceStartException(NAME + " failed to start on " + bootstrapServers + ": " + e
          + ". Its log dir is " + logDir + "; see the kafka.* loggers for details.", e);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrapServers);
    try {
      KafkaReadiness.await(NAME, bootstrapServers, timeout, () -> { });
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  /** {@code kafka-storage.sh format}: KRaft refuses to start on an unformatted log dir. */
  private static void format(Path configFile) {
    String clusterId = Uuid.randomUuid().toString();
    try {
      StorageTool.main(new String[] {"format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted"});
    } catch (KafkaExitException e) {
      if (e.statusCode != 0) {
        throw new ServiceStartException(NAME + ": formatting the log dir with StorageTool failed with exit code "
            + e.statusCode + " (" + e.getMessage() + "), config " + configFile, e);
      }
      return;
    }
    // StorageTool always ends with Exit.exit; returning normally means our exit procedure was replaced.
    LOG.debug("StorageTool returned without calling Exit.exit");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
