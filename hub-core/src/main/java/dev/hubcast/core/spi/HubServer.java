package dev.hubcast.core.spi;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * An embedded server that serves a {@link dev.hubcast.core.Hub} at one WebSocket path: what the
 * adapters' {@code JettyHubServer} and {@code NettyHubServer} have in common, so that code that
 * only starts and stops a server (an application's {@code main}, a test) works with either.
 *
 * <pre>{@code
 * HubServer server = NettyHubServer.builder(hub).port(8080).start();
 * System.out.println("listening at " + server.uri());
 * ...
 * hub.shutdown().join();   // clients get 1001 after their outboxes drain
 * server.close();          // then the sockets and threads go
 * }</pre>
 *
 * <p>Thread-safe. Starting fails with an unchecked exception that says why (a port in use is an
 * {@link java.io.UncheckedIOException} around the {@link java.net.BindException}), after releasing
 * every thread it started. The static checks are the one validation both builders use.
 */
public interface HubServer extends AutoCloseable {

  /** The port it listens on (the one the OS chose when started on port 0). */
  int port();

  /** The host it was bound to, as given ({@code 127.0.0.1}, {@code 0.0.0.0}, a name). */
  String host();

  /** The WebSocket path the hub is served at. */
  String path();

  /** Whether it serves TLS ({@code wss://}). */
  default boolean isSecure() {
    return false;
  }

  /**
   * The {@code ws://} (or, with TLS, {@code wss://}) URI of the hub, with {@code 127.0.0.1}
   * standing for a wildcard host; handy for clients and tests.
   */
  default URI uri() {
    String h = host();
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
      h = "127.0.0.1";
    } else if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return URI.create((isSecure() ? "wss://" : "ws://") + h + ":" + port() + path());
  }

  /**
   * Stops listening and drops what connections are left (1006 to their peers); never blocks for
   * longer than the transport's own stop. Shut the hub down first for a graceful stop. Idempotent.
   */
  @Override
  void close();

  /**
   * Checks a host to bind to: not blank.
   *
   * @throws IllegalArgumentException naming the value
   */
  static String checkHost(String host) {
    requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: \"" + host + "\" (expected: a name or address)");
    }
    return host;
  }

  /**
   * Checks a port: 0 (any free one) to 65535.
   *
   * @throws IllegalArgumentException naming the value
   */
  static int checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    return port;
  }

  /**
   * Checks a WebSocket path: starts with {@code /}, no query, fragment or whitespace.
   *
   * @throws IllegalArgumentException naming the value
   */
  static String checkPath(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/")
        || path.indexOf('?') >= 0
        || path.indexOf('#') >= 0
        || path.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "path: \"" + path + "\" (expected: starts with '/', no query, fragment or spaces)");
    }
    return path;
  }
}
