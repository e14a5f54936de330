package dev.lakestream.benchmarks;

import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.testing.KafkaTestTopics;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The one input every candidate reads: the local run's events ({@link DomainEventGenerator}, same
 * seed, same records, defects included) produced once to three Kafka topics. The orders topic only
 * lands in bronze; the clickstream and fulfillment topics also feed silver (and gold) in the full
 * pipeline, fulfillment from Kafka here instead of Kinesis so that every candidate reads the same
 * broker.
 */
final class ThroughputInput {

    static final String ORDERS = "bench_orders";
    static final String CLICKS = "bench_clickstream";
    static final String FULFILLMENT = "bench_fulfillment";

    /** Partitions of each topic. */
    final int partitions;

    /** Records per topic, in produce order. */
    final Map<String, Long> records = new LinkedHashMap<>();
    /** Client-retry duplicates planted per topic (silver drops them). */
    final Map<String, Long> duplicates = new LinkedHashMap<>();
    /** Bytes of keys and values per topic. */
    final Map<String, Long> bytes = new LinkedHashMap<>();
    /** The latest offset of every partition once produced (what a reader must reach). */
    final Map<TopicPartition, Long> endOffsets = new LinkedHashMap<>();
    String defects;

    private ThroughputInput(int partitions) {
        this.partitions = partitions;
    }

    List<String> topics() {
        return new ArrayList<>(records.keySet());
    }

    long total() {
        return records.values().stream().mapToLong(Long::longValue).sum();
    }

    long totalBytes() {
        return bytes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Generates the events from {@code seed} and produces them; the topics must not exist yet. */
    static ThroughputInput produce(String bootstrap, long seed, int orders, int clicks, int fulfillment, int partitions)
            throws Exception {
        DomainEventGenerator generator = new DomainEventGenerator(seed, Instant.parse("2026-11-20T09:00:00Z"));
        ThroughputInput input = new ThroughputInput(partitions);
        Map<String, List<DomainEventGenerator.Event>> byTopic = new LinkedHashMap<>();
        byTopic.put(ORDERS, generator.orderEvents(orders));
        byTopic.put(CLICKS, generator.clickstream(clicks));
        byTopic.put(FULFILLMENT, generator.fulfillment(fulfillment));
        input.defects = generator.defectCounts().toString();
        for (Map.Entry<String, List<DomainEventGenerator.Event>> e : byTopic.entrySet()) {
            KafkaTestTopics.create(bootstrap, e.getKey(), partitions);
            List<byte[][]> keyValues = new ArrayList<>(e.getValue().size());
            long dups = 0;
            long size = 0;
            for (DomainEventGenerator.Event event : e.getValue()) {
                byte[] key = event.key.getBytes(StandardCharsets.UTF_8);
                keyValues.add(new byte[][] {key, event.value});
                dups += event.defect == DomainEventGenerator.Defect.RETRY_DUPLICATE ? 1 : 0;
                size += key.length + (event.value == null ? 0 : event.value.length);
            }
            int produced = KafkaTestTopics.produce(bootstrap, e.getKey(), keyValues).size();
            input.records.put(e.getKey(), (long) produced);
            input.duplicates.put(e.getKey(), dups);
            input.bytes.put(e.getKey(), size);
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : byTopic.keySet()) {
                for (int p = 0; p < partitions; p++) {
                    all.add(new TopicPartition(topic, p));
                }
            }
            input.endOffsets.putAll(consumer.endOffsets(all));
        }
        long offsets = input.endOffsets.values().stream().mapToLong(Long::longValue).sum();
        if (offsets != input.total()) {
            throw new IllegalStateException("The topics hold " + offsets + " offsets for " + input.total()
                    + " produced records: a transactional or compacted topic would make offsets and records differ");
        }
        return input;
    }
}
