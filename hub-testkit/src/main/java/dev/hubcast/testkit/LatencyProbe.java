package dev.hubcast.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * An established WebSocket client (the JDK's) that receives stamped messages, {@code
 * "<sequence>:<System.nanoTime() when sent>"}, and records for each its latency (arrival minus the
 * stamp) and whether the sequence went on without a gap. The stamps come from this JVM, so the
 * sender is a test thread here: a broadcast from an in-process hub, or {@link #sendStamped} through
 * a server in another process that relays it.
 *
 * <p>Thread-safe: the JDK calls the listener on one thread at a time; the readings are guarded.
 */
final class LatencyProbe implements WebSocket.Listener {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final StringBuilder partial = new StringBuilder();
  private final Object lock = new Object();
  private long[] latencies = new long[1024]; // by sequence number; guarded by lock
  private long next; // the sequence number expected next; guarded by lock
  private long deliveries; // guarded by lock
  private final List<String> faults = new ArrayList<>(); // guarded by lock
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private WebSocket webSocket; // set once connected
  private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null); // sender only

  private LatencyProbe() {}

  /** Connects a probe to {@code uri}, waiting up to 10 s for the upgrade. */
  static LatencyProbe connect(URI uri) throws Exception {
    LatencyProbe probe = new LatencyProbe();
    WebSocket ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(uri, probe)
            .get(11, TimeUnit.SECONDS);
    synchronized (probe.lock) {
      probe.webSocket = ws;
    }
    return probe;
  }

  /** A stamped message: {@code sequence} and the time now. */
  static String stamp(long sequence) {
    return sequence + ":" + System.nanoTime();
  }

  /**
   * Sends a stamped message with {@code sequence} (for a server that relays it back); one thread
   * sends.
   */
  void sendStamped(long sequence) {
    WebSocket ws = ws();
    sendTail = sendTail.thenCompose(x -> ws.sendText(stamp(sequence), true));
  }

  private WebSocket ws() {
    synchronized (lock) {
      return webSocket;
    }
  }

  @Override
  public void onOpen(WebSocket ws) {
    ws.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    long now = System.nanoTime();
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      record(text, now);
    }
    ws.request(1);
    return null;
  }

  private void record(String text, long now) {
    int colon = text.indexOf(':');
    synchronized (lock) {
      deliveries++;
      try {
        long seq = Long.parseLong(text.substring(0, colon));
        long sent = Long.parseLong(text.substring(colon + 1));
        // The first may be any: a probe is opened on the hub a moment after its handshake, and
        // may miss what was relayed meanwhile. From there on, none may be missed.
        if (seq != next && deliveries > 1) {
          faults.add("got " + seq + " when " + next + " was next");
        }
        next = seq + 1;
        if (seq >= latencies.length) {
          latencies = Arrays.copyOf(latencies, (int) Math.max(seq + 1, latencies.length * 2L));
        }
        latencies[(int) seq] = now - sent;
      } catch (RuntimeException e) {
        faults.add("unexpected message: " + text);
      }
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    closed.complete(statusCode + " " + reason);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closed.complete("error: " + error);
  }

  /** How many stamped messages arrived in order so far: the sequence number expected next. */
  long received() {
    synchronized (lock) {
      return next;
    }
  }

  /** How many messages arrived, in order or not. */
  long deliveries() {
    synchronized (lock) {
      return deliveries;
    }
  }

  /** What went wrong: a gap, a message out of order or not stamped, the connection closed. */
  List<String> faults() {
    List<String> all;
    synchronized (lock) {
      all = new ArrayList<>(faults);
    }
    if (closed.isDone()) {
      all.add("closed: " + closed.join());
    }
    return all;
  }

  /** Adds the latencies of the messages numbered {@code from} (inclusive) to {@code to} to out. */
  void latencies(long from, long to, List<Long> out) {
    synchronized (lock) {
      for (long s = from; s < Math.min(to, next); s++) {
        out.add(latencies[(int) s]);
      }
    }
  }

  /** Drops the connection (no close handshake). */
  void abort() {
    WebSocket ws = ws();
    if (ws != null) {
      ws.abort();
    }
  }

  /**
   * Percentiles of {@code nanos}, in milliseconds: {@code "p50 x ms, p99 y ms, max z ms (n)"}.
   *
   * @return the summary, or {@code "none"} for no values
   */
  static String summary(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "none";
    }
    long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d deliveries)",
        percentile(v, 50) / 1e6, percentile(v, 99) / 1e6, v[v.length - 1] / 1e6, v.length);
  }

  /** The {@code p}th percentile of sorted values (nearest rank). */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
