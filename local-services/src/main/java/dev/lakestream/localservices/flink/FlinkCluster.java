package dev.lakestream.localservices.flink;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.Files2;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.Ports;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink session cluster on 127.0.0.1, as {@code bin/start-cluster.sh} would start it
 * from a Flink distribution, but without one: a JobManager JVM ({@code
 * StandaloneSessionClusterEntrypoint}) and a TaskManager JVM ({@code TaskManagerRunner}, with the
 * memory JVM arguments and {@code -D} settings that Flink's {@code BashJavaUtils} derives, as
 * {@code taskmanager.sh} does), both on a classpath of Flink's own jars only. Jobs come as an
 * application jar through the REST API ({@link #rest()}), so a job sees exactly what it sees on a
 * real cluster: its jar in a child-first user class loader, RocksDB state in a separate process,
 * checkpoints and savepoints on disk under {@link #dir()}.
 *
 * <p>Ports (RPC, blob, REST) are free loopback ports picked at start. The JVMs get the {@code
 * --add-opens}/{@code --add-exports} flags Flink needs on JDK 17: by default those this JVM was
 * started with (the build's test {@code argLine}), see {@link Builder#jvmOptions}. Both processes
 * are killed with this JVM, even when it is killed (see {@link ChildProcess}).
 */
public final class FlinkCluster implements ManagedService {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
  private static final String NAME = "Flink standalone cluster";
  private static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final Builder settings;
  private final Path dir;
  private final Path conf;
  private final String classpath;
  private final List<String> jvmOptions;
  private final URI restEndpoint;
  private final FlinkRestClient rest;
  private final ChildProcess jobManager;
  private volatile ChildProcess taskManager;
  private int taskManagerStarts;
  private final Duration startupTime;

  private FlinkCluster(Builder settings, Path dir, Path conf, String classpath, List<String> jvmOptions, URI restEndpoint,
      ChildProcess jobManager, ChildProcess taskManager, Duration startupTime) {
    this.settings = settings;
    this.dir = dir;
    this.conf = conf;
    this.classpath = classpath;
    this.jvmOptions = jvmOptions;
    this.restEndpoint = restEndpoint;
    this.rest = new FlinkRestClient(restEndpoint);
    this.jobManager = jobManager;
    this.taskManager = taskManager;
    this.taskManagerStarts = 1;
    this.startupTime = startupTime;
  }

  /**
   * @param classpath Flink's runtime jars (never an application's: jobs bring theirs through
   *     {@link FlinkRestClient#uploadJar})
   */
  public static Builder builder(List<Path> classpath) {
    return new Builder(classpath);
  }

  /**
   * The classpath of a directory laid out by the build: {@code provided.classpath} (one line of
   * {@link File#pathSeparator}-separated jars, as {@code maven-dependency-plugin:build-classpath}
   * writes it) and any {@code lib/*.jar}.
   *
   * @throws ServiceStartException naming the missing file and the Maven phase that writes it
   */
  public static List<Path> classpathFrom(Path dist) {
    // Absolute: the cluster's JVMs run in their own directory, where a relative lib/ entry would not resolve.
    Path distDir = dist.toAbsolutePath();
    Path file = distDir.resolve("provided.classpath");
    if (!Files.isRegularFile(file)) {
      throw new ServiceStartException("No Flink cluster classpath at " + file.toAbsolutePath() + ": it is written by"
          + " maven-dependency-plugin in the generate-test-resources phase; run the tests through Maven (mvn verify)"
          + " or set -Dlakestream.flink.dist to a directory holding provided.classpath and lib/");
    }
    List<Path> jars = new ArrayList<>();
    try {
      for (String entry : Files.readString(file, StandardCharsets.UTF_8).trim().split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          jars.add(Path.of(entry.trim()));
        }
      }
      Path lib = distDir.resolve("lib");
      if (Files.isDirectory(lib)) {
        try (Stream<Path> files = Files.list(lib)) {
          files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
      }
    } catch (IOException e) {
      throw new ServiceStartException("Cannot read the Flink cluster classpath in " + distDir + ": " + e, e);
    }
    return jars;
  }

  /** The REST API, e.g. {@code http://127.0.0.1:41234}; the web UI is there too. */
  public URI restEndpoint() {
    return restEndpoint;
  }

  /** A client of {@link #restEndpoint()}: jar upload and run, job status, stop with savepoint. */
  public FlinkRestClient rest() {
    return rest;
  }

  /** Configuration, logs, checkpoints ({@code checkpoints/}) and default savepoints ({@code savepoints/}). */
  public Path dir() {
    return dir;
  }

  /** Where {@code execution.checkpointing.savepoint-dir} points. */
  public Path savepointDir() {
    return dir.resolve("savepoints");
  }

  public Path jobManagerLog() {
    return jobManager.logFile();
  }

  /** The log of the current TaskManager process. */
  public Path taskManagerLog() {
    return taskManager.logFile();
  }

  /** The operating-system process id of the current TaskManager (to tell a replacement from the lost one). */
  public long taskManagerPid() {
    return taskManager.pid();
  }

  /** From the first launch until the TaskManager had registered its slots. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Task slots of the TaskManager. */
  public int taskSlots() {
    return settings.taskSlots;
  }

  /**
   * Kills the TaskManager process (SIGKILL: no shutdown hook, no goodbye to the JobManager), as a
   * lost machine would. Running jobs fail over once the JobManager notices (heartbeat timeout,
   * {@code heartbeat.timeout} here) and need {@link #startTaskManager()} to get slots again.
   */
  public void killTaskManager() {
    ChildProcess current = taskManager;
    LOG.info("Killing the TaskManager (pid {})", current.pid());
    ProcessHandle.of(current.pid()).ifPresent(ProcessHandle::destroyForcibly);
    ProcessHandle.of(current.pid()).ifPresent(h -> h.onExit().join());
    current.close();
  }

  /** Starts a new TaskManager process (after {@link #killTaskManager()}) and waits for its slots. */
  public synchronized void startTaskManager() {
    if (ProcessHandle.of(taskManager.pid()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalStateException("The TaskManager (pid " + taskManager.pid() + ") is still running");
    }
    taskManagerStarts++;
    taskManager = launchTaskManager(settings, dir, conf, classpath, jvmOptions, taskManagerStarts);
    awaitTaskManager(taskManager, settings.startTimeout, restEndpoint, taskManagerStarts, hint(dir));
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Stops the TaskManager, then the JobManager (TERM, then KILL after a grace time); keeps {@link #dir()}. */
  @Override
  public void close() {
    taskManager.close();
    jobManager.close();
  }

  @Override
  public String toString() {
    return NAME + " on " + restEndpoint;
  }

  private static String hint(Path dir) {
    return "The cluster's configuration and logs are in " + dir + ".";
  }

  private static FlinkCluster start(Builder b) {
    long begin = System.nanoTime();
    Path dir = b.dir.toAbsolutePath();
    Path conf = dir.resolve("conf");
    String classpath = b.classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    List<String> jvmOptions = b.jvmOptions != null ? b.jvmOptions : inheritedModuleFlags();
    int restPort = Ports.freeLoopbackPort();
    URI rest = URI.create("http://127.0.0.1:" + restPort);
    try {
      Files.createDirectories(conf);
      Files.createDirectories(dir.resolve("tmp"));
      writeConfig(conf.resolve("config.yaml"), config(b, dir, restPort));
      Files.writeString(conf.resolve("log4j.properties"), log4j(b.logLevel), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not write its configuration in " + conf + ": " + e, e);
    }
    String hint = hint(dir);
    LOG.info("Starting {} (REST {}) in {}", NAME, rest, dir);

    List<String> jmCommand = new ArrayList<>(java(jvmOptions, conf, classpath));
    ResourceParams jmParams = resourceParams("GET_JM_RESOURCE_PARAMS", dir, conf, classpath);
    jmCommand.addAll(jmParams.jvmArgs);
    jmCommand.add(JOB_MANAGER_MAIN);
    jmCommand.addAll(List.of("--configDir", conf.toString()));
    jmCommand.addAll(jmParams.dynamicConfigs);
    ChildProcess jobManager = ChildProcess.start(NAME + " JobManager", jmCommand, dir, Map.of(),
        dir.resolve("jobmanager.log"), hint, Duration.ofSeconds(10));
    ChildProcess taskManager = null;
    try {
      taskManager = launchTaskManager(b, dir, conf, classpath, jvmOptions, 1);
      jobManager.awaitReady("answer on " + rest, b.startTimeout, hint, () -> FlinkRestClient.probe(rest));
      awaitTaskManager(taskManager, b.startTimeout, rest, 1, hint);
      jobManager.failIfExited(hint);
    } catch (RuntimeException e) {
      if (taskManager != null) {
        taskManager.close();
      }
      jobManager.close();
      throw e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    LOG.info("{} answers on {} with {} slots after {} ms (logs in {})", NAME, rest, b.taskSlots, took.toMillis(), dir);
    return new FlinkCluster(b, dir, conf, classpath, jvmOptions, rest, jobManager, taskManager, took);
  }

  private static ChildProcess launchTaskManager(Builder b, Path dir, Path conf, String classpath, List<String> jvmOptions,
      int number) {
    ResourceParams params = resourceParams("GET_TM_RESOURCE_PARAMS", dir, conf, classpath);
    List<String> command = new ArrayList<>(java(jvmOptions, conf, classpath));
    command.addAll(params.jvmArgs);
    command.add(TASK_MANAGER_MAIN);
    command.addAll(List.of("--configDir", conf.toString()));
    command.addAll(params.dynamicConfigs);
    // A known id per launch: a restarted TaskManager is told apart from the lost one the JobManager still lists.
    command.addAll(List.of("-D", "taskmanager.resource-id=" + taskManagerId(number)));
    return ChildProcess.start(NAME + " TaskManager", command, dir, Map.of(), dir.resolve("taskmanager-" + number + ".log"), hint(dir),
        Duration.ofSeconds(10));
  }

  private static String taskManagerId(int number) {
    return "lakestream-taskmanager-" + number;
  }

  private static void awaitTaskManager(ChildProcess taskManager, Duration timeout, URI rest, int number, String hint) {
    taskManager.awaitReady("register with the JobManager as " + taskManagerId(number), timeout, hint,
        () -> FlinkRestClient.taskManagers(rest).contains("\"" + taskManagerId(number) + "\""));
  }

  private static List<String> java(List<String> jvmOptions, Path conf, String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // Two cores: few GC threads.
    command.addAll(List.of("-XX:+UseG1GC", "-XX:ParallelGCThreads=2", "-XX:ConcGCThreads=1",
        "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
        "-Djava.io.tmpdir=" + conf.getParent().resolve("tmp"),
        "-cp", classpath));
    return command;
  }

  /** The JVM arguments and {@code -D} settings Flink derives from the memory configuration. */
  private static ResourceParams resourceParams(String utility, Path dir, Path conf, String classpath) {
    Path log = dir.resolve("bash-java-utils.log");
    Path out = dir.resolve("bash-java-utils-" + utility + ".out");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
        BASH_JAVA_UTILS, utility, "--configDir", conf.toString());
    int exit = ChildProcess.run(NAME + " BashJavaUtils", command, dir, out, Duration.ofMinutes(1), hint(dir));
    List<String> results;
    try {
      results = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
          .filter(l -> l.startsWith(EXEC_RESULT)).map(l -> l.substring(EXEC_RESULT.length()).trim())
          .collect(Collectors.toList());
      Files.writeString(log, Files.readString(out, StandardCharsets.UTF_8), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + ": cannot read the output of BashJavaUtils " + utility + ": " + e, e);
    }
    if (exit != 0 || results.size() < 2) {
      throw new ServiceStartException(NAME + ": BashJavaUtils " + utility + " exited with " + exit + " and printed "
          + results.size() + " results (2 expected). Last lines of " + out + ":\n" + Files2.tail(out, 25) + "\n"
          + hint(dir) + " Is the classpath Flink's (flink-runtime)?");
    }
    // taskmanager.sh takes the last two: JVM parameters, then dynamic configuration.
    String jvm = results.get(results.size() - 2);
    String dynamic = results.get(results.size() - 1);
    return new ResourceParams(split(jvm), split(dynamic));
  }

  private static List<String> split(String args) {
    return args.isBlank() ? List.of() : Arrays.asList(args.trim().split("\\s+"));
  }

  private static final class ResourceParams {
    final List<String> jvmArgs;
    final List<String> dynamicConfigs;

    ResourceParams(List<String> jvmArgs, List<String> dynamicConfigs) {
      this.jvmArgs = jvmArgs;
      this.dynamicConfigs = dynamicConfigs;
    }
  }

  /** The {@code --add-opens}/{@code --add-exports} flags of this JVM (Flink's JDK 17 list in the build's argLine). */
  static List<String> inheritedModuleFlags() {
    List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
        .collect(Collectors.toList());
    if (flags.isEmpty()) {
      throw new ServiceStartException(NAME + " needs Flink's --add-opens/--add-exports JVM flags on JDK 17 (Kryo fails"
          + " without them) and this JVM has none to pass on: run it with the build's ${flink.jdk17.opens} or call"
          + " FlinkCluster.Builder.jvmOptions(...)");
    }
    return flags;
  }

  private static Map<String, String> config(Builder b, Path dir, int restPort) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", String.valueOf(Ports.freeLoopbackPort()));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("jobmanager.memory.process.size", b.jobManagerMemory);
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.rpc.port", "0");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(b.taskSlots));
    c.put("taskmanager.memory.process.size", b.taskManagerMemory);
    c.put("blob.server.port", String.valueOf(Ports.freeLoopbackPort()));
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", String.valueOf(restPort));
    c.put("parallelism.default", String.valueOf(b.taskSlots));
    c.put("state.backend.type", "rocksdb");
    c.put("execution.checkpointing.incremental", "true");
    c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    c.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
    c.put("io.tmp.dirs", dir.resolve("tmp").toString());
    c.put("web.upload.dir", dir.resolve("upload").toString());
    c.put("web.tmpdir", dir.resolve("web").toString());
    // A killed TaskManager is noticed in seconds rather than the default 50 s.
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "20000");
    // Job jars keep threads (Kafka, Iceberg's worker pools) beyond a job's end; that is no error here.
    c.put("classloader.check-leaked-classloader", "false");
    c.putAll(b.extraConfig);
    return c;
  }

  private static void writeConfig(Path file, Map<String, String> config) throws IOException {
    StringBuilder yaml = new StringBuilder("# Written by lakestream local-services FlinkCluster\n");
    config.forEach((key, value) -> yaml.append(key).append(": ").append(yamlScalar(value)).append('\n'));
    Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
  }

  /** A plain YAML scalar where that is unambiguous, else single-quoted. */
  static String yamlScalar(String value) {
    return value.matches("[A-Za-z0-9_./:-]+") && !value.contains(": ") ? value : "'" + value.replace("'", "''") + "'";
  }

  private static String log4j(String level) {
    return String.join("\n",
        "rootLogger.level = " + level,
        "rootLogger.appenderRef.console.ref = ConsoleAppender",
        "appender.console.name = ConsoleAppender",
        "appender.console.type = CONSOLE",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
        // Chatty at INFO on every checkpoint and commit.
        "logger.kafka.name = org.apache.kafka",
        "logger.kafka.level = WARN",
        "logger.hadoop.name = org.apache.hadoop",
        "logger.hadoop.level = WARN",
        "");
  }

  /** What the cluster looks like; {@link #start()} launches it and waits for its slots. */
  public static final class Builder {
    private final List<Path> classpath;
    private Path dir;
    private int taskSlots = 2;
    private String taskManagerMemory = "2560m";
    private String jobManagerMemory = "1600m";
    private List<String> jvmOptions;
    private String logLevel = "INFO";
    private Duration startTimeout = Duration.ofMinutes(2);
    private final Map<String, String> extraConfig = new LinkedHashMap<>();

    private Builder(List<Path> classpath) {
      this.classpath = List.copyOf(Objects.requireNonNull(classpath, "classpath"));
    }

    /** Configuration, logs, checkpoints and savepoints go here (created if missing, kept on close). */
    public Builder dir(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Slots of the one TaskManager; default 2 (also {@code parallelism.default}). */
    public Builder taskSlots(int taskSlots) {
      if (taskSlots < 1) {
        throw new IllegalArgumentException("taskSlots must be at least 1: " + taskSlots);
      }
      this.taskSlots = taskSlots;
      return this;
    }

    /** {@code taskmanager.memory.process.size}; default 2560m. */
    public Builder taskManagerMemory(String size) {
      this.taskManagerMemory = Objects.requireNonNull(size, "size");
      return this;
    }

    /** {@code jobmanager.memory.process.size}; default 1600m (the JobManager runs each job's main()). */
    public Builder jobManagerMemory(String size) {
      this.jobManagerMemory = Objects.requireNonNull(size, "size");
      return this;
    }

    /** JVM options of both processes instead of this JVM's {@code --add-opens}/{@code --add-exports}. */
    public Builder jvmOptions(List<String> options) {
      this.jvmOptions = List.copyOf(options);
      return this;
    }

    /** Any other Flink configuration, e.g. {@code restart-strategy.type}; wins over the defaults here. */
    public Builder config(String key, String value) {
      extraConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Root log level of both processes; default INFO. */
    public Builder logLevel(String level) {
      this.logLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** How long the processes may take until the slots are registered; default 2 minutes. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Starts the JobManager and the TaskManager and waits until the slots are registered.
     *
     * @throws ServiceStartException with the log tail of the process that failed
     */
    public FlinkCluster start() {
      if (dir == null) {
        throw new IllegalStateException("FlinkCluster.builder(...).dir(...) is required");
      }
      if (classpath.isEmpty()) {
        throw new IllegalStateException("FlinkCluster needs Flink's jars on its classpath; got none");
      }
      for (Path jar : classpath) {
        if (!Files.exists(jar)) {
          throw new ServiceStartException(NAME + ": classpath entry " + jar + " does not exist; resolve the classpath"
              + " again (mvn generate-test-resources)");
        }
      }
      return FlinkCluster.start(this);
    }
  }
}
