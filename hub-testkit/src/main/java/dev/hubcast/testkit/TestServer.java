package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A hub served on some transport, as the kits see it: something test clients connect to, and that
 * stops, with what its clients can do. Thread-safe.
 *
 * <p>An adapter on a real network transport returns {@link #webSocket(URI, AutoCloseable)}: its
 * clients are {@link JdkWebSocketClient}s. The in-memory transport returns its own. A transport
 * that is not a WebSocket (Server-Sent Events with HTTP POST, say) implements this interface with
 * its own {@link TestClient}, and says what it cannot do by overriding the capability methods
 * below: the kits then skip, with that reason, each test that needs what it lacks, and never fail
 * it or ask it to fake it. Every capability's default is what a WebSocket has.
 *
 * <pre>{@code
 * return new TestServer() {
 *   public TestClient connect(String query, Map<String, String> headers) { ... }
 *   public boolean clientsSendCloseCodes() { return false; } // the client just drops its stream
 *   public Duration lostConnectionNoticedWithin() { return Duration.ofSeconds(6); } // heartbeat
 *   public void close() { server.stop(); }
 * };
 * }</pre>
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
   * The server's WebSocket address, for the raw-socket tests ({@link RawWebSocket}); empty for a
   * transport that is not a WebSocket on a socket, whose raw-socket tests are skipped.
   */
  default Optional<URI> uri() {
    return Optional.empty();
  }

  /**
   * Whether clients can send binary messages ({@link TestClient#sendBinary}); tests that send
   * binary are skipped without. Default: true.
   */
  default boolean clientsSendBinary() {
    return true;
  }

  /**
   * Whether a client's close code and reason ({@link TestClient#close(int, String)}) reach the
   * server. A transport whose client can only drop its connection (the server then reports 1006)
   * returns false; tests that check the code a client sent are skipped. Default: true.
   */
  default boolean clientsSendCloseCodes() {
    return true;
  }

  /**
   * Whether clients see the code and reason of the server's close ({@link TestClient#awaitClose}).
   * Without, the kits check only that the client saw its connection end. Default: true.
   */
  default boolean clientsSeeCloseCodes() {
    return true;
  }

  /**
   * Whether clients can send text that is not UTF-8 ({@link TestClient#sendRawText}); without it
   * (and without a WebSocket socket to write it raw), the UTF-8 test is skipped. Default: false.
   */
  default boolean clientsSendRawText() {
    return false;
  }

  /**
   * Whether the server sees a frame's declared length before its payload, and refuses a frame
   * declared over {@code maxMessageBytes} at once. An adapter on an API that hands it payload bytes
   * only (the Jakarta WebSocket API) counts the bytes that arrive: a client that declares a huge
   * frame and sends nothing more is, to it, a silent client, closed by the idle timeout. Returns
   * false there; the test of a huge declared length that sends no payload is skipped. Default:
   * true.
   */
  default boolean refusesByDeclaredLength() {
    return true;
  }

  /**
   * How long the server may take to notice that a client vanished without a close ({@link
   * TestClient#abort}): the transport's heartbeat or read timeout. The kits wait this long, plus
   * {@link KitFixture#WAIT}, for such a close to be reported; keep it under 10 s, or the kits'
   * per-test timeouts cut the wait short. Default: 2 s (a socket's reset is seen at once).
   */
  default Duration lostConnectionNoticedWithin() {
    return Duration.ofSeconds(2);
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
