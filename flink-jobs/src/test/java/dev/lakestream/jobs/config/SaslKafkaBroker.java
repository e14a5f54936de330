package dev.lakestream.jobs.config;

import dev.lakestream.localservices.support.Ports;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A second single-node KRaft broker (Kafka 3.4, in this JVM) whose only client listener is
 * SASL_PLAINTEXT with the PLAIN mechanism, beside the shared plaintext broker of local-services
 * (which it leaves alone).
 */
final class SaslKafkaBroker implements AutoCloseable {

    static final String USER = "ingest";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String password;

    private SaslKafkaBroker(KafkaRaftServer server, String bootstrapServers, String password) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.password = password;
    }

    static SaslKafkaBroker start(Path dir, String password) throws IOException {
        int brokerPort = Ports.freeLoopbackPort();
        int controllerPort = Ports.freeLoopbackPort();
        String bootstrap = "127.0.0.1:" + brokerPort;
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty("listeners", "SASL_PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "SASL_PLAINTEXT://" + bootstrap);
        props.setProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "SASL_PLAINTEXT");
        props.setProperty("sasl.enabled.mechanisms", "PLAIN");
        props.setProperty("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.setProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\""
                        + " password=\"broker-pass\" user_broker=\"broker-pass\" user_" + USER + "=\"" + password + "\";");
        props.setProperty("log.dirs", dir.resolve("log").toString());
        props.setProperty("num.partitions", "1");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
        props.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        Files.createDirectories(dir.resolve("log"));
        Path configFile = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
            props.store(out, "SASL test broker");
        }
        format(configFile);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM, scala.Option.empty());
        server.startup();
        return new SaslKafkaBroker(server, bootstrap, password);
    }

    /** {@code kafka-storage.sh format}, with Kafka's exit turned into an exception. */
    private static void format(Path configFile) {
        // Kafka code calls Exit (StorageTool always does; a broker on a fatal error): never end the test JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new KafkaExit(code, message);
        });
        try {
            StorageTool.main(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(),
                    "--ignore-formatted"});
        } catch (KafkaExit e) {
            if (e.code != 0) {
                throw new IllegalStateException("formatting the SASL broker's log dir failed: " + e.getMessage(), e);
            }
        }
    }

    private static final class KafkaExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        KafkaExit(int code, String message) {
            super("Kafka called Exit.exit(" + code + ")" + (message == null ? "" : ": " + message));
            this.code = code;
        }
    }

    /** Admin and producer settings with the user's credentials. */
    private Properties clientProperties() {
        Properties props = new Properties();
        props.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty("security.protocol", "SASL_PLAINTEXT");
        props.setProperty("sasl.mechanism", "PLAIN");
        props.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + USER + "\" password=\"" + password + "\";");
        return props;
    }

    /** Creates a one-partition topic holding {@code values}, in order. */
    void createTopic(String topic, List<String> values) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Properties props = clientProperties();
        props.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The job's configuration keys for this broker, as a user writes them. */
    Map<String, String> jobOptions(String userPassword) {
        return Map.of(
                "kafka.bootstrap-servers", bootstrapServers,
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.username", USER,
                "kafka.sasl.password", userPassword);
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
