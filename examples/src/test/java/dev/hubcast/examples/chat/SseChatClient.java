package dev.hubcast.examples.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubcast.testkit.EventStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A chat client over the chat's event streams ({@code /sse}), as the page's fallback is: one {@code
 * GET} stream read with the JDK's {@code HttpClient} and parsed as the HTML standard says (for the
 * lines hub-sse writes), the server's messages in order with the id each came with; a {@code POST}
 * with the stream's token per message, one at a time, so that their order holds. The approach of
 * hub-sse's own {@code SseTestClient}, cut down to what the chat needs.
 *
 * <p>{@link #connect} may send a {@code Last-Event-ID}, as {@code EventSource} does when it
 * reconnects by itself. {@link #close()} drops the stream, as {@code EventSource.close()} does: an
 * event stream has no close code.
 *
 * <p>Thread-safe; each test uses it from one thread.
 */
final class SseChatClient implements AutoCloseable {
  static final Duration WAIT = ChatClient.WAIT;
  private static final Set<String> UPDATES = Set.of("presence", "rooms", "people", "dms");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One event of the stream: its data (the message) and its id, null if it had none. */
  record Event(String data, String id) {}

  /** A stream that ended: by the server's {@code hubcast-close} (code, reason) or otherwise. */
  record Ended(int code, String reason) {}

  final String name;
  private final URI base;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<String> token = new CompletableFuture<>();
  private final CompletableFuture<Ended> ended = new CompletableFuture<>();
  private final Object lock = new Object();
  private CompletableFuture<?> postTail = CompletableFuture.completedFuture(null); // lock
  private final EventStreamReader reader = new EventStreamReader(new Events());

  private SseChatClient(String name, URI base) {
    this.name = name;
    this.base = base;
  }

  /**
   * Opens a stream at {@code /sse?name=NAME&moreQuery} of 127.0.0.1:{@code port} and waits for its
   * token.
   *
   * @param moreQuery more of the query ({@code room=dev&epoch=...}), or null
   * @param lastEventId the {@code Last-Event-ID} to send, or null for none
   */
  static SseChatClient connect(int port, String name, String moreQuery, String lastEventId)
      throws Exception {
    String query = "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    if (moreQuery != null) {
      query += "&" + moreQuery;
    }
    SseChatClient c = new SseChatClient(name, URI.create("http://127.0.0.1:" + port + "/sse"));
    HttpRequest.Builder get =
        HttpRequest.newBuilder(URI.create(c.base + "?" + query))
            .GET()
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      get.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Void> response =
        HTTP.sendAsync(get.build(), info -> c.subscriber(info.statusCode()))
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (response.statusCode() != 200) {
      throw new AssertionError(name + "'s stream was refused with " + response.statusCode());
    }
    c.token.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return c;
  }

  /** The id of the last event that had one, as {@code EventSource.lastEventId}; null before. */
  String lastEventId() {
    return reader.lastEventId();
  }

  /** The next event, whatever it is. */
  Event nextEvent() {
    try {
      Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError(
            name
                + " got no event within "
                + WAIT
                + (ended.isDone() ? "; its stream had ended: " + ended.join() : ""));
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The next message, whatever it is. */
  JsonNode next() {
    return parse(nextEvent().data());
  }

  /** The next message of {@code type}; updates ({@code presence}, ...) before it are skipped. */
  JsonNode next(String type) {
    return nextWithId(type).message();
  }

  /** A message and the id of the event that carried it (null if none). */
  record Identified(JsonNode message, String id) {}

  /** The next message of {@code type} with its event's id; updates before it are skipped. */
  Identified nextWithId(String type) {
    while (true) {
      Event e = nextEvent();
      JsonNode message = parse(e.data());
      String got = message.path("type").asText();
      if (got.equals(type)) {
        return new Identified(message, e.id());
      }
      if (!UPDATES.contains(got)) {
        throw new AssertionError(name + " expected a \"" + type + "\" but got " + message);
      }
    }
  }

  private JsonNode parse(String text) {
    try {
      return ChatClient.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("the server sent something that is not JSON: " + text, e);
    }
  }

  /** POSTs one message, after the earlier ones; the status the server answered. */
  CompletableFuture<Integer> post(String text) {
    HttpRequest request =
        HttpRequest.newBuilder(base)
            .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
            .header("Content-Type", "text/plain;charset=utf-8")
            .header("Hubcast-Token", token.join())
            .build();
    synchronized (lock) {
      CompletableFuture<Integer> sent =
          postTail
              .handle((x, e) -> null)
              .thenCompose(x -> HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
              .thenApply(HttpResponse::statusCode);
      postTail = sent;
      return sent;
    }
  }

  /** Sends a JSON object of the keys and values given; the POST's status is checked later. */
  CompletableFuture<Integer> send(Object... keysAndValues) {
    ObjectNode node = ChatClient.JSON.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.set((String) keysAndValues[i], ChatClient.JSON.valueToTree(keysAndValues[i + 1]));
    }
    return post(node.toString());
  }

  CompletableFuture<Integer> say(String text) {
    return send("type", "say", "text", text);
  }

  /** How the stream ended, waiting up to {@code within}. */
  Ended awaitEnd(Duration within) {
    try {
      return ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(name + "'s stream did not end within " + within, e);
    }
  }

  /** Drops the stream, as {@code EventSource.close()}. */
  @Override
  public void close() {
    ended.complete(new Ended(1006, "closed by the client"));
    reader.cancel();
  }

  @Override
  public String toString() {
    return "SseChatClient[" + name + "]";
  }

  private HttpResponse.BodySubscriber<Void> subscriber(int status) {
    return status == 200
        ? reader
        : HttpResponse.BodySubscribers.replacing(null); // the refusal's text is not needed
  }

  /** The chat's events, the stream's token, the close. */
  private final class Events implements EventStreamReader.Listener {
    @Override
    public void onEvent(String type, String data, String id) {
      switch (type) {
        case "", "message" -> events.add(new Event(data, id));
        case "hubcast-open" -> token.complete(data);
        case "hubcast-text" ->
            events.add(
                new Event(
                    new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8), id));
        case "hubcast-close" -> {
          int space = data.indexOf(' ');
          ended.complete(
              new Ended(
                  Integer.parseInt(space < 0 ? data : data.substring(0, space)),
                  space < 0 ? "" : data.substring(space + 1)));
        }
        default -> {}
      }
    }

    @Override
    public void onEnd(Throwable failure) {
      ended.complete(
          new Ended(
              1006,
              failure != null ? "stream lost: " + failure : "stream ended without a close event"));
    }
  }
}
