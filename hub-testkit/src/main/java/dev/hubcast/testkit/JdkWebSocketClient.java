package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link TestClient} on the JDK's {@code java.net.http.WebSocket}: a real client on a real
 * socket. Thread-safe: sends are chained so that they go out one after another, in call order.
 *
 * <p>It reads one message at a time ({@code request(1)}), so {@link #pauseReading()} stops it
 * reading from the socket and the server's writes back up, as with a stalled browser tab.
 *
 * <pre>{@code
 * try (JdkWebSocketClient c = JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:8080/ws"))) {
 *   c.sendText("hello");
 *   String answer = c.awaitText(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class JdkWebSocketClient implements TestClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
  private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
  private final Object lock = new Object();
  private WebSocket webSocket; // set once connected
  private CompletableFuture<?> sendTail =
      CompletableFuture.completedFuture(null); // guarded by lock
  private boolean paused; // guarded by lock
  private boolean demandOwed; // a request(1) withheld while paused; guarded by lock

  private JdkWebSocketClient() {}

  /**
   * Connects to {@code uri}, waiting up to 10 s for the handshake.
   *
   * @throws HandshakeRefusedException if the server answered with an HTTP status
   * @throws IllegalStateException if the connection failed or timed out, or the thread was
   *     interrupted (its interrupt flag is then set again)
   */
  public static JdkWebSocketClient connect(URI uri) {
    return connect(uri, Map.of());
  }

  /**
   * Connects to {@code uri} with extra headers (such as {@code Origin}), waiting up to 10 s for the
   * handshake.
   *
   * @throws HandshakeRefusedException if the server answered with an HTTP status
   * @throws IllegalStateException if the connection failed or timed out, or the thread was
   *     interrupted (its interrupt flag is then set again)
   */
  public static JdkWebSocketClient connect(URI uri, Map<String, String> headers) {
    return connect(HTTP, uri, headers);
  }

  /**
   * Connects to {@code uri} through {@code http} (one with the {@code SSLContext} that trusts a
   * test certificate, for {@code wss://}), with extra headers, waiting up to 10 s for the
   * handshake.
   *
   * @throws HandshakeRefusedException if the server answered with an HTTP status
   * @throws IllegalStateException if the connection failed or timed out (a certificate the client
   *     does not trust, say), or the thread was interrupted
   */
  public static JdkWebSocketClient connect(HttpClient http, URI uri, Map<String, String> headers) {
    requireNonNull(http, "http");
    requireNonNull(uri, "uri");
    requireNonNull(headers, "headers");
    JdkWebSocketClient client = new JdkWebSocketClient();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
    headers.forEach(builder::header);
    CompletableFuture<WebSocket> opening = builder.buildAsync(uri, client.new Listener());
    try {
      WebSocket ws = opening.get(CONNECT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
      synchronized (client.lock) {
        client.webSocket = ws;
      }
      return client;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof WebSocketHandshakeException) {
        var response = ((WebSocketHandshakeException) cause).getResponse();
        Object body = response.body();
        throw new HandshakeRefusedException(
            response.statusCode(), body == null ? null : String.valueOf(body));
      }
      throw new IllegalStateException("could not connect to " + uri + ": " + cause, cause);
    } catch (TimeoutException e) {
      opening.cancel(true);
      throw new IllegalStateException("no handshake with " + uri + " within " + CONNECT_TIMEOUT, e);
    } catch (InterruptedException e) {
      opening.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted connecting to " + uri, e);
    }
  }

  private WebSocket ws() {
    synchronized (lock) {
      if (webSocket == null) {
        throw new IllegalStateException("not connected");
      }
      return webSocket;
    }
  }

  @Override
  public void sendText(String text) {
    WebSocket ws = ws();
    synchronized (lock) {
      sendTail = sendTail.thenCompose(x -> ws.sendText(text, true));
    }
  }

  @Override
  public void sendBinary(byte[] data) {
    WebSocket ws = ws();
    ByteBuffer copy = ByteBuffer.wrap(data.clone());
    synchronized (lock) {
      sendTail = sendTail.thenCompose(x -> ws.sendBinary(copy, true));
    }
  }

  @Override
  public String awaitText(Duration timeout) {
    return Waits.poll(texts, timeout, "a text message");
  }

  @Override
  public List<String> awaitTexts(int n, Duration timeout) {
    return Waits.pollAll(texts, n, timeout, "text messages");
  }

  @Override
  public byte[] awaitBinary(Duration timeout) {
    return Waits.poll(binaries, timeout, "a binary message");
  }

  @Override
  public CloseStatus awaitClose(Duration timeout) {
    return Waits.future(closed, timeout, "the connection to close");
  }

  @Override
  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public int pendingTexts() {
    return texts.size();
  }

  @Override
  public void pauseReading() {
    synchronized (lock) {
      paused = true;
    }
  }

  @Override
  public void resumeReading() {
    WebSocket ws;
    synchronized (lock) {
      paused = false;
      if (!demandOwed) {
        return;
      }
      demandOwed = false;
      ws = webSocket;
    }
    ws.request(1);
  }

  @Override
  public void close(int code, String reason) {
    WebSocket ws = ws();
    synchronized (lock) {
      sendTail = sendTail.handle((x, e) -> null).thenCompose(x -> ws.sendClose(code, reason));
    }
  }

  @Override
  public void abort() {
    ws().abort();
    closed.complete(new CloseStatus(1006, "aborted by the client"));
  }

  private void askForMore(WebSocket ws) {
    synchronized (lock) {
      if (paused) {
        demandOwed = true;
        return;
      }
    }
    ws.request(1);
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        texts.add(text.toString());
        text.setLength(0);
      }
      askForMore(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      binary.write(bytes, 0, bytes.length);
      if (last) {
        binaries.add(binary.toByteArray());
        binary.reset();
      }
      askForMore(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      askForMore(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      askForMore(ws);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(new CloseStatus(statusCode, reason));
      return null; // the JDK echoes the close once this completes
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(new CloseStatus(1006, String.valueOf(error)));
    }
  }

  @Override
  public String toString() {
    return "JdkWebSocketClient[" + (isClosed() ? "closed" : "open") + "]";
  }
}
