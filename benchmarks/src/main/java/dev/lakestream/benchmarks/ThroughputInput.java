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

    /**
     * Most clicks generated and produced at once. A larger count is generated in batches of this
     * size, each over the next hour of event time, so that the events of 10 M records and more need
     * not fit in the heap together (they took 4 GiB).
     */
    static final int CLICKS_PER_BATCH = 3_000_000;

    /** Generates the events from {@code seed} and produces them; the topics must not exist yet. */
    static ThroughputInput produce(String bootstrap, long seed, int orders, int clicks, int fulfillment, int partitions)
            throws Exception {
        if (orders > CLICKS_PER_BATCH || fulfillment > CLICKS_PER_BATCH) {
            throw new IllegalArgumentException("At most " + CLICKS_PER_BATCH + " orders and fulfillment events"
                    + " (only clicks are generated in batches); got --orders " + orders + " --fulfillment " + fulfillment);
        }
        DomainEventGenerator generator = new DomainEventGenerator(seed, Instant.parse("2026-11-20T09:00:00Z"));
        ThroughputInput input = new ThroughputInput(partitions);
        // Generated in the order the generator always used, each topic produced before the next is made.
        input.add(bootstrap, ORDERS, generator.orderEvents(orders));
        int done = 0;
        int batch = 0;
        do {
            int count = Math.min(CLICKS_PER_BATCH, clicks - done);
            input.add(bootstrap, CLICKS, batch == 0 ? generator.clickstream(count)
                    : generator.clickstream(count, java.time.Duration.ofHours(batch)));
            done += count;
            batch++;
        } while (done < clicks);
        input.add(bootstrap, FULFILLMENT, generator.fulfillment(fulfillment));
        input.defects = generator.defectCounts().toString();
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : input.records.keySet()) {
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

    /** Produces {@code events} to {@code topic} (created on its first batch) and counts them. */
    private void add(String bootstrap, String topic, List<DomainEventGenerator.Event> events) throws Exception {
        if (!records.containsKey(topic)) {
            KafkaTestTopics.create(bootstrap, topic, partitions);
        }
        List<byte[][]> keyValues = new ArrayList<>(events.size());
        long dups = 0;
        long size = 0;
        for (DomainEventGenerator.Event event : events) {
            byte[] key = event.key.getBytes(StandardCharsets.UTF_8);
            keyValues.add(new byte[][] {key, event.value});
            dups += event.defect == DomainEventGenerator.Defect.RETRY_DUPLICATE ? 1 : 0;
            size += key.length + (event.value == null ? 0 : event.value.length);
        }
        int produced = KafkaTestTopics.produce(bootstrap, topic, keyValues).size();
        records.merge(topic, (long) produced, Long::sum);
        duplicates.merge(topic, dups, Long::sum);
        bytes.merge(topic, size, Long::sum);
    }
}
