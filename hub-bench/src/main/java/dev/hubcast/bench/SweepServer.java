package dev.hubcast.bench;

/**
 * A server as the sweep names it ({@code --servers}): which {@code server --transport} it starts
 * and where the load generator connects to it. Most are a transport loaded through WebSocket at
 * {@code /}; {@code netty-sse} and {@code netty-sse-ws} are the same server ({@code netty-sse}: one
 * hub at {@code /ws} and at {@code /sse}), loaded through event streams and {@code POST}, or
 * through WebSocket. {@code uws} is uWebSockets.js on Node.js ({@link UwsServer}), not a JVM.
 */
enum SweepServer {
  NETTY("netty", BenchServer.Transport.NETTY, "ws", "/"),
  NETTY_IO_URING("netty-io-uring", BenchServer.Transport.NETTY_IO_URING, "ws", "/"),
  JETTY("jetty", BenchServer.Transport.JETTY, "ws", "/"),
  NAIVE_NETTY("naive-netty", BenchServer.Transport.NAIVE_NETTY, "ws", "/"),
  NAIVE_JETTY("naive-jetty", BenchServer.Transport.NAIVE_JETTY, "ws", "/"),
  TOMCAT("tomcat", BenchServer.Transport.TOMCAT, "ws", "/"),
  TOMCAT_UPGRADE("tomcat-upgrade", BenchServer.Transport.TOMCAT_UPGRADE, "ws", "/"),
  NAIVE_TOMCAT("naive-tomcat", BenchServer.Transport.NAIVE_TOMCAT, "ws", "/"),
  NETTY_SSE("netty-sse", BenchServer.Transport.NETTY_SSE, "http", BenchServer.SSE_PATH),
  NETTY_SSE_WS("netty-sse-ws", BenchServer.Transport.NETTY_SSE, "ws", BenchServer.WS_PATH),
  UWS("uws", BenchServer.Transport.UWS, "ws", "/");

  /** The names, as a usage message lists them. */
  static final String EXPECTED =
      "netty, netty-io-uring, jetty, naive-netty, naive-jetty, tomcat, tomcat-upgrade, naive-tomcat,"
          + " netty-sse"
          + " (Server-Sent"
          + " Events), netty-sse-ws or uws (uWebSockets.js on Node.js)";

  final String label;
  final BenchServer.Transport transport;
  private final String scheme;
  private final String path;

  SweepServer(String label, BenchServer.Transport transport, String scheme, String path) {
    this.label = label;
    this.transport = transport;
    this.scheme = scheme;
    this.path = path;
  }

  /** The server called {@code name}, or null. */
  static SweepServer find(String name) {
    for (SweepServer s : values()) {
      if (s.label.equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** The server called {@code name}; {@link IllegalArgumentException} for another name. */
  static SweepServer of(String name) {
    SweepServer s = find(name);
    if (s == null) {
      throw new IllegalArgumentException("server: \"" + name + "\" (expected: " + EXPECTED + ")");
    }
    return s;
  }

  /** Where the load generator connects to this server on loopback port {@code port}. */
  String url(int port) {
    return scheme + "://127.0.0.1:" + port + path;
  }
}
