package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.jakarta.JakartaHubEndpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hub installed on the servlet HTTP upgrade ({@link UpgradeServlet}): the hub's acceptor, the
 * open connections and one timer thread (idle checks, close timeouts). No other thread: the
 * container's threads read and write, and the hub's write too. Thread-safe.
 */
final class UpgradeEndpoint implements JakartaHubEndpoint {

  private static final AtomicInteger ENDPOINTS = new AtomicInteger();

  final String path;
  final Acceptor acceptor;
  final TransportSettings settings;
  final ScheduledThreadPoolExecutor timer;
  private final Set<UpgradeConnection> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  UpgradeEndpoint(String path, Acceptor acceptor) {
    this.path = path;
    this.acceptor = acceptor;
    this.settings = acceptor.settings();
    String name = "hubcast-upgrade-" + ENDPOINTS.incrementAndGet() + "-timer";
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread t = new Thread(task, name);
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
  }

  boolean isClosed() {
    return closed;
  }

  void opened(UpgradeConnection connection) {
    open.add(connection);
    if (closed) {
      connection.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
  }

  void ended(UpgradeConnection connection) {
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
    for (UpgradeConnection c : open) {
      c.close(CloseCodes.GOING_AWAY, "endpoint closed");
    }
    // The close timeouts just armed still run; the timer stops once they have.
    timer.shutdown();
  }

  @Override
  public String toString() {
    return "JakartaHubEndpoint[" + path + ", servlet upgrade" + (closed ? ", closed" : "") + "]";
  }
}
