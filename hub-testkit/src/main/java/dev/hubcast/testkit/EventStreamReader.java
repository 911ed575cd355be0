package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Reads a {@code text/event-stream} response of the JDK's {@code HttpClient} into events, as the
 * HTML standard's {@code EventSource} does: {@code data:} lines joined with {@code \n}, the {@code
 * event:} type, the {@code id:}; comments (heartbeats) skipped; an event without data not
 * dispatched. Lines end with {@code \n} or {@code \r\n}. It asks for one piece of the body at a
 * time, so {@link #pause()} stops reading from the socket, as a client that stopped reading.
 *
 * <pre>{@code
 * EventStreamReader reader = new EventStreamReader(listener);
 * HttpResponse<Void> r = http.sendAsync(get, info -> reader).get(); // the headers are here
 * }</pre>
 *
 * <p>Thread-safe: the client's threads feed it; {@link #pause()}, {@link #resume()} and {@link
 * #lastEventId()} from any thread. The listener is called from one thread at a time, in order.
 */
public final class EventStreamReader implements HttpResponse.BodySubscriber<Void> {

  /** What the reader hands over. */
  public interface Listener {
    /**
     * One event: its type ({@code ""} when it had no {@code event:} line), its data, and its id
     * ({@code null} when it had no {@code id:} line).
     */
    void onEvent(String type, String data, String id);

    /** The stream ended: {@code failure} is null when the server ended the response. */
    void onEnd(Throwable failure);
  }

  private final Listener listener;
  private final CompletableFuture<Void> body = new CompletableFuture<>();
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private String event = "";
  private String id;
  private boolean hasData;
  private volatile String lastEventId;

  private final Object lock = new Object();
  private Flow.Subscription subscription; // guarded by lock
  private boolean paused; // guarded by lock
  private boolean demandOwed; // guarded by lock

  /** A reader that hands what it reads to {@code listener}. */
  public EventStreamReader(Listener listener) {
    this.listener = requireNonNull(listener, "listener");
  }

  /** The id of the last event that had one, as {@code EventSource.lastEventId}; null before. */
  public String lastEventId() {
    return lastEventId;
  }

  /** Stops asking for more of the body: the client stops reading from the socket. */
  public void pause() {
    synchronized (lock) {
      paused = true;
    }
  }

  /** Reads again, from where {@link #pause()} stopped. */
  public void resume() {
    Flow.Subscription s;
    synchronized (lock) {
      paused = false;
      if (!demandOwed) {
        return;
      }
      demandOwed = false;
      s = subscription;
    }
    s.request(1);
  }

  /** Drops the stream, as {@code EventSource.close()} does. */
  public void cancel() {
    Flow.Subscription s;
    synchronized (lock) {
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public CompletableFuture<Void> getBody() {
    return body; // completes at once: the response is handed over with its headers
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    synchronized (lock) {
      subscription = s;
    }
    body.complete(null);
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    for (ByteBuffer b : items) {
      while (b.hasRemaining()) {
        byte x = b.get();
        if (x == '\n') {
          line(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(x);
        }
      }
    }
    Flow.Subscription s;
    synchronized (lock) {
      if (paused) {
        demandOwed = true;
        return;
      }
      s = subscription;
    }
    s.request(1);
  }

  @Override
  public void onError(Throwable t) {
    body.complete(null);
    listener.onEnd(t);
  }

  @Override
  public void onComplete() {
    body.complete(null);
    listener.onEnd(null);
  }

  private void line(String l) {
    if (l.endsWith("\r")) {
      l = l.substring(0, l.length() - 1);
    }
    if (l.isEmpty()) {
      dispatch();
      return;
    }
    if (l.startsWith(":")) {
      return; // a comment: the heartbeat
    }
    int colon = l.indexOf(':');
    String field = colon < 0 ? l : l.substring(0, colon);
    String value = colon < 0 ? "" : l.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> event = value;
      case "id" -> {
        id = value;
        lastEventId = value;
      }
      default -> {}
    }
  }

  private void dispatch() {
    String d = data.toString();
    String e = event;
    String i = id;
    boolean any = hasData;
    data.setLength(0);
    event = "";
    id = null;
    hasData = false;
    if (any) {
      listener.onEvent(e, d, i);
    }
  }
}
