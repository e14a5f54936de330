package dev.lakestream.localservices;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Proves that every server of {@link LocalServices#shared()} is real, through real clients. */
class LocalServicesITCase {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServicesITCase.class);
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private static LocalServices services;
  private static S3Client s3;

  @BeforeAll
  static void startServices() {
    long begin = System.nanoTime();
    services = LocalServices.shared();
    LOG.info("LocalServices.shared() took {} ms\n{}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        services.describe());
    ObjectStore store = services.objectStore();
    s3 = S3Client.builder()
        .endpointOverride(store.endpoint())
        .region(Region.of(store.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(store.accessKey(), store.secretKey())))
        .forcePathStyle(true)
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  @AfterAll
  static void closeClients() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void sharedIsOneInstanceInTheSelectedMode() {
    assertThat(LocalServices.shared()).isSameAs(services);
    assertThat(services.mode()).isEqualTo(ServicesMode.fromSystem());
    services.close(); // ignored on the shared instance
    assertThat(services.kafkaBootstrapServers()).isNotBlank();
  }

  // --- Kafka ------------------------------------------------------------------------------------

  @Test
  void kafkaCreatesTopicsProducesConsumesAndCommitsTransactions() throws Exception {
    String bootstrap = services.kafkaBootstrapServers();
    String topic = services.uniqueName("topic");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions())
          .hasSize(3);
    }

    Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all");
    Set<String> expected = new HashSet<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 30; i++) {
        producer.send(new ProducerRecord<>(topic, i % 3, "key-" + i, "plain-" + i)).get(30, TimeUnit.SECONDS);
        expected.add("plain-" + i);
      }
    }

    // Flink's exactly-once Kafka sink needs transactions: commit one, abort one, commit another.
    Map<String, Object> txConfig = new HashMap<>(producerConfig);
    txConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, services.uniqueName("tx"));
    txConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(txConfig, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 6; i++) {
        producer.send(new ProducerRecord<>(topic, i % 3, "tx-key-" + i, "committed-" + i));
        expected.add("committed-" + i);
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 6; i++) {
        producer.send(new ProducerRecord<>(topic, i % 3, "tx-key-" + i, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, i, "tx-key-" + i, "after-abort-" + i));
        expected.add("after-abort-" + i);
      }
      producer.commitTransaction();
    }

    Map<String, Object> consumerConfig = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, services.uniqueName("group"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (received.size() < expected.size() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
      consumer.commitSync();
    }
    assertThat(received.stream().map(ConsumerRecord::value).collect(Collectors.toSet()))
        .as("read_committed sees plain and committed records, none of the aborted transaction")
        .isEqualTo(expected);
    assertThat(received).hasSize(expected.size());
    assertThat(received.stream().map(ConsumerRecord::partition).collect(Collectors.toSet())).containsExactlyInAnyOrder(0, 1, 2);
  }

  // --- S3 ---------------------------------------------------------------------------------------

  @Test
  void objectStoreServesPutGetListRangeAndMultipart() {
    ObjectStore store = services.objectStore();
    assertThat(store.endpoint().getScheme()).isEqualTo("http");
    assertThat(store.region()).isEqualTo("us-east-1");
    s3.headBucket(b -> b.bucket(store.warehouseBucket()));

    String bucket = services.uniqueName("bucket").replace('_', '-');
    store.createBucket(bucket);
    store.createBucket(bucket); // idempotent
    assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).contains(bucket, store.warehouseBucket());

    byte[] hello = "hello, lakehouse".getBytes(UTF_8);
    s3.putObject(b -> b.bucket(bucket).key("dir/hello.txt"), RequestBody.fromBytes(hello));
    s3.putObject(b -> b.bucket(bucket).key("dir/other.txt"), RequestBody.fromString("other"));
    s3.putObject(b -> b.bucket(bucket).key("elsewhere.txt"), RequestBody.fromString("x"));
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("dir/hello.txt")).asByteArray()).isEqualTo(hello);
    assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/")).contents())
        .extracting(S3Object::key).containsExactlyInAnyOrder("dir/hello.txt", "dir/other.txt");
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("dir/hello.txt").range("bytes=7-15")).asUtf8String())
        .isEqualTo("lakehouse");

    // Multipart: a 5 MiB part (the S3 minimum for all but the last) and a 1 MiB one.
    byte[] big = new byte[6 * 1024 * 1024 + 123];
    new Random(42).nextBytes(big);
    int partSize = 5 * 1024 * 1024;
    String key = "multipart/big.bin";
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int part = 1, offset = 0; offset < big.length; part++, offset += partSize) {
      int length = Math.min(partSize, big.length - offset);
      int partNumber = part;
      String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
          RequestBody.fromBytes(java.util.Arrays.copyOfRange(big, offset, offset + length))).eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
    }
    s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    assertThat(parts).hasSize(2);
    assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength()).isEqualTo(big.length);
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(big);
  }

  // --- PostgreSQL -------------------------------------------------------------------------------

  @Test
  void postgresDecodesLogicalChanges() throws SQLException {
    PostgresServer postgres = services.postgres();
    String database = services.uniqueName("cdc");
    postgres.createDatabase(database);
    postgres.createDatabase(database); // idempotent
    String decodingSlot = services.uniqueName("slot_test_decoding");
    String pgoutputSlot = services.uniqueName("slot_pgoutput");
    String publication = services.uniqueName("pub");

    try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
      assertThat(single(s, "SHOW wal_level")).isEqualTo("logical");
      // The server commits asynchronously (for speed), and decoding reads flushed WAL only: commit
      // synchronously here so the changes are decodable as soon as each statement returns.
      s.execute("SET synchronous_commit = on");
      s.execute("CREATE TABLE customers (id INT PRIMARY KEY, name TEXT NOT NULL)");
      s.execute("ALTER TABLE customers REPLICA IDENTITY FULL");
      s.execute("CREATE PUBLICATION " + publication + " FOR TABLE customers");
      s.execute("SELECT pg_create_logical_replication_slot('" + decodingSlot + "', 'test_decoding')");
      s.execute("SELECT pg_create_logical_replication_slot('" + pgoutputSlot + "', 'pgoutput')");
      try {
        s.execute("INSERT INTO customers VALUES (1, 'ada')");
        s.execute("UPDATE customers SET name = 'grace' WHERE id = 1");
        s.execute("DELETE FROM customers WHERE id = 1");

        List<String> changes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('" + decodingSlot + "', NULL, NULL)")) {
          while (rs.next()) {
            changes.add(rs.getString(1));
          }
        }
        assertThat(changes.stream().filter(change -> change.startsWith("table public.customers")))
            .containsExactly(
                "table public.customers: INSERT: id[integer]:1 name[text]:'ada'",
                "table public.customers: UPDATE: old-key: id[integer]:1 name[text]:'ada' new-tuple: id[integer]:1 name[text]:'grace'",
                "table public.customers: DELETE: id[integer]:1 name[text]:'grace'");

        // What Debezium reads: pgoutput messages for the publication (first byte = message type).
        Set<Character> types = new HashSet<>();
        try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('" + pgoutputSlot
            + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + publication + "')")) {
          while (rs.next()) {
            types.add((char) rs.getBytes(1)[0]);
          }
        }
        assertThat(types).contains('R', 'I', 'U', 'D');
      } finally {
        s.execute("SELECT pg_drop_replication_slot('" + decodingSlot + "')");
        s.execute("SELECT pg_drop_replication_slot('" + pgoutputSlot + "')");
      }
    }
  }

  @Test
  void postgresCreateDatabaseIsIdempotentUnderConcurrency() throws Exception {
    PostgresServer postgres = services.postgres();
    String database = services.uniqueName("concurrent");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Object>> results = pool.invokeAll(IntStream.range(0, 4)
          .mapToObj(i -> (Callable<Object>) () -> {
            postgres.createDatabase(database);
            return null;
          })
          .collect(Collectors.toList()), 60, TimeUnit.SECONDS);
      for (Future<Object> result : results) {
        result.get();
      }
    } finally {
      pool.shutdownNow();
    }
    postgres.execute(database, "CREATE TABLE t (id INT); INSERT INTO t VALUES (1)");
    try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
      assertThat(single(s, "SELECT count(*) FROM t")).isEqualTo("1");
    }
  }

  // --- Kinesis ----------------------------------------------------------------------------------

  @Test
  void kinesisCreatesStreamsAndServesRecordsByArn() {
    URI endpoint = services.kinesisEndpoint();
    assertThat(endpoint.getScheme()).isEqualTo("http");
    try (KinesisClient kinesis = KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(ApacheHttpClient.create()) // HTTP/1.1
        .build()) {
      String stream = services.uniqueName("stream");
      kinesis.createStream(b -> b.streamName(stream).shardCount(2));
      kinesis.waiter().waitUntilStreamExists(b -> b.streamName(stream), waiter -> waiter
          .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(100)))
          .maxAttempts(300)
          .waitTimeout(DEADLINE));
      var summary = kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary();
      assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
      String arn = summary.streamARN();
      assertThat(arn).isEqualTo(services.kinesisStreamArn(stream));

      List<String> sent = IntStream.range(0, 20).mapToObj(i -> "event-" + i).collect(Collectors.toList());
      PutRecordsResponse put = kinesis.putRecords(b -> b.streamARN(arn).records(sent.stream()
          .map(data -> PutRecordsRequestEntry.builder().partitionKey(data).data(SdkBytes.fromUtf8String(data)).build())
          .collect(Collectors.toList())));
      assertThat(put.failedRecordCount()).isZero();

      List<Shard> shards = kinesis.listShards(b -> b.streamARN(arn)).shards();
      assertThat(shards).hasSize(2);
      List<String> received = new ArrayList<>();
      for (Shard shard : shards) {
        String iterator = kinesis.getShardIterator(b -> b.streamARN(arn).shardId(shard.shardId())
            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        // Records are readable at once, but a GetRecords call may return an empty page.
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int emptyPages = 0;
        while (iterator != null && emptyPages < 3 && System.nanoTime() < deadline) {
          String current = iterator;
          GetRecordsResponse page = kinesis.getRecords(b -> b.streamARN(arn).shardIterator(current).limit(100));
          page.records().stream().map(Record::data).map(SdkBytes::asUtf8String).forEach(received::add);
          emptyPages = page.records().isEmpty() ? emptyPages + 1 : 0;
          iterator = page.nextShardIterator();
        }
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  // --- Iceberg catalog --------------------------------------------------------------------------

  @Test
  void icebergCatalogPropertiesPointAtTheCatalogDatabaseAndWarehouse() throws SQLException {
    Map<String, String> properties = services.icebergCatalogProperties();
    ObjectStore store = services.objectStore();
    assertThat(properties)
        .containsEntry("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
        .containsEntry("uri", services.postgres().jdbcUrl(LocalServices.ICEBERG_CATALOG_DATABASE))
        .containsEntry("jdbc.schema-version", "V1")
        .containsEntry("warehouse", "s3://" + store.warehouseBucket() + "/warehouse")
        .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
        .containsEntry("s3.endpoint", store.endpoint().toString())
        .containsEntry("s3.path-style-access", "true")
        .containsEntry("s3.access-key-id", store.accessKey())
        .containsEntry("s3.secret-access-key", store.secretKey())
        .containsEntry("client.region", "us-east-1")
        .containsKeys("jdbc.user", "jdbc.password");
    try (Connection c = DriverManager.getConnection(properties.get("uri"), properties.get("jdbc.user"), properties.get("jdbc.password"));
         Statement s = c.createStatement()) {
      assertThat(single(s, "SELECT current_database()")).isEqualTo("iceberg_catalog");
    }
    String bucket = URI.create(properties.get("warehouse")).getHost();
    s3.headBucket(b -> b.bucket(bucket));
  }

  // --- Names ------------------------------------------------------------------------------------

  @Test
  void uniqueNamesAreDistinct() {
    Set<String> names = IntStream.range(0, 500).mapToObj(i -> services.uniqueName("Table")).collect(Collectors.toSet());
    assertThat(names).hasSize(500).allSatisfy(name -> assertThat(name).matches("table_[0-9]+_[a-z0-9]{6}"));
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getString(1);
    }
  }
}
