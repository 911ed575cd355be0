package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * A hub served on some transport, as the kits see it: something test clients connect to, and that
 * stops. Thread-safe.
 *
 * <p>An adapter on a real network transport returns {@link #webSocket(URI, AutoCloseable)}: its
 * clients are {@link JdkWebSocketClient}s. The in-memory transport returns its own.
 */
public interface TestServer extends AutoCloseable {

  /**
   * Opens a client and waits for its handshake to finish.
   *
   * @param query the query string without {@code ?} (may be empty)
   * @param headers extra request headers (such as {@code Origin})
   * @throws HandshakeRefusedException if the server answered the upgrade with an HTTP status
   */
  TestClient connect(String query, Map<String, String> headers) throws Exception;

  /** Opens a client with no query and no extra headers. */
  default TestClient connect() throws Exception {
    return connect("", Map.of());
  }

  /**
   * The server's WebSocket address, for raw-socket tests; empty for a transport without sockets.
   */
  default Optional<URI> uri() {
    return Optional.empty();
  }

  /** Stops the server. */
  @Override
  void close() throws Exception;

  /**
   * A WebSocket server at {@code uri} (such as {@code ws://127.0.0.1:PORT/ws}), reached with the
   * JDK's {@code java.net.http.WebSocket}; {@code stop} stops it.
   */
  static TestServer webSocket(URI uri, AutoCloseable stop) {
    requireNonNull(uri, "uri");
    requireNonNull(stop, "stop");
    return new TestServer() {
      @Override
      public TestClient connect(String query, Map<String, String> headers) throws Exception {
        URI target = query == null || query.isEmpty() ? uri : URI.create(uri + "?" + query);
        return JdkWebSocketClient.connect(target, headers);
      }

      @Override
      public Optional<URI> uri() {
        return Optional.of(uri);
      }

      @Override
      public void close() throws Exception {
        stop.close();
      }

      @Override
      public String toString() {
        return "TestServer[" + uri + "]";
      }
    };
  }
}
