package dev.hubcast.sse;

import static java.util.Objects.requireNonNull;

import dev.hubcast.testkit.EventStreamReader;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client of the event-stream transport, as a browser's {@code EventSource} with {@code
 * fetch} would be: one {@code GET} stream read with the JDK's {@code HttpClient}, a {@code POST}
 * per message, one at a time so their order holds. Thread-safe.
 *
 * <p>It cannot send a close code (an event stream has none): {@link #close(int, String)} drops the
 * stream as {@code EventSource.close()} does. Pausing stops asking the response body for more, so
 * the client stops reading from the socket.
 */
final class SseTestClient implements TestClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final URI uri;
  private final Map<String, String> headers;
  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> ids = new LinkedBlockingQueue<>();
  private final CompletableFuture<String> token = new CompletableFuture<>();
  private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
  private final Object lock = new Object();
  private CompletableFuture<?> postTail = CompletableFuture.completedFuture(null); // lock
  private final EventStreamReader reader = new EventStreamReader(new Events());
  private final List<String> postProblems = new java.util.concurrent.CopyOnWriteArrayList<>();

  private SseTestClient(HttpClient http, URI uri, Map<String, String> headers) {
    this.http = http;
    this.uri = uri;
    this.headers = headers;
  }

  /**
   * Opens a stream at {@code uri} and waits for its token.
   *
   * @throws HandshakeRefusedException if the server answered with another status than 200
   */
  static SseTestClient connect(HttpClient http, URI uri, Map<String, String> headers)
      throws Exception {
    SseTestClient c = new SseTestClient(http, uri, Map.copyOf(headers));
    HttpRequest.Builder get =
        HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
    headers.forEach(get::header);
    HttpResponse<Void> response =
        http.sendAsync(get.build(), info -> c.subscriber(info.statusCode()))
            .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (response.statusCode() != 200) {
      throw new HandshakeRefusedException(response.statusCode(), c.refusal.toString().trim());
    }
    c.token.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    return c;
  }

  /** The id of the last event that had one, as {@code EventSource.lastEventId}; null before. */
  String lastEventId() {
    return reader.lastEventId();
  }

  /** The stream's token, from its {@code hubcast-open} event. */
  String token() {
    return token.join();
  }

  /** The ids of the events received, in order. */
  BlockingQueue<String> ids() {
    return ids;
  }

  /** POSTs {@code body} as {@code contentType}, after the earlier ones; returns the status. */
  CompletableFuture<Integer> post(byte[] body, String contentType) {
    HttpRequest.Builder post =
        HttpRequest.newBuilder(
                URI.create(uri.getScheme() + "://" + uri.getAuthority() + uri.getPath()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", contentType)
            .header("Hubcast-Token", token.join());
    headers.forEach(
        (k, v) -> {
          if (k.equalsIgnoreCase("Origin") || k.equalsIgnoreCase("Authorization")) {
            post.header(k, v);
          }
        });
    HttpRequest request = post.build();
    synchronized (lock) {
      CompletableFuture<Integer> sent =
          postTail
              .handle((x, e) -> null)
              .thenCompose(x -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
              .thenApply(HttpResponse::statusCode);
      postTail = sent;
      sent.whenComplete(
          (status, failure) -> {
            if (failure != null || status >= 300) {
              postProblems.add(failure != null ? failure.toString() : "HTTP " + status);
            }
          });
      return sent;
    }
  }

  @Override
  public void sendText(String text) {
    post(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  @Override
  public void sendRawText(byte[] bytes) {
    post(bytes.clone(), "text/plain; charset=utf-8");
  }

  @Override
  public void sendBinary(byte[] data) {
    post(data.clone(), "application/octet-stream");
  }

  @Override
  public String awaitText(Duration timeout) {
    return poll(texts, timeout, "a text message");
  }

  @Override
  public List<String> awaitTexts(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> out = new ArrayList<>(n);
    while (out.size() < n) {
      long left = deadline - System.nanoTime();
      String t = null;
      try {
        t = texts.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t == null) {
        throw new AssertionError(
            "got "
                + out.size()
                + " of "
                + n
                + " text messages within "
                + timeout
                + problems()
                + ended());
      }
      out.add(t);
    }
    return out;
  }

  @Override
  public byte[] awaitBinary(Duration timeout) {
    return poll(binaries, timeout, "a binary message");
  }

  @Override
  public CloseStatus awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stream did not end within " + timeout, e);
    }
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
    reader.pause();
  }

  @Override
  public void resumeReading() {
    reader.resume();
  }

  /** Drops the stream, as {@code EventSource.close()}: no code reaches the server. */
  @Override
  public void close(int code, String reason) {
    drop(new CloseStatus(code, reason));
  }

  @Override
  public void abort() {
    drop(new CloseStatus(1006, "aborted by the client"));
  }

  private void drop(CloseStatus status) {
    closed.complete(status);
    reader.cancel();
  }

  private String ended() {
    CloseStatus status = closed.getNow(null);
    return status == null ? "" : " (the stream had ended: " + status + ")";
  }

  private String problems() {
    return postProblems.isEmpty() ? "" : " (POSTs that failed: " + postProblems + ")";
  }

  private <T> T poll(BlockingQueue<T> queue, Duration timeout, String what) {
    try {
      T t = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (t == null) {
        throw new AssertionError("no " + what + " within " + timeout + problems() + ended());
      }
      return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  // ------------------------------------------------------------------ reading the stream

  private final StringBuilder refusal = new StringBuilder();

  private HttpResponse.BodySubscriber<Void> subscriber(int status) {
    if (status != 200) {
      return HttpResponse.BodySubscribers.mapping(
          HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
          body -> {
            refusal.append(body);
            return null;
          });
    }
    return reader;
  }

  /** Hubcast's events: messages, the stream's token, the close. */
  private final class Events implements EventStreamReader.Listener {
    @Override
    public void onEvent(String type, String data, String id) {
      if (id != null) {
        ids.add(id);
      }
      switch (type) {
        case "", "message" -> texts.add(data);
        case "hubcast-open" -> token.complete(data);
        case "hubcast-text" ->
            texts.add(new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        case "hubcast-binary" -> binaries.add(Base64.getDecoder().decode(data));
        case "hubcast-close" -> {
          int space = data.indexOf(' ');
          closed.complete(
              new CloseStatus(
                  Integer.parseInt(space < 0 ? data : data.substring(0, space)),
                  space < 0 ? "" : data.substring(space + 1)));
        }
        default -> {}
      }
    }

    @Override
    public void onEnd(Throwable failure) {
      closed.complete(
          new CloseStatus(
              1006,
              failure != null ? "stream lost: " + failure : "stream ended without a close event"));
    }
  }

  static URI streamUri(URI base, String query) {
    requireNonNull(base, "base");
    return query == null || query.isEmpty() ? base : URI.create(base + "?" + query);
  }
}
