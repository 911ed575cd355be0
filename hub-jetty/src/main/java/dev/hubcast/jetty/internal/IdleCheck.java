package dev.hubcast.jetty.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.spi.TransportSettings;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle check of one connection: pings a connection silent for the ping interval, and closes one
 * silent for the idle timeout (1001). Thread-safe: {@link #heard} is called on Jetty's reading
 * thread, {@link #start} and {@link #stop} from the connection's open and end, and the checks run
 * on Jetty's scheduler one at a time (each schedules the next).
 *
 * <p>Why by hand rather than Jetty's idle timeout: only inbound frames count as life here, while
 * Jetty's endpoint idle timeout counts writes too, so the pings and broadcasts a connection is sent
 * would keep a dead peer alive under it. Jetty's timeout is set longer (the idle timeout plus the
 * close timeout, see {@link HubNegotiator#customize}) and only ends connections whose writes are
 * stuck as well.
 */
final class IdleCheck implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(IdleCheck.class);

  private final JettyConnection connection;
  private final Scheduler scheduler;
  private final long idleNanos;
  private final long pingNanos;

  private volatile long lastInboundNanos;

  // Confined to the checks, which run one at a time.
  private long pingedFor; // the lastInboundNanos a ping was already sent for

  // Guarded by this.
  private boolean stopped;
  private Scheduler.Task task;

  IdleCheck(JettyConnection connection, Scheduler scheduler, TransportSettings settings) {
    this.connection = connection;
    this.scheduler = scheduler;
    this.idleNanos = settings.idleTimeout().toNanos();
    this.pingNanos = settings.pingInterval().toNanos();
    this.lastInboundNanos = System.nanoTime();
  }

  /** A frame came in: the peer is alive. */
  void heard() {
    lastInboundNanos = System.nanoTime();
  }

  /** Schedules the first check, a ping interval from now, unless stopped already. */
  void start() {
    schedule(pingNanos);
  }

  /** Cancels the next check and schedules no other: the connection ended. */
  void stop() {
    synchronized (this) {
      stopped = true;
      if (task != null) {
        task.cancel();
      }
    }
  }

  /** One check: runs at most every ping interval, and schedules the next. */
  @Override
  public void run() {
    if (connection.closeRequested()) {
      return;
    }
    long last = lastInboundNanos;
    long silent = System.nanoTime() - last;
    if (silent >= idleNanos) {
      log.debug("connection {}: silent for {} ms; closing", connection.id(), silent / 1_000_000);
      connection.close(CloseCodes.GOING_AWAY, "idle timeout");
      return;
    }
    long next;
    if (silent >= pingNanos) {
      if (pingedFor != last) {
        pingedFor = last;
        connection.ping();
      }
      next = idleNanos - silent;
    } else {
      next = pingNanos - silent;
    }
    schedule(next);
  }

  private void schedule(long nanos) {
    synchronized (this) {
      if (!stopped) {
        task = scheduler.schedule(this, nanos, TimeUnit.NANOSECONDS);
      }
    }
  }
}
