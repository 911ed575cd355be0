package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.jakarta.JakartaHubEndpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both ways of installing a hub share: the path, the hub's acceptor, the open connections, and
 * a timer thread (idle checks, close timeouts). Thread-safe.
 *
 * @param <C> the connections it serves
 */
abstract class InstalledEndpoint<C extends Connection> implements JakartaHubEndpoint {

  private static final AtomicInteger ENDPOINTS = new AtomicInteger();

  final String path;
  final Acceptor acceptor;
  final TransportSettings settings;
  final ScheduledThreadPoolExecutor timer;

  /** This endpoint's number, for its threads' names. */
  final int number = ENDPOINTS.incrementAndGet();

  private final Set<C> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  InstalledEndpoint(String path, Acceptor acceptor) {
    this.path = path;
    this.acceptor = acceptor;
    this.settings = acceptor.settings();
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("hubcast-jakarta-" + number + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
  }

  static ThreadFactory daemon(String prefix) {
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

  void opened(C connection) {
    open.add(connection);
    if (closed) {
      connection.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
  }

  void ended(C connection) {
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
    for (C c : open) {
      c.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
    stopPools();
    // The closes just queued still run; what comes later fails fast.
    timer.shutdown();
  }

  /** Stops the endpoint's other pools, if it has any, once its connections are told to close. */
  void stopPools() {}

  /** How the hub is installed, for {@link #toString}. */
  abstract String kind();

  @Override
  public String toString() {
    return "JakartaHubEndpoint[" + path + ", " + kind() + (closed ? ", closed" : "") + "]";
  }
}
