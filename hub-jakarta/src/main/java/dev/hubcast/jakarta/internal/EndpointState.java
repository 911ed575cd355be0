package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.jakarta.JakartaHubEndpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One installed endpoint: the hub's acceptor, the endpoint's open connections, and its two pools: a
 * timer thread (idle checks, close timeouts) and the threads that run the API's blocking calls
 * (pings and closes). Thread-safe.
 *
 * <p>Why a pool for pings and closes: the Jakarta API offers them only as blocking calls ({@code
 * RemoteEndpoint.Basic.sendPing}, {@code Session.close}), which wait for the socket, so they must
 * not run on the hub's threads nor on the timer. The pool is bounded ({@link #BLOCKING_THREADS});
 * each call is bounded by the container's blocking send timeout, which the endpoint sets to the
 * hub's close timeout where the container reads it (Tomcat).
 */
final class EndpointState implements JakartaHubEndpoint {

  /** Threads for the blocking pings and closes, at most. */
  static final int BLOCKING_THREADS = 16;

  private static final AtomicInteger ENDPOINTS = new AtomicInteger();

  final String path;
  final Acceptor acceptor;
  final TransportSettings settings;
  final ScheduledThreadPoolExecutor timer;
  final ThreadPoolExecutor blocking;
  private final Set<JakartaConnection> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  EndpointState(String path, Acceptor acceptor) {
    this.path = path;
    this.acceptor = acceptor;
    this.settings = acceptor.settings();
    int n = ENDPOINTS.incrementAndGet();
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("hubcast-jakarta-" + n + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.blocking =
        new ThreadPoolExecutor(
            BLOCKING_THREADS,
            BLOCKING_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("hubcast-jakarta-" + n + "-io"));
    blocking.allowCoreThreadTimeOut(true);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  boolean isClosed() {
    return closed;
  }

  void opened(JakartaConnection connection) {
    open.add(connection);
    if (closed) {
      connection.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
  }

  void ended(JakartaConnection connection) {
    open.remove(connection);
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public int openConnections() {
    return open.size();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (JakartaConnection c : open) {
      c.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
    // The closes just queued still run; what comes later fails fast (see JakartaConnection).
    blocking.shutdown();
    timer.shutdown();
  }

  @Override
  public String toString() {
    return "JakartaHubEndpoint[" + path + (closed ? ", closed" : "") + "]";
  }
}
