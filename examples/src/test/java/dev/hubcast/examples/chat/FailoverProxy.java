package dev.hubcast.examples.chat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 standing in for a load balancer in front of chat servers: each
 * connection it accepts is joined, byte for byte, to a new connection to its current target; when
 * the target cannot be reached the accepted connection is closed at once, as a balancer with no
 * healthy server does. {@link #switchTo} sends the connections that come next to another server
 * (the failover); the open ones stay joined until either end closes, and then both ends close.
 * {@link #blockWebSockets} makes it a network that breaks WebSockets, as some proxies do: it
 * answers a WebSocket upgrade with 403 itself, and passes every other request on.
 *
 * <p>Thread-safe: one thread accepts, two copy each joined connection's bytes; {@link #switchTo}
 * and {@link #close} may be called from any thread.
 */
final class FailoverProxy implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  private static final int MAX_HEAD_BYTES = 16 * 1024;
  private static final Pattern UPGRADE =
      Pattern.compile("^upgrade:\\s*websocket\\s*$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

  private final ServerSocket listener;
  private final ExecutorService threads;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile int targetPort;
  private volatile boolean blockWebSockets;

  private FailoverProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "failover-proxy");
              t.setDaemon(true);
              return t;
            });
  }

  /** Listens on a free port of 127.0.0.1, forwarding to {@code targetPort} there. */
  static FailoverProxy start(int targetPort) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FailoverProxy proxy = new FailoverProxy(listener, targetPort);
    proxy.threads.execute(proxy::acceptLoop);
    return proxy;
  }

  /** The port the proxy listens on. */
  int port() {
    return listener.getLocalPort();
  }

  /** Refuses, from now on, every WebSocket upgrade with 403; other requests pass as before. */
  void blockWebSockets() {
    blockWebSockets = true;
  }

  /** Closes every connection it joined, as a network that drops them; it goes on accepting. */
  void dropConnections() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Sends the connections accepted from now on to {@code port} of 127.0.0.1. */
  void switchTo(int port) {
    targetPort = port;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      sockets.add(client);
      threads.execute(() -> join(client));
    }
  }

  private void join(Socket client) {
    Socket server = new Socket();
    sockets.add(server);
    byte[] head = new byte[0];
    try {
      if (blockWebSockets) {
        // The first request's head decides: a browser opens each WebSocket on a connection of its
        // own, so an upgrade never comes later on a connection passed on.
        head = readHead(client.getInputStream());
        if (UPGRADE.matcher(new String(head, StandardCharsets.ISO_8859_1)).find()) {
          OutputStream out = client.getOutputStream();
          out.write(
              "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          closeBoth(client, server);
          return;
        }
      }
      server.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
          CONNECT_TIMEOUT_MILLIS);
      server.getOutputStream().write(head);
    } catch (IOException unreachable) {
      closeBoth(client, server);
      return;
    }
    threads.execute(() -> copy(server, client));
    copy(client, server);
  }

  /**
   * The bytes up to the end of the first request's head (a blank line), at most {@value
   * #MAX_HEAD_BYTES}; read one at a time, so that nothing after it is taken from the stream.
   */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    int b;
    while (head.size() < MAX_HEAD_BYTES && (b = in.read()) >= 0) {
      head.write(b);
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        break;
      }
    }
    return head.toByteArray();
  }

  /** Copies until either end closes or fails, then closes both. */
  private void copy(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException endClosed) {
      // one end went away: both go
    } finally {
      closeBoth(from, to);
    }
  }

  private void closeBoth(Socket a, Socket b) {
    for (Socket s : new Socket[] {a, b}) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      sockets.remove(s);
    }
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      threads.shutdownNow();
    }
  }
}
