package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.TransportSettings;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One connection's idle check, on its endpoint's timer: a peer silent for the ping interval is
 * pinged, one silent for the idle timeout is closed. Thread-safe: {@link #heard} from the reading
 * thread, {@link #start} and {@link #stop} from any, the checks on the timer.
 */
final class IdleWatch {

  private final ScheduledExecutorService timer;
  private final TransportSettings settings;
  private final Runnable ping;
  private final Runnable closeIdle;
  private final BooleanSupplier closing;
  private volatile long lastHeardNanos = System.nanoTime();

  // Guarded by this.
  private ScheduledFuture<?> next;
  private boolean stopped;

  /**
   * @param ping sends a ping (must not block)
   * @param closeIdle closes the connection as idle (1001)
   * @param closing whether the connection is closing or gone: the checks stop
   */
  IdleWatch(
      ScheduledExecutorService timer,
      TransportSettings settings,
      Runnable ping,
      Runnable closeIdle,
      BooleanSupplier closing) {
    this.timer = timer;
    this.settings = settings;
    this.ping = ping;
    this.closeIdle = closeIdle;
    this.closing = closing;
  }

  /** The peer sent something (a message, a part of one, a pong): it is alive. */
  void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /** Starts the checks: the first after the ping interval. */
  void start() {
    schedule(settings.pingInterval().toNanos());
  }

  /** Stops the checks; idempotent. */
  synchronized void stop() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  private synchronized void schedule(long nanos) {
    if (stopped) {
      return;
    }
    try {
      next = timer.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The endpoint is closed and closes its connections.
    }
  }

  private void check() {
    if (closing.getAsBoolean()) {
      return;
    }
    long idleNanos = settings.idleTimeout().toNanos();
    long pingNanos = settings.pingInterval().toNanos();
    long silent = System.nanoTime() - lastHeardNanos;
    if (silent >= idleNanos) {
      closeIdle.run();
      return;
    }
    if (silent >= pingNanos) {
      ping.run();
      schedule(idleNanos - silent);
    } else {
      schedule(pingNanos - silent);
    }
  }
}
