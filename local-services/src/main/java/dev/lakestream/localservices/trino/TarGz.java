package dev.lakestream.localservices.trino;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Extracts part of a {@code .tar.gz} (ustar, pax and GNU long names) with its hard links. Trino's
 * tarball stores each jar once and every other copy as a hard link, often to a plugin we do not
 * extract; Maven's unpack (plexus-archiver) writes hard links as empty files, and {@code tar} with
 * a member list fails on links to members left out. So: one pass to find the link targets the
 * wanted entries need, a second to extract both. Internal: not part of the API.
 */
final class TarGz {
  private static final int BLOCK = 512;

  /** One header, names already joined from ustar prefix, pax or GNU long-name records. */
  private static final class Entry {
    final String name;
    final char type;
    final long size;
    final int mode;
    final String linkName;

    Entry(String name, char type, long size, int mode, String linkName) {
      this.name = name;
      this.type = type;
      this.size = size;
      this.mode = mode;
      this.linkName = linkName;
    }

    boolean isDirectory() {
      return type == '5' || (type == '0' && name.endsWith("/"));
    }

    boolean isHardLink() {
      return type == '1';
    }

    boolean isSymbolicLink() {
      return type == '2';
    }

    boolean isRegularFile() {
      return type == '0' || type == '\0' || type == '7';
    }
  }

  @FunctionalInterface
  private interface EntryHandler {
    /** Consumes the entry's content from {@code in} (exactly {@code entry.size} bytes) or leaves it. */
    void handle(Entry entry, InputStream in) throws IOException;
  }

  private TarGz() {}

  /**
   * Extracts into {@code target} the entries whose name, without the archive's top directory, is
   * {@code wanted}, plus the files their hard links point at (removed again at the end: the links
   * keep the data).
   *
   * @return the number of files extracted
   */
  static int extract(Path tarball, Path target, Predicate<String> wanted) throws IOException {
    Set<String> linkTargets = new HashSet<>();
    read(tarball, (entry, in) -> {
      if (entry.isHardLink() && wanted.test(relative(entry.name)) && !wanted.test(relative(entry.linkName))) {
        linkTargets.add(relative(entry.linkName));
      }
    });
    Set<Path> helpers = new LinkedHashSet<>();
    int[] files = {0};
    Path root = target.toAbsolutePath().normalize();
    read(tarball, (entry, in) -> {
      String name = relative(entry.name);
      boolean isWanted = wanted.test(name);
      if (!isWanted && !linkTargets.contains(name)) {
        return;
      }
      Path path = resolve(root, name);
      if (entry.isDirectory()) {
        Files.createDirectories(path);
        return;
      }
      Files.createDirectories(path.getParent());
      if (entry.isRegularFile()) {
        try (OutputStream out = Files.newOutputStream(path)) {
          copy(in, out, entry.size);
        }
        if ((entry.mode & 0100) != 0) {
          Set<PosixFilePermission> permissions = new HashSet<>(Files.getPosixFilePermissions(path));
          permissions.add(PosixFilePermission.OWNER_EXECUTE);
          Files.setPosixFilePermissions(path, permissions);
        }
      } else if (entry.isHardLink()) {
        Path existing = resolve(root, relative(entry.linkName));
        try {
          Files.createLink(path, existing);
        } catch (FileSystemException | UnsupportedOperationException e) {
          Files.copy(existing, path, StandardCopyOption.REPLACE_EXISTING);
        }
      } else if (entry.isSymbolicLink()) {
        Files.createSymbolicLink(path, path.getFileSystem().getPath(entry.linkName));
      } else {
        return;
      }
      if (isWanted) {
        files[0]++;
      } else {
        helpers.add(path);
      }
    });
    for (Path helper : helpers) {
      Files.deleteIfExists(helper);
      // And the dirs only they were in (Trino takes every dir under plugin/ for a plugin).
      for (Path dir = helper.getParent(); !dir.equals(root) && isEmptyDirectory(dir); dir = dir.getParent()) {
        Files.delete(dir);
      }
    }
    return files[0];
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (java.util.stream.Stream<Path> children = Files.list(dir)) {
      return children.findAny().isEmpty();
    }
  }

