package dev.lakestream.benchmarks;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * R_raw: what the same records cost without Flink, without our operators and without a catalog.
 * {@code threads} plain Kafka consumers (one per pipeline subtask, each assigned a share of the
 * partitions, reading from the earliest offset), a JSON decode of every value with Jackson (Flink's
 * shaded copy, the one silver's validation uses), and a Parquet writer per thread and topic (Iceberg's
 * Parquet writer over parquet-java with generic records, zstd, the same writer code and codec the
 * bronze tables use) writing to the same S3-compatible store as the pipeline. Done when every file
 * is closed (uploaded).
 *
 * <p>The rows hold what bronze holds (topic, partition, offset, timestamp, key, value) plus the
 * decoded {@code event_id}, so the decode is not dead code. No commit, no checkpoint, no
 * exactly-once: that difference is what R_bronze / R_raw prices.
 */
final class RawBaseline {

    static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "topic", Types.StringType.get()),
            Types.NestedField.required(2, "kafka_partition", Types.IntegerType.get()),
            Types.NestedField.required(3, "kafka_offset", Types.LongType.get()),
            Types.NestedField.optional(4, "kafka_ts", Types.TimestampType.withoutZone()),
            Types.NestedField.optional(5, "record_key", Types.BinaryType.get()),
            Types.NestedField.optional(6, "record_value", Types.BinaryType.get()),
            Types.NestedField.optional(7, "event_id", Types.StringType.get()),
            Types.NestedField.required(8, "ingest_ts", Types.TimestampType.withoutZone()));

    /** What one run read and wrote. */
    static final class Result {
        long records;
        long undecodable;
        long files;
        long bytes;
        long startMillis;
        long endMillis;
    }

    private final String bootstrap;
    private final Map<String, String> s3;
    private final String location;

    /**
     * @param s3 the S3FileIO properties of the store (the catalog's)
     * @param location where this run's files go, e.g. {@code s3://bucket/warehouse/raw-baseline/run-1}
     */
    RawBaseline(String bootstrap, Map<String, String> s3, String location) {
        this.bootstrap = bootstrap;
        this.s3 = s3;
        this.location = location;
    }

    Result run(Map<TopicPartition, Long> endOffsets, int threads) throws Exception {
        List<List<TopicPartition>> shares = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            shares.add(new ArrayList<>());
        }
        int i = 0;
        for (TopicPartition tp : endOffsets.keySet()) {
            shares.get(i++ % threads).add(tp);
        }
        Result result = new Result();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (S3FileIO io = new S3FileIO()) {
            io.initialize(s3);
            result.startMillis = System.currentTimeMillis();
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> consume(io, thread, shares.get(thread), endOffsets)));
            }
            for (Future<long[]> f : futures) {
                long[] counts = f.get();
                result.records += counts[0];
                result.undecodable += counts[1];
                result.files += counts[2];
                result.bytes += counts[3];
            }
            result.endMillis = System.currentTimeMillis();
        } finally {
            pool.shutdownNow();
        }
        long expected = endOffsets.values().stream().mapToLong(Long::longValue).sum();
        if (result.records != expected) {
            throw new IllegalStateException("The raw baseline wrote " + result.records + " records of " + expected);
        }
        return result;
    }

    /** One consumer thread: returns {records, undecodable, files, bytes}. */
    private long[] consume(S3FileIO io, int thread, List<TopicPartition> partitions, Map<TopicPartition, Long> endOffsets)
            throws IOException {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        // Larger fetches and polls than the defaults (500 records, 1 MiB per partition): with the defaults a
        // consumer that decodes and writes on its own thread waited for the broker most of the time (JFR: its
        // threads in EPoll.wait, 4-8 s of CPU in a 22 s run), which would flatter every ratio to R_raw.
        props.put("max.poll.records", "10000");
        props.put("max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024));
        props.put("fetch.min.bytes", String.valueOf(256 * 1024));
        props.put("fetch.max.wait.ms", "50");
        ObjectMapper mapper = new ObjectMapper();
        Map<String, FileAppender<Record>> writers = new HashMap<>();
        GenericRecord row = GenericRecord.create(SCHEMA);
        long records = 0;
        long undecodable = 0;
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition tp : partitions) {
                if (endOffsets.get(tp) > 0) {
                    remaining.put(tp, endOffsets.get(tp));
                }
            }
            while (!remaining.isEmpty()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    String eventId = null;
                    if (r.value() != null) {
                        try {
                            JsonNode id = mapper.readTree(r.value()).get("event_id");
                            eventId = id == null ? null : id.asText();
                        } catch (IOException e) {
                            undecodable++;
                        }
                    }
                    row.set(0, r.topic());
                    row.set(1, r.partition());
                    row.set(2, r.offset());
                    row.set(3, LocalDateTime.ofEpochSecond(Math.floorDiv(r.timestamp(), 1000L),
                            (int) Math.floorMod(r.timestamp(), 1000L) * 1_000_000, ZoneOffset.UTC));
                    row.set(4, r.key() == null ? null : ByteBuffer.wrap(r.key()));
                    row.set(5, r.value() == null ? null : ByteBuffer.wrap(r.value()));
                    row.set(6, eventId);
                    row.set(7, LocalDateTime.now(ZoneOffset.UTC));
                    writer(io, writers, thread, r.topic()).add(row);
                    records++;
                }
                for (TopicPartition tp : new ArrayList<>(remaining.keySet())) {
                    if (consumer.position(tp) >= remaining.get(tp)) {
                        remaining.remove(tp);
                    }
                }
            }
        } finally {
            for (FileAppender<Record> w : writers.values()) {
                w.close();
                bytes += w.length();
            }
        }
        return new long[] {records, undecodable, writers.size(), bytes};
    }

    private FileAppender<Record> writer(S3FileIO io, Map<String, FileAppender<Record>> writers, int thread, String topic)
            throws IOException {
        FileAppender<Record> w = writers.get(topic);
        if (w == null) {
            w = Parquet.write(io.newOutputFile(location + "/" + topic + "/thread-" + thread + ".parquet"))
                    .schema(SCHEMA)
                    .createWriterFunc(GenericParquetWriter::create)
                    .set(TableProperties.PARQUET_COMPRESSION, "zstd")
                    .overwrite()
                    .build();
            writers.put(topic, w);
        }
        return w;
    }
}
