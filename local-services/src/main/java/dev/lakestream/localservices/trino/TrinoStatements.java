package dev.lakestream.localservices.trino;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of Trino's client protocol (POST /v1/statement, then follow nextUri) to tell whether
 * the server answers queries, without a JSON library or the JDBC driver on this module's class
 * path. Tests use the JDBC driver. Internal: not part of the API.
 */
final class TrinoStatements {
  private static final Pattern NEXT_URI = Pattern.compile("\"nextUri\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern FIRST_VALUE = Pattern.compile("\"data\"\\s*:\\s*\\[\\s*\\[\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,\\]]*)");
  private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\\{\\s*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private TrinoStatements() {}

  /**
   * Runs {@code sql} and returns the first column of its first row as JSON text (a number as is, a
   * string in quotes), or null when there is no row.
   *
   * @throws IOException when the server does not answer or the query fails (with Trino's message)
   */
  static String firstValue(URI endpoint, String user, String sql) throws IOException {
    String response = call(endpoint.resolve("/v1/statement"), "POST", user, sql);
    String first = null;
    for (int round = 0; round < 10_000; round++) {
      Matcher error = ERROR.matcher(response);
      if (error.find()) {
        throw new IOException("Trino query failed: " + error.group(1).replace("\\\"", "\"") + " [" + sql + "]");
      }
      Matcher value = FIRST_VALUE.matcher(response);
      if (first == null && value.find()) {
        first = value.group(1).trim();
      }
      Matcher next = NEXT_URI.matcher(response);
      if (!next.find()) {
        return first;
      }
      response = call(URI.create(next.group(1)), "GET", user, null);
    }
    throw new IOException("Trino query did not finish: " + sql);
  }

  private static String call(URI uri, String method, String user, String body) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout(2_000);
      connection.setReadTimeout(30_000);
      connection.setRequestProperty("X-Trino-User", user);
      // No pooled keep-alive connection left behind to hold up the server's stop.
      connection.setRequestProperty("Connection", "close");
      if (body != null) {
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "text/plain; charset=utf-8");
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body.getBytes(StandardCharsets.UTF_8));
        }
      }
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (status != 200) {
        throw new IOException("HTTP " + status + " from " + method + " " + uri + ": " + text.trim());
      }
      return text;
    } finally {
      connection.disconnect();
    }
  }
}
