package dev.lakestream.localservices.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 GET with {@code Connection: close}, on a plain socket: a pooled keep-alive
 * connection (as java.net.http keeps for 20 minutes) makes kinesis-local's graceful stop wait for
 * it. Internal: not part of the API.
 */
public final class HttpProbe {
  private HttpProbe() {}

  /** The status code of {@code GET uri}; throws when nothing answers. */
  public static int status(URI uri) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1_000);
      socket.setSoTimeout(2_000);
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String statusLine = in.readLine();
      if (statusLine == null || !statusLine.startsWith("HTTP/")) {
        throw new IOException("no HTTP status line from " + uri + ": " + statusLine);
      }
      String[] parts = statusLine.split(" ", 3);
      return Integer.parseInt(parts[1]);
    }
  }
}
