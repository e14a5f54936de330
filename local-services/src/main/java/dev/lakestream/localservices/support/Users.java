package dev.lakestream.localservices.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Who this JVM runs as. Internal: not part of the API. */
public final class Users {
  private Users() {}

  /** True when this process runs as uid 0 (PostgreSQL then has to run as user postgres). */
  public static boolean isRoot() {
    try {
      // /proc/self belongs to the uid of the process that looks at it.
      return ((Number) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
