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
 * mvn -q -pl local-services exec:java -Dexec.args=--trino     # also Trino on the Iceberg catalog
 * </pre>
 *
 * {@code -Dlakestream.services=testcontainers} runs Kafka and MinIO in Docker instead.
 */
public final class LocalServicesMain {
  private LocalServicesMain() {}

  /** @param args optional: a work dir to keep the servers' data and logs in, and/or {@code --trino} */
  public static void main(String[] args) throws InterruptedException {
    LocalServices.Builder builder = LocalServices.builder().withAll();
    boolean trino = false;
    for (String arg : args) {
      if (arg.equals("--trino")) {
        trino = true;
      } else {
        builder.workDir(Paths.get(arg));
      }
    }
    LocalServices services = builder.start();
    if (trino) {
      try {
        services.trino();
      } catch (RuntimeException e) {
        services.close();
        throw e;
      }
    }
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
