package dev.lakestream.jobs.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Creates Kinesis streams and puts records against a Kinesis-API endpoint (kinesis-local in tests),
 * remembering where each record landed. Static test credentials; the sync Apache HTTP client, so
 * HTTP/1.1.
 */
public final class KinesisTestStreams {

    /** A record to put. Kinesis requires data (a null payload cannot be put); an empty array can. */
    public record Entry(String partitionKey, byte[] data) {
        public Entry {
            Objects.requireNonNull(partitionKey, "partitionKey");
            Objects.requireNonNull(data, "data: Kinesis requires data; put an empty array for an empty payload");
        }
    }

    /** A put record and the coordinates Kinesis gave it. */
    public record Produced(String shardId, String sequenceNumber, String partitionKey, byte[] data) {
        public KinesisCoordinate coordinate() {
            return new KinesisCoordinate(shardId, sequenceNumber);
        }
    }

    /** Where a Kinesis record lives in its stream: what exactly-once is asserted on. */
    public record KinesisCoordinate(String shardId, String sequenceNumber) implements Comparable<KinesisCoordinate> {
        @Override
        public int compareTo(KinesisCoordinate o) {
            int c = shardId.compareTo(o.shardId);
            if (c != 0) {
                return c;
            }
            // Sequence numbers are decimal strings of varying length: compare as numbers.
            c = Integer.compare(sequenceNumber.length(), o.sequenceNumber.length());
            return c != 0 ? c : sequenceNumber.compareTo(o.sequenceNumber);
        }

        @Override
        public String toString() {
            return shardId + "@" + sequenceNumber;
        }
    }

    /** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
    private static final int MAX_ENTRIES = 500;
    private static final long MAX_REQUEST_BYTES = 5L * 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private KinesisTestStreams() {}

    public static KinesisClient client(URI endpoint) {
        return KinesisClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(ApacheHttpClient.create())
                .build();
    }

    /** Creates a stream with {@code shards} shards, waits until it is ACTIVE and returns its ARN. */
    public static String create(URI endpoint, String stream, int shards) {
        try (KinesisClient kinesis = client(endpoint)) {
            kinesis.createStream(b -> b.streamName(stream).shardCount(shards));
            kinesis.waiter().waitUntilStreamExists(b -> b.streamName(stream), waiter -> waiter
                    .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(100)))
                    .maxAttempts(600)
                    .waitTimeout(Duration.ofMinutes(1)));
            StreamDescriptionSummary summary =
                    kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary();
            if (summary.streamStatus() != StreamStatus.ACTIVE) {
                throw new AssertionError("Stream " + stream + " is " + summary.streamStatus() + ", not ACTIVE");
            }
            return summary.streamARN();
        }
    }

    /** An entry with UTF-8 text data. */
    public static Entry text(String key, String data) {
        return new Entry(key, data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Puts every entry with PutRecords, retrying entries Kinesis rejects (e.g. throughput exceeded),
     * and returns them in input order with the shard and sequence number each got.
     *
     * <p>Order per partition key is kept: a request carries at most the oldest unput entry of each
     * key, so a rejected entry is retried before any later entry of its key is sent.
     */
    public static List<Produced> put(URI endpoint, String streamArn, List<Entry> entries) throws InterruptedException {
        Map<String, ArrayDeque<Integer>> pendingByKey = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            pendingByKey.computeIfAbsent(entries.get(i).partitionKey(), k -> new ArrayDeque<>()).add(i);
        }
        Produced[] produced = new Produced[entries.size()];
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int rejectedInARow = 0;
        try (KinesisClient kinesis = client(endpoint)) {
            while (!pendingByKey.isEmpty()) {
                List<Integer> batch = nextBatch(entries, pendingByKey);
                List<PutRecordsRequestEntry> request = new ArrayList<>(batch.size());
                for (int i : batch) {
                    request.add(PutRecordsRequestEntry.builder()
                            .partitionKey(entries.get(i).partitionKey())
                            .data(SdkBytes.fromByteArray(entries.get(i).data()))
                            .build());
                }
                PutRecordsResponse response = kinesis.putRecords(b -> b.streamARN(streamArn).records(request));
                List<PutRecordsResultEntry> results = response.records();
                String lastError = null;
                for (int r = 0; r < batch.size(); r++) {
                    int i = batch.get(r);
                    PutRecordsResultEntry result = results.get(r);
                    if (result.errorCode() != null) {
                        lastError = result.errorCode() + ": " + result.errorMessage();
                        continue;
                    }
                    Entry e = entries.get(i);
                    produced[i] = new Produced(result.shardId(), result.sequenceNumber(), e.partitionKey(), e.data());
                    ArrayDeque<Integer> queue = pendingByKey.get(e.partitionKey());
                    queue.poll();
                    if (queue.isEmpty()) {
                        pendingByKey.remove(e.partitionKey());
                    }
                }
                if (lastError == null) {
                    rejectedInARow = 0;
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Records still rejected after " + DEADLINE + ": " + lastError);
                }
                // Throughput limits are per second: back off before retrying the rejected entries.
                rejectedInARow++;
                TimeUnit.MILLISECONDS.sleep(Math.min(1_000, 50L * rejectedInARow));
            }
        }
        return Arrays.asList(produced);
    }

    /** The oldest pending entry of as many keys as fit in one request. */
    private static List<Integer> nextBatch(List<Entry> entries, Map<String, ArrayDeque<Integer>> pendingByKey) {
        List<Integer> batch = new ArrayList<>();
        long bytes = 0;
        for (ArrayDeque<Integer> queue : pendingByKey.values()) {
            int i = queue.peek();
            Entry e = entries.get(i);
            long size = e.data().length + e.partitionKey().getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && (batch.size() == MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
                break;
            }
            batch.add(i);
            bytes += size;
        }
        return batch;
    }
}
