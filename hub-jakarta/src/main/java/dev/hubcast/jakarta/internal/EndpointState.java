package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Acceptor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
final class EndpointState extends InstalledEndpoint<JakartaConnection> {

  /** Threads for the blocking pings and closes, at most. */
  static final int BLOCKING_THREADS = 16;

  final ThreadPoolExecutor blocking;

  EndpointState(String path, Acceptor acceptor) {
    super(path, acceptor);
    this.blocking =
        new ThreadPoolExecutor(
            BLOCKING_THREADS,
            BLOCKING_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("hubcast-jakarta-" + number + "-io"));
    blocking.allowCoreThreadTimeOut(true);
  }

  @Override
  void stopPools() {
    blocking.shutdown();
  }

  @Override
  String kind() {
    return "Jakarta WebSocket";
  }
}
