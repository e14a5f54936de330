package dev.lakestream.localservices.support;

import dev.lakestream.localservices.ServiceStartException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1. Internal: not part of the API. */
public final class Ports {
  private Ports() {}

  /**
   * A port that was free a moment ago. Servers bind it shortly after; the small race is accepted
   * because the servers we run take their port from configuration, not from a socket we could
   * hand over.
   */
  public static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new ServiceStartException("Could not find a free TCP port on 127.0.0.1: " + e, e);
    }
  }
}
