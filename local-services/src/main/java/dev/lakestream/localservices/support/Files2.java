package dev.lakestream.localservices.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File helpers. Internal: not part of the API. */
public final class Files2 {
  private static final Logger LOG = LoggerFactory.getLogger(Files2.class);
  private static final int TAIL_BYTES = 16 * 1024;

  private Files2() {}

  /** The last {@code lines} lines of a log file, or a note why there are none. */
  public static String tail(Path file, int lines) {
    if (file == null || !Files.isRegularFile(file)) {
      return "(no log file " + file + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long start = Math.max(0, length - TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - start)];
      raf.seek(start);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      return last.isEmpty() || (last.size() == 1 && last.get(0).isBlank())
          ? "(log file " + file + " is empty)"
          : "  | " + String.join("\n  | ", last);
    } catch (IOException e) {
      return "(could not read " + file + ": " + e + ")";
    }
  }

  /** Deletes a tree, logging (not throwing) what could not be deleted. */
  public static void deleteQuietly(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          LOG.debug("Could not delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", root, e.toString());
    }
  }
}
