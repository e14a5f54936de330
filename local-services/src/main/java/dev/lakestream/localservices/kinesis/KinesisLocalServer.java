package dev.lakestream.localservices.kinesis;

import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ChildProcess;
import dev.lakestream.localservices.support.HttpProbe;
import dev.lakestream.localservices.support.ManagedService;
import dev.lakestream.localservices.support.Ports;
import dev.lakestream.localservices.support.Settings;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kinesis-mock's Node build (npm {@code kinesis-local}) as a child process: ARN-addressed calls and
 * consumer APIs work, which the Flink {@code KinesisStreamsSource} needs. Internal: not part of the API.
 */
public final class KinesisLocalServer implements ManagedService {
  private static final String NAME = "Kinesis-API server (kinesis-local)";
  public static final String ACCOUNT_ID = "000000000000";
  public static final String REGION = "us-east-1";

  private final ChildProcess process;
  private final URI endpoint;

  private KinesisLocalServer(ChildProcess process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  public static KinesisLocalServer start(Path dir, Duration timeout) {
    String version = Settings.kinesisLocalVersion();
    Path packageDir = findPackageDir(Settings.kinesisLocalDir(), version);
    String node = findNode();
    int plainPort = Ports.freeLoopbackPort();
    int tlsPort = Ports.freeLoopbackPort();
    URI endpoint = URI.create("http://127.0.0.1:" + plainPort);
    Map<String, String> env = Map.ofEntries(
        Map.entry("KINESIS_MOCK_PLAIN_PORT", String.valueOf(plainPort)),
        Map.entry("KINESIS_MOCK_TLS_PORT", String.valueOf(tlsPort)),
        Map.entry("AWS_ACCOUNT_ID", ACCOUNT_ID),
        Map.entry("AWS_REGION", REGION),
        // Every run starts empty, and nothing is written into the shared package folder.
        Map.entry("SHOULD_PERSIST_DATA", "false"),
        Map.entry("LOAD_DATA_IF_EXISTS", "false"),
        // One server serves every test of the JVM, each with its own streams: raise the limits.
        Map.entry("SHARD_LIMIT", "1000"),
        Map.entry("ON_DEMAND_STREAM_COUNT_LIMIT", "100"),
        // Stream state changes (CREATING -> ACTIVE) take 500 ms by default.
        Map.entry("CREATE_STREAM_DURATION", "100ms"),
        Map.entry("DELETE_STREAM_DURATION", "100ms"),
        Map.entry("REGISTER_STREAM_CONSUMER_DURATION", "100ms"),
        Map.entry("DEREGISTER_STREAM_CONSUMER_DURATION", "100ms"),
        Map.entry("LOG_LEVEL", "INFO"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ServiceStartException(NAME + " could not create " + dir + ": " + e, e);
    }
    String hint = "kinesis-local " + version + " runs from " + packageDir + " with " + node + ".";
    // It reads server.json (its TLS certificate) from the current directory.
    // No grace on stop: it keeps no data, and its graceful stop waits for every client connection.
    ChildProcess process = ChildProcess.start(NAME, List.of(node, "main.js"), packageDir, env,
        dir.resolve("kinesis-local.log"), hint, Duration.ofSeconds(1));
    URI health = endpoint.resolve("/healthcheck");
    try {
      process.awaitReady("answer GET " + health + " with 200", timeout, hint, () -> HttpProbe.status(health) == 200);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return new KinesisLocalServer(process, endpoint);
  }

  /** The folder holding main.js: {@code dir} itself or {@code dir/node_modules/kinesis-local}. */
  static Path findPackageDir(Path dir, String version) {
    for (Path candidate : List.of(dir, dir.resolve("node_modules").resolve("kinesis-local"))) {
      if (Files.isRegularFile(candidate.resolve("main.js"))) {
        return candidate;
      }
    }
    throw new ServiceStartException(NAME + ": npm package kinesis-local " + version + " not found in " + dir
        + " (no main.js there nor in node_modules/kinesis-local): " + Settings.INSTALL_HINT
        + ", or `npm install --no-audit --no-fund --prefix " + dir + " kinesis-local@" + version
        + "`, or point system property " + Settings.KINESIS_LOCAL_DIR + " at an installed copy.");
  }

  static String findNode() {
    String configured = Settings.get(Settings.NODE, null);
    if (configured != null) {
      return configured;
    }
    Optional<Path> onPath = Optional.ofNullable(System.getenv("PATH")).stream()
        .flatMap(path -> List.of(path.split(File.pathSeparator)).stream())
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Paths.get(entry, "node"))
        .filter(Files::isExecutable)
        .findFirst();
    return onPath.map(Path::toString).orElseThrow(() -> new ServiceStartException(NAME
        + ": no `node` on the PATH. Install Node.js (" + Settings.INSTALL_HINT
        + " installs Debian's nodejs as root), or point system property " + Settings.NODE + " at the node binary."));
  }

  @Override
  public String name() {
    return NAME;
  }

  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    process.close();
  }
}
