package dev.lakestream.jobs.testing;

import dev.lakestream.localservices.support.Wait;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Creates topics and produces records, remembering where each record landed. */
public final class KafkaTestTopics {

    /** A produced record and the coordinates the broker gave it. */
    public static final class Produced {
        public final SourceCoordinate coordinate;
        public final byte[] key;
        public final byte[] value;

        Produced(SourceCoordinate coordinate, byte[] key, byte[] value) {
            this.coordinate = coordinate;
            this.key = key;
            this.value = value;
        }
    }

    private KafkaTestTopics() {}

    public static void create(String bootstrap, String topic, int partitions) throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, List.of(topic));
        }
    }

    /** Creates those of the topics that do not exist yet (a kept local-run directory may hold them). */
    public static void ensure(String bootstrap, List<String> topics, int partitions) throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, (short) 1));
                }
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, topics);
        }
    }

    /**
     * Waits until the broker serves every partition of the topics. A created topic's metadata names
     * its leader before the broker has created the partition; an idempotent producer whose first
     * batches were refused then (NOT_LEADER_OR_FOLLOWER) could retry them out of sequence until its
     * delivery timeout (seen once in CI: OutOfOrderSequenceException for 2 minutes).
     */
    private static void awaitLeaders(AdminClient admin, List<String> topics) {
        // listOffsets is answered by each partition's leader, so it fails until the broker has the partition.
        Wait.until("Kafka to serve every partition of " + topics, Duration.ofSeconds(30), Duration.ofMillis(100), () -> { },
                () -> {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                            d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                    return true;
                });
    }

    /** Produces every (key, value) pair in order; returns them with their (topic, partition, offset). */
    public static List<Produced> produce(String bootstrap, String topic, List<byte[][]> keyValues) throws Exception {
        return produce(bootstrap, topic, null, keyValues);
    }

    /** As {@link #produce(String, String, List)}, all to {@code partition} (null: the key decides). */
    public static List<Produced> produce(String bootstrap, String topic, Integer partition, List<byte[][]> keyValues)
            throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        List<Future<RecordMetadata>> sent = new ArrayList<>(keyValues.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (byte[][] kv : keyValues) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition, kv[0], kv[1])));
            }
            producer.flush();
        }
        List<Produced> produced = new ArrayList<>(keyValues.size());
        for (int i = 0; i < sent.size(); i++) {
            RecordMetadata md = sent.get(i).get(30, TimeUnit.SECONDS);
            produced.add(new Produced(
                    new SourceCoordinate(md.topic(), md.partition(), md.offset()), keyValues.get(i)[0], keyValues.get(i)[1]));
        }
        return produced;
    }
}