  /** The name without the archive's top directory ({@code trino-server-476/lib/x.jar} to {@code lib/x.jar}). */
  static String relative(String name) {
    int slash = name.indexOf('/');
    return slash < 0 ? "" : name.substring(slash + 1);
  }

  private static Path resolve(Path root, String name) throws IOException {
    Path path = root.resolve(name).normalize();
    if (!path.startsWith(root)) {
      throw new IOException("Archive entry " + name + " points outside " + root);
    }
    return path;
  }

  private static void read(Path tarball, EntryHandler handler) throws IOException {
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tarball), 1 << 16), 1 << 16)) {
      byte[] header = new byte[BLOCK];
      String longName = null;
      String longLink = null;
      while (true) {
        if (!readBlock(in, header)) {
          return;
        }
        if (isZero(header)) {
          return;
        }
        char type = (char) header[156];
        long size = octal(header, 124, 12);
        if (type == 'L' || type == 'K' || type == 'x') {
          String text = new String(readFully(in, size), StandardCharsets.UTF_8);
          skip(in, padding(size));
          if (type == 'L') {
            longName = trimNul(text);
          } else if (type == 'K') {
            longLink = trimNul(text);
          } else {
            String path = paxValue(text, "path");
            String link = paxValue(text, "linkpath");
            longName = path != null ? path : longName;
            longLink = link != null ? link : longLink;
          }
          continue;
        }
        String name = longName != null ? longName : ustarName(header);
        String linkName = longLink != null ? longLink : string(header, 157, 100);
        longName = null;
        longLink = null;
        Entry entry = new Entry(name, type, type == '1' || type == '2' || type == '5' ? 0 : size,
            (int) octal(header, 100, 8), linkName);
        CountingInputStream content = new CountingInputStream(in, entry.size);
        handler.handle(entry, content);
        skip(in, content.remaining + padding(entry.size));
      }
    }
  }

  private static String ustarName(byte[] header) {
    String name = string(header, 0, 100);
    // POSIX ustar keeps the start of long names in the prefix field (GNU tar uses those bytes otherwise).
    boolean posix = header[257] == 'u' && header[262] == 0;
    String prefix = posix ? string(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String paxValue(String records, String key) {
    // Records are "<length> <key>=<value>\n".
    for (String line : records.split("\n")) {
      int space = line.indexOf(' ');
      int equals = line.indexOf('=');
      if (space > 0 && equals > space && line.substring(space + 1, equals).equals(key)) {
        return line.substring(equals + 1);
      }
    }
    return null;
  }

  private static long padding(long size) {
    long rest = size % BLOCK;
    return rest == 0 ? 0 : BLOCK - rest;
  }

  private static long octal(byte[] header, int offset, int length) {
    if ((header[offset] & 0x80) != 0) {
      // GNU base-256 for sizes of 8 GiB and more.
      long value = header[offset] & 0x7f;
      for (int i = 1; i < length; i++) {
        value = (value << 8) | (header[offset + i] & 0xff);
      }
      return value;
    }
    long value = 0;
    for (int i = offset; i < offset + length; i++) {
      byte b = header[i];
      if (b == 0 || b == ' ') {
        if (value != 0) {
          break;
        }
        continue;
      }
      value = value * 8 + (b - '0');
    }
    return value;
  }

  private static String string(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static String trimNul(String text) {
    int nul = text.indexOf('\0');
    return nul < 0 ? text : text.substring(0, nul);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    int read = in.readNBytes(block, 0, BLOCK);
    if (read == 0) {
      return false;
    }
    if (read < BLOCK) {
      throw new EOFException("Truncated tar header");
    }
    return true;
  }

  private static byte[] readFully(InputStream in, long size) throws IOException {
    if (size > 1 << 20) {
      throw new IOException("Tar extended header of " + size + " bytes");
    }
    byte[] bytes = in.readNBytes((int) size);
    if (bytes.length < size) {
      throw new EOFException("Truncated tar extended header");
    }
    return bytes;
  }

  private static void skip(InputStream in, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("Truncated tar entry");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("Truncated tar entry");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  /** The content of one entry: a handler may read part of it; the rest is skipped after. */
  private static final class CountingInputStream extends InputStream {
    private final InputStream in;
    long remaining;

    CountingInputStream(InputStream in, long size) {
      this.in = in;
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int read = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (read > 0) {
        remaining -= read;
      }
      return read;
    }
  }
}
