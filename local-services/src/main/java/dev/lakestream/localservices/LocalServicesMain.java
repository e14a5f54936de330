package dev.lakestream.localservices;

import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

/**
 * Starts every local server, prints the endpoints and the Iceberg catalog properties, and runs
 * until Ctrl-C. From the project root:
 *
 * <pre>
 * mvn -q -pl local-services exec:java                         # data in a temp dir, deleted on exit
 * mvn -q -pl local-services exec:java -Dexec.args=local-run   # data kept in ./local-run (git-ignored)
 * </pre>
 *
 * {@code -Dlakestream.services=testcontainers} runs Kafka and MinIO in Docker instead.
 */
public final class LocalServicesMain {
  private LocalServicesMain() {}

  /** @param args optional: a work dir to keep the servers' data and logs in */
  public static void main(String[] args) throws InterruptedException {
    LocalServices.Builder builder = LocalServices.builder().withAll();
    if (args.length > 0) {
      builder.workDir(Paths.get(args[0]));
    }
    LocalServices services = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping local services...");
      services.close();
      stopped.countDown();
    }, "lakestream-local-services-main-shutdown"));
    System.out.println(services.describe());
    System.out.println("Running. Press Ctrl-C to stop.");
    stopped.await();
  }
}
