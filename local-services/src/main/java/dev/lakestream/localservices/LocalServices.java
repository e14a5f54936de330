package dev.lakestream.localservices;

import dev.lakestream.localservices.flink.FlinkCluster;
import dev.lakestream.localservices.kafka.EmbeddedKafka;
import dev.lakestream.localservices.kafka.KafkaService;
import dev.lakestream.localservices.kinesis.KinesisLocalServer;
import dev.lakestream.localservices.mariadb.EmbeddedMariaDb;
import dev.lakestream.localservices.objectstore.S3ObjectStore;
import dev.lakestream.localservices.objectstore.S3ProxyServer;
import dev.lakestream.localservices.postgres.EmbeddedPostgres;
import dev.lakestream.localservices.support.Files2;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.ProcessGuard;
import dev.lakestream.localservices.support.Settings;
import dev.lakestream.localservices.support.Shell;
import dev.lakestream.localservices.testcontainers.ContainerServices;
import dev.lakestream.localservices.testcontainers.DockerProbe;
import dev.lakestream.localservices.trino.EmbeddedTrino;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real servers on loopback for the local run and for integration tests: Kafka (KRaft), an
 * S3-compatible object store, PostgreSQL with logical replication, MariaDB (MySQL protocol) with a
 * row-based binary log, a Kinesis-API server, and the properties of an Iceberg {@code JdbcCatalog}
 * on those.
 *
 * <p>Tests share one set per JVM:
 *
 * <pre>{@code
 * LocalServices services = LocalServices.shared();
 * String topic = services.uniqueName("orders");
 * props.put("bootstrap.servers", services.kafkaBootstrapServers());
 * }</pre>
 *
 * <p>Where the servers come from is the {@link ServicesMode}: by default ({@link
 * ServicesMode#EMBEDDED}) Kafka runs in this JVM, s3proxy and kinesis-local run as child processes
 * and PostgreSQL and MariaDB from the machine's Debian packages; with {@code
 * -Dlakestream.services=testcontainers} Kafka and MinIO run in Docker instead.
 *
 * <p>A server that cannot start throws {@link ServiceStartException} saying which server, why and
 * what to do; nothing is skipped and no half-started instance is returned. Every wait has a
 * deadline ({@link Builder#startTimeout(Duration)}).
 *
 * <p>{@link #trino()} starts a Trino server on the Iceberg catalog on first call only: it is heavy
 * (a JVM of its own, ~15 s to start), and few tests need an independent reader.
 */
public final class LocalServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServices.class);

  /** Database on {@link #postgres()} that holds the Iceberg JDBC catalog. */
  public static final String ICEBERG_CATALOG_DATABASE = "iceberg_catalog";
  /** Region of every AWS-API server here. */
  public static final String REGION = "us-east-1";

  private static final Object SHARED_LOCK = new Object();
  private static LocalServices shared;
  private static RuntimeException sharedFailure;
  private static final AtomicLong NAME_COUNTER = new AtomicLong();
  /** Trino starts lazily on a loaded 2-core machine, a JVM of its own to warm up: more than the others get. */
  private static final Duration TRINO_START_TIMEOUT = Duration.ofMinutes(3);

  private final ServicesMode mode;
  private final Path workDir;
  private final boolean ownsWorkDir;
  private final ProcessGuard workDirGuard;
  private final KafkaService kafka;
  private final S3ObjectStore objectStore;
  private final EmbeddedPostgres postgres;
  private final EmbeddedMariaDb mariaDb;
  private final KinesisLocalServer kinesis;
  private final boolean icebergCatalog;
  private final Map<String, Duration> startupTimes;
  private final boolean isShared;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Object trinoLock = new Object();
  private volatile EmbeddedTrino trino;
  private RuntimeException trinoFailure;
  private final Object flinkLock = new Object();
  private volatile FlinkCluster flinkCluster;
  private RuntimeException flinkFailure;

  private LocalServices(Starter starter, boolean isShared) {
    this.mode = starter.mode;
    this.workDir = starter.workDir;
    this.ownsWorkDir = starter.ownsWorkDir;
    this.workDirGuard = starter.workDirGuard;
    this.kafka = (KafkaService) starter.started.get(Starter.KAFKA);
    this.objectStore = (S3ObjectStore) starter.started.get(Starter.OBJECT_STORE);
    this.postgres = (EmbeddedPostgres) starter.started.get(Starter.POSTGRES);
    this.mariaDb = (EmbeddedMariaDb) starter.started.get(Starter.MARIADB);
    this.kinesis = (KinesisLocalServer) starter.started.get(Starter.KINESIS);
    this.icebergCatalog = starter.builder.icebergCatalog;
    this.startupTimes = Collections.unmodifiableMap(new LinkedHashMap<>(starter.startupTimes));
    this.isShared = isShared;
  }

  /**
   * Every server, started once per JVM on first call (thread-safe) in the mode of {@link
   * ServicesMode#fromSystem()}, and stopped by a JVM shutdown hook. {@link #close()} on it does
   * nothing, so a test cannot stop it for the others. If the start failed, every later call
   * throws again at once instead of retrying.
   *
   * @throws ServiceStartException when a server cannot start
   */
  public static LocalServices shared() {
    synchronized (SHARED_LOCK) {
      if (shared != null) {
        return shared;
      }
      if (sharedFailure != null) {
        throw new ServiceStartException("The shared local services failed to start earlier in this JVM: "
            + sharedFailure.getMessage(), sharedFailure);
      }
      try {
        LocalServices services = new Starter(builder().withAll()).start(true);
        Runtime.getRuntime().addShutdownHook(new Thread(services::stop, "lakestream-local-services-shutdown"));
        shared = services;
        return services;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
  }

  /** A builder for a set of servers owned by the caller, who closes it. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port} of the Kafka broker, for {@code bootstrap.servers}. */
  public String kafkaBootstrapServers() {
    return require(kafka, "Kafka", "withKafka()").bootstrapServers();
  }

  /** The S3-compatible object store. */
  public ObjectStore objectStore() {
    return require(objectStore, "The object store", "withObjectStore()");
  }

  /** The PostgreSQL server ({@code wal_level=logical}). */
  public PostgresServer postgres() {
    return require(postgres, "PostgreSQL", "withPostgres()");
  }

  /** The MariaDB server (MySQL protocol, row-based binary log). */
  public MariaDbServer mariaDb() {
    return require(mariaDb, "MariaDB", "withMariaDb()");
  }

  /**
   * Plain-HTTP endpoint of the Kinesis-API server (kinesis-mock), e.g. {@code http://127.0.0.1:4568}.
   * Clients need region {@value #REGION}, any static credentials, and HTTP/1.1.
   */
  public URI kinesisEndpoint() {
    return require(kinesis, "The Kinesis-API server", "withKinesis()").endpoint();
  }

  /** ARN of a stream on {@link #kinesisEndpoint()}: account 000000000000, region {@value #REGION}. */
  public String kinesisStreamArn(String streamName) {
    require(kinesis, "The Kinesis-API server", "withKinesis()");
    return "arn:aws:kinesis:" + KinesisLocalServer.REGION + ":" + KinesisLocalServer.ACCOUNT_ID + ":stream/" + streamName;
  }

  /**
   * Properties of an Iceberg {@code JdbcCatalog} on {@link #postgres()} (database {@value
   * #ICEBERG_CATALOG_DATABASE}) with {@code S3FileIO} on {@link #objectStore()}, as plain strings
   * (this module does not depend on Iceberg): {@code catalog-impl}, {@code uri}, {@code jdbc.user},
   * {@code jdbc.password}, {@code jdbc.schema-version=V1}, {@code warehouse=s3://<bucket>/warehouse},
   * {@code io-impl}, {@code s3.endpoint}, {@code s3.path-style-access=true}, {@code s3.access-key-id},
   * {@code s3.secret-access-key}, {@code client.region}. Every test can use it: catalogs and tables
   * are isolated by name ({@link #uniqueName(String)}).
   */
  public Map<String, String> icebergCatalogProperties() {
    if (!icebergCatalog) {
      throw new IllegalStateException("The Iceberg catalog was not set up: build with LocalServices.builder().withIcebergCatalog()");
    }
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
    properties.put("uri", postgres.jdbcUrl(ICEBERG_CATALOG_DATABASE));
    properties.put("jdbc.user", postgres.user());
    properties.put("jdbc.password", postgres.password());
    properties.put("jdbc.schema-version", "V1");
    properties.put("warehouse", "s3://" + objectStore.warehouseBucket() + "/warehouse");
    properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    properties.put("s3.endpoint", objectStore.endpoint().toString());
    properties.put("s3.path-style-access", "true");
    properties.put("s3.access-key-id", objectStore.accessKey());
    properties.put("s3.secret-access-key", objectStore.secretKey());
    properties.put("client.region", objectStore.region());
    return Collections.unmodifiableMap(properties);
  }

  /**
   * Trino reading the tables of {@link #icebergCatalogProperties()} (see {@link TrinoServer}),
   * started on the first call on this instance (thread-safe; the caller waits ~15 s, plus a one-time
   * extraction of the tarball on a new machine) and stopped with the other servers. Its config, data
   * and log go to {@code target/trino-<pid>} under the working directory when there is a
   * {@code target/} (a Maven module's tests), else to the work dir; system property
   * {@code lakestream.trino.dir} overrides. Needs a Java 24+ runtime (see the README). Trino
   * sees the catalog once Iceberg's JdbcCatalog has created its tables in PostgreSQL, which it does
   * on its first use (Trino never creates them).
   *
   * @throws IllegalStateException when the Iceberg catalog was not set up, or after close
   * @throws ServiceStartException when Trino cannot start (every later call throws it again)
   */
  public TrinoServer trino() {
    if (!icebergCatalog) {
      throw new IllegalStateException("Trino reads the Iceberg catalog, which was not set up: build with "
          + "LocalServices.builder().withIcebergCatalog()");
    }
    EmbeddedTrino started = trino;
    if (started != null) {
      return started;
    }
    synchronized (trinoLock) {
      if (trino != null) {
        return trino;
      }
      if (stopped.get()) {
        throw new IllegalStateException("These local services are stopped");
      }
      if (trinoFailure != null) {
        throw new ServiceStartException("Trino failed to start earlier in this JVM: " + trinoFailure.getMessage(),
            trinoFailure);
      }
      try {
        trino = EmbeddedTrino.start(trinoDir(), icebergCatalogProperties(), this::icebergCatalogTablesExist,
            TRINO_START_TIMEOUT);
        return trino;
      } catch (RuntimeException e) {
        trinoFailure = e;
        throw e;
      }
    }
  }

  /**
   * A standalone Flink session cluster (a JobManager and a TaskManager JVM, see {@link
   * FlinkCluster}), started on the first call on this instance (thread-safe; ~10 s) and stopped
   * with the other servers. Its classpath is Flink's runtime as the build resolved it into {@code
   * target/flink-cluster/} of the calling module ({@link FlinkCluster#classpathFrom}); system
   * property {@code lakestream.flink.dist} names another directory. Its config, logs, checkpoints
   * and savepoints go to {@code target/flink-cluster-<pid>} when there is a {@code target/}, else to
   * the work dir.
   *
   * @throws IllegalStateException after close
   * @throws ServiceStartException when the cluster cannot start (every later call throws it again)
   */
  public FlinkCluster flinkCluster() {
    FlinkCluster started = flinkCluster;
    if (started != null) {
      return started;
    }
    synchronized (flinkLock) {
      if (flinkCluster != null) {
        return flinkCluster;
      }
      if (stopped.get()) {
        throw new IllegalStateException("These local services are stopped");
      }
      if (flinkFailure != null) {
        throw new ServiceStartException("The Flink cluster failed to start earlier in this JVM: "
            + flinkFailure.getMessage(), flinkFailure);
      }
      try {
        Path dist = Paths.get(System.getProperty("lakestream.flink.dist",
            Paths.get(System.getProperty("user.dir"), "target", "flink-cluster").toString()));
        Path target = Paths.get(System.getProperty("user.dir"), "target");
        Path dir = Files.isDirectory(target)
            ? target.resolve("flink-cluster-" + ProcessHandle.current().pid())
            : workDir.resolve("flink-cluster");
        flinkCluster = FlinkCluster.builder(FlinkCluster.classpathFrom(dist)).dir(dir).start();
        return flinkCluster;
      } catch (RuntimeException e) {
        flinkFailure = e;
        throw e;
      }
    }
  }

  /** Whether Iceberg's JdbcCatalog has created its tables (on its first use) in the catalog database. */
  private boolean icebergCatalogTablesExist() {
    try (Connection connection = postgres.connect(ICEBERG_CATALOG_DATABASE);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT to_regclass('iceberg_tables') IS NOT NULL")) {
      return rs.next() && rs.getBoolean(1);
    } catch (SQLException e) {
      LOG.debug("Could not tell whether the Iceberg catalog tables exist: {}", e.toString());
      return false;
    }
  }

  private Path trinoDir() {
    String configured = System.getProperty(Settings.TRINO_DIR);
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured).toAbsolutePath();
    }
    Path target = Paths.get(System.getProperty("user.dir"), "target");
    if (ownsWorkDir && Files.isDirectory(target)) {
      return target.resolve("trino-" + ProcessHandle.current().pid()).toAbsolutePath();
    }
    return workDir.resolve("trino");
  }

  /**
   * A name unique in this JVM, for topics, streams, tables, databases and slots: {@code prefix}
   * lower-cased with every character outside {@code [a-z0-9_]} replaced by {@code _}, then
   * {@code _<counter>_<6 random [a-z0-9]>}, e.g. {@code orders_7_k3x9qa}. For S3 bucket names
   * replace {@code _} with {@code -}.
   */
  public String uniqueName(String prefix) {
    return uniqueNameFor(prefix);
  }

  static String uniqueNameFor(String prefix) {
    String base = Objects.requireNonNull(prefix, "prefix").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
      base = "n" + base; // PostgreSQL identifiers must not start with a digit
    }
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    StringBuilder suffix = new StringBuilder(6);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 6; i++) {
      suffix.append(Character.forDigit(random.nextInt(36), 36));
    }
    return base + "_" + NAME_COUNTER.incrementAndGet() + "_" + suffix;
  }

  /** The mode the servers were started in. */
  public ServicesMode mode() {
    return mode;
  }

  /** How long each server took to start (wall clock; they start in parallel), by server name. */
  public Map<String, Duration> startupTimes() {
    return startupTimes;
  }

  /** A human-readable list of every endpoint and the Iceberg catalog properties. */
  public String describe() {
    StringBuilder text = new StringBuilder("lakestream local services (mode " + mode.id() + ", work dir " + workDir + ")\n");
    if (kafka != null) {
      text.append("  Kafka bootstrap servers : ").append(kafka.bootstrapServers()).append('\n');
    }
    if (objectStore != null) {
      text.append("  S3 endpoint             : ").append(objectStore.endpoint())
          .append(" (path-style, region ").append(objectStore.region()).append(")\n")
          .append("  S3 access / secret key  : ").append(objectStore.accessKey()).append(" / ")
          .append(objectStore.secretKey()).append('\n')
          .append("  S3 warehouse bucket     : ").append(objectStore.warehouseBucket()).append('\n');
    }
    if (postgres != null) {
      text.append("  PostgreSQL              : ").append(postgres.jdbcUrl("postgres"))
          .append(" user ").append(postgres.user()).append(" (wal_level=logical)\n");
    }
    if (mariaDb != null) {
      text.append("  MariaDB                 : ").append(mariaDb.jdbcUrl("")).append(" user ").append(mariaDb.user())
          .append(", CDC user ").append(mariaDb.cdcUser()).append(" (").append(mariaDb.version())
          .append(", binlog ROW/FULL, server_id ").append(mariaDb.serverId()).append(")\n");
    }
    if (kinesis != null) {
      text.append("  Kinesis endpoint        : ").append(kinesis.endpoint())
          .append(" (region ").append(REGION).append(", any credentials, HTTP/1.1)\n");
    }
    EmbeddedTrino startedTrino = trino;
    if (startedTrino != null) {
      text.append("  Trino                   : ").append(startedTrino.jdbcUrl()).append(" user ")
          .append(startedTrino.user()).append(" (web UI ").append(startedTrino.endpoint()).append("/ui/, log ")
          .append(startedTrino.logFile()).append(")\n");
    }
    if (icebergCatalog) {
      text.append("  Iceberg catalog properties:\n");
      icebergCatalogProperties().forEach((key, value) -> text.append("    ").append(key).append('=').append(value).append('\n'));
    }
    if (!startupTimes.isEmpty()) {
      text.append("  Startup times           : ");
      startupTimes.forEach((name, time) -> text.append(name).append(' ').append(time.toMillis()).append(" ms; "));
      text.setLength(text.length() - 2);
      text.append('\n');
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return "LocalServices[mode=" + mode.id() + ", workDir=" + workDir + "]";
  }

  /**
   * Stops every server this instance started, in reverse order, logging (not throwing) failures,
   * and deletes its work dir if it created it. Does nothing on {@link #shared()} (its shutdown
   * hook stops it) and when already closed.
   */
  @Override
  public void close() {
    if (isShared) {
      LOG.debug("close() on the shared local services ignored: a shutdown hook stops them when the JVM exits");
      return;
    }
    stop();
  }

  private void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    List<ManagedService> reverse = new ArrayList<>();
    // Flink and Trino first: they read from the others. A start still running in another thread is
    // ended by its process guard when this JVM exits.
    for (ManagedService service : new ManagedService[] {flinkCluster, trino, kinesis, mariaDb, postgres, objectStore,
        kafka}) {
      if (service != null) {
        reverse.add(service);
      }
    }
    stopAll(reverse);
    if (ownsWorkDir) {
      Files2.deleteQuietly(workDir);
    }
    workDirGuard.disarm();
  }

  private static void stopAll(List<ManagedService> servicesInStopOrder) {
    for (ManagedService service : servicesInStopOrder) {
      long begin = System.nanoTime();
      try {
        service.close();
        LOG.info("Stopped {} in {} ms", service.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
      } catch (RuntimeException e) {
        LOG.warn("Stopping {} failed", service.name(), e);
      }
    }
  }

  private static <T> T require(T service, String what, String builderMethod) {
    if (service == null) {
      throw new IllegalStateException(what + " was not started: build with LocalServices.builder()." + builderMethod);
    }
    return service;
  }

  /** Chooses which servers to start, where, and in which mode. */
  public static final class Builder {
    private Path workDir;
    private ServicesMode mode;
    private boolean kafka;
    private boolean objectStore;
    private boolean postgres;
    private boolean mariaDb;
    private boolean kinesis;
    private boolean icebergCatalog;
    private Duration startTimeout = Duration.ofSeconds(60);
    private DockerProbe dockerProbe = DockerProbe.testcontainers();
    private Duration dockerProbeTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /**
     * Directory for the servers' data and logs (created if missing, kept on close). Default: a
     * new temp directory, deleted on close. As root, PostgreSQL and MariaDB live under java.io.tmpdir
     * in any case.
     */
    public Builder workDir(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
      return this;
    }

    /** The mode; default {@link ServicesMode#fromSystem()}, read by {@link #start()}. */
    public Builder mode(ServicesMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Start Kafka. */
    public Builder withKafka() {
      kafka = true;
      return this;
    }

    /** Start the S3-compatible object store (with its warehouse bucket). */
    public Builder withObjectStore() {
      objectStore = true;
      return this;
    }

    /** Start PostgreSQL with {@code wal_level=logical}. */
    public Builder withPostgres() {
      postgres = true;
      return this;
    }

    /** Start MariaDB with a row-based binary log (for MySQL-protocol CDC). */
    public Builder withMariaDb() {
      mariaDb = true;
      return this;
    }

    /** Start the Kinesis-API server. */
    public Builder withKinesis() {
      kinesis = true;
      return this;
    }

    /** Set up the Iceberg JDBC catalog database; implies the object store and PostgreSQL. */
    public Builder withIcebergCatalog() {
      icebergCatalog = true;
      objectStore = true;
      postgres = true;
      return this;
    }

    /** Every server and the Iceberg catalog. */
    public Builder withAll() {
      return withKafka().withObjectStore().withPostgres().withMariaDb().withKinesis().withIcebergCatalog();
    }

    /** Deadline for each server to answer after it was launched; default 60 s. */
    public Builder startTimeout(Duration startTimeout) {
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /** For tests: how to tell whether Docker answers, in {@link ServicesMode#TESTCONTAINERS}. */
    Builder dockerProbe(DockerProbe dockerProbe, Duration timeout) {
      this.dockerProbe = Objects.requireNonNull(dockerProbe, "dockerProbe");
      this.dockerProbeTimeout = timeout;
      return this;
    }

    /**
     * Starts the selected servers, in parallel, and waits until each answers.
     *
     * @throws IllegalStateException when no server was selected
     * @throws IllegalArgumentException when the mode's system property or environment variable is invalid
     * @throws ServiceStartException when a server cannot start; those already started are stopped
     */
    public LocalServices start() {
      return new Starter(this).start(false);
    }
  }

  /**
   * Whether a start failed because another process took the server's port first (between our probe
   * for a free port and the server's bind). s3proxy's Jetty logs "Failed to bind to" and exits.
   */
  static boolean isPortClash(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof java.net.BindException || message.contains("Address already in use") || message.contains("EADDRINUSE")
          || message.contains("Failed to bind to")) {
        return true;
      }
    }
    return false;
  }

  /** Starts the servers of a builder in parallel; on any failure stops those that did start. */
  private static final class Starter {
    static final String KAFKA = "kafka";
    static final String OBJECT_STORE = "object-store";
    static final String POSTGRES = "postgres";
    static final String MARIADB = "mariadb";
    static final String KINESIS = "kinesis";

    final Builder builder;
    ServicesMode mode;
    Path workDir;
    boolean ownsWorkDir;
    ProcessGuard workDirGuard;
    final Map<String, ManagedService> started = new ConcurrentHashMap<>();
    final Map<String, Duration> startupTimes = new ConcurrentHashMap<>();

    Starter(Builder builder) {
      this.builder = builder;
    }

    LocalServices start(boolean isShared) {
      if (!(builder.kafka || builder.objectStore || builder.postgres || builder.mariaDb || builder.kinesis)) {
        throw new IllegalStateException("No server selected: call withKafka(), withObjectStore(), withPostgres(), "
            + "withMariaDb(), withKinesis(), withIcebergCatalog() or withAll() before start()");
      }
      mode = builder.mode != null ? builder.mode : ServicesMode.fromSystem();
      if (mode == ServicesMode.TESTCONTAINERS && (builder.kafka || builder.objectStore)) {
        ContainerServices.requireDocker(builder.dockerProbe, builder.dockerProbeTimeout);
      }
      createWorkDir();
      long begin = System.nanoTime();
      LOG.info("Starting local services (mode {}) in {}", mode.id(), workDir);

      Map<String, Callable<ManagedService>> tasks = new LinkedHashMap<>();
      Duration timeout = builder.startTimeout;
      boolean embedded = mode == ServicesMode.EMBEDDED;
      if (builder.kafka) {
        tasks.put(KAFKA, portClashRetry(attempt -> embedded
            ? EmbeddedKafka.start(workDir.resolve(dirName("kafka", attempt)), timeout)
            : ContainerServices.startKafka(timeout)));
      }
      if (builder.objectStore) {
        tasks.put(OBJECT_STORE, portClashRetry(attempt -> {
          S3ObjectStore store = embedded
              ? S3ProxyServer.start(workDir.resolve(dirName("s3proxy", attempt)), timeout)
              : ContainerServices.startMinio(timeout);
          try {
            store.createBucket(store.warehouseBucket());
          } catch (RuntimeException e) {
            closeQuietly(store);
            throw e;
          }
          return store;
        }));
      }
      if (builder.postgres) {
        tasks.put(POSTGRES, portClashRetry(attempt -> {
          EmbeddedPostgres server = EmbeddedPostgres.start(workDir.resolve(dirName("postgres", attempt)), timeout);
          try {
            if (builder.icebergCatalog) {
              server.createDatabase(ICEBERG_CATALOG_DATABASE);
            }
          } catch (RuntimeException e) {
            closeQuietly(server);
            throw e;
          }
          return server;
        }));
      }
      if (builder.mariaDb) {
        tasks.put(MARIADB, portClashRetry(attempt -> EmbeddedMariaDb.start(workDir.resolve(dirName("mariadb", attempt)), timeout)));
      }
      if (builder.kinesis) {
        tasks.put(KINESIS, portClashRetry(attempt -> KinesisLocalServer.start(workDir.resolve(dirName("kinesis", attempt)), timeout)));
      }

      runInParallel(tasks, timeout);
      LocalServices services = new LocalServices(this, isShared);
      LOG.info("Local services started in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), startupTimes);
      return services;
    }

    /** A start attempt; {@code attempt} counts from 1. */
    @FunctionalInterface
    private interface StartAttempt {
      ManagedService start(int attempt) throws Exception;
    }

    private static final int START_ATTEMPTS = 3;

    /**
     * Starts again, on a new free port and in a fresh directory, when the server could not bind
     * the port it was given: ports are picked free and bound moments later by the server, and
     * another process (a parallel test JVM, a server of one that just ended) can take one between.
     */
    private static Callable<ManagedService> portClashRetry(StartAttempt start) {
      return () -> {
        for (int attempt = 1; ; attempt++) {
          try {
            return start.start(attempt);
          } catch (ServiceStartException e) {
            if (attempt >= START_ATTEMPTS || !isPortClash(e)) {
              throw e;
            }
            LOG.warn("Start attempt {} lost its port to another process, trying a new port: {}", attempt, e.getMessage());
          }
        }
      };
    }


    private static String dirName(String base, int attempt) {
      return attempt == 1 ? base : base + "-" + attempt;
    }

    private void createWorkDir() {
      try {
        if (builder.workDir != null) {
          workDir = Files.createDirectories(builder.workDir.toAbsolutePath());
          ownsWorkDir = false;
          workDirGuard = ProcessGuard.none();
        } else {
          workDir = Files.createTempDirectory("lakestream-local-services-");
          ownsWorkDir = true;
          // A killed JVM leaves no data behind either.
          workDirGuard = ProcessGuard.arm("work dir " + workDir, "sleep 6; rm -rf " + Shell.quote(workDir.toString()));
        }
      } catch (IOException e) {
        throw new ServiceStartException("Could not create the local services' work dir: " + e, e);
      }
    }

    private void runInParallel(Map<String, Callable<ManagedService>> tasks, Duration timeout) {
      AtomicInteger threadNumber = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(tasks.size(), runnable -> {
        Thread thread = new Thread(runnable, "lakestream-start-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      Map<String, Future<ManagedService>> futures = new LinkedHashMap<>();
      tasks.forEach((key, task) -> futures.put(key, pool.submit(() -> {
        long begin = System.nanoTime();
        ManagedService service = task.call();
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        startupTimes.put(service.name(), took);
        LOG.info("{} started in {} ms", service.name(), took.toMillis());
        return service;
      })));
      pool.shutdown();

      // Each server waits with its own deadline; this one only guards against a start that hangs
      // outside those waits.
      long deadline = System.nanoTime() + timeout.multipliedBy(2).plusSeconds(30).toNanos();
      List<Throwable> failures = new ArrayList<>();
      for (Map.Entry<String, Future<ManagedService>> entry : futures.entrySet()) {
        try {
          long remaining = Math.max(0, deadline - System.nanoTime());
          started.put(entry.getKey(), entry.getValue().get(remaining, TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        } catch (TimeoutException e) {
          entry.getValue().cancel(true);
          failures.add(new ServiceStartException("Starting " + entry.getKey() + " did not finish within "
              + timeout.multipliedBy(2).plusSeconds(30).toSeconds() + " s (see the log above for what it was doing)", e));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failures.add(new ServiceStartException("Interrupted while starting " + entry.getKey(), e));
        }
      }
      if (failures.isEmpty()) {
        return;
      }
      List<ManagedService> stopOrder = new ArrayList<>();
      for (String key : new String[] {KINESIS, MARIADB, POSTGRES, OBJECT_STORE, KAFKA}) {
        if (started.containsKey(key)) {
          stopOrder.add(started.get(key));
        }
      }
      LOG.warn("Local services failed to start; stopping the {} that did", stopOrder.size());
      stopAll(stopOrder);
      // Keep the servers' logs that the error message points at.
      workDirGuard.disarm();
      if (ownsWorkDir) {
        LOG.warn("Kept the temp work dir {} with the servers' logs; delete it when done", workDir);
      }
      Throwable first = failures.get(0);
      ServiceStartException thrown = first instanceof ServiceStartException
          ? (ServiceStartException) first
          : new ServiceStartException("Local services failed to start: " + first, first);
      failures.stream().skip(1).forEach(thrown::addSuppressed);
      throw thrown;
    }

    private static void closeQuietly(ManagedService service) {
      try {
        service.close();
      } catch (RuntimeException e) {
        LOG.debug("Stopping {} after a failed start: {}", service.name(), e.toString());
      }
    }
  }
}
