package dev.lakestream.localservices.support;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting. Internal: not part of the API. */
public final class Shell {
  private Shell() {}

  /** Quotes one word for sh. */
  public static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Quotes every word of a command for sh. */
  public static String command(List<String> words) {
    return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
  }
}
