package dev.hubcast.core.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics.TransportViolation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of connections and of the hub: terminating a client (out of the registry, its rooms and
 * its user; queued frames dropped; the transport asked to close), the transport's close and error
 * reports, the outbox's slow-consumer and send-failure reports, and the graceful shutdown.
 * Thread-safe: a termination runs once per client, under its monitor; no lock is held while the
 * transport or a handler is called.
 */
final class Lifecycle<M> implements OutboxEvents {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final ConnectionRegistry registry;
  private final RoomDirectory rooms;
  private final BackplaneOut out;
  private final Handlers<M> handlers;
  private final Counters counters;
  private final Duration closeTimeout;
  private final AtomicBoolean shutdown = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile Runnable beforeBackplaneCloses = () -> {};

  Lifecycle(
      String nodeId,
      ConnectionRegistry registry,
      RoomDirectory rooms,
      BackplaneOut out,
      Handlers<M> handlers,
      Counters counters,
      Duration closeTimeout) {
    this.counters = counters;
    this.nodeId = nodeId;
    this.registry = registry;
    this.rooms = rooms;
    this.out = out;
    this.handlers = handlers;
    this.closeTimeout = closeTimeout;
  }

  boolean isShutdown() {
    return shutdown.get();
  }

  /** Throws if the hub is shut down. */
  void checkRunning() {
    if (shutdown.get()) {
      throw new IllegalStateException("hub " + nodeId + " is shut down");
    }
  }

  /**
   * Takes a client out of the registry, its rooms and its user, drops its queued frames, and (when
   * the hub decides the close) asks the transport to close. Runs once per client.
   *
   * @return whether this call terminated it
   */
  boolean terminate(DefaultClient c, int code, String reason, boolean closeTransport) {
    synchronized (c) {
      if (c.state != DefaultClient.State.OPEN) {
        return false;
      }
      c.state = DefaultClient.State.CLOSING;
      for (String room : c.clearRooms()) {
        rooms.removeMember(room, c);
      }
      registry.unregister(c);
    }
    registry.release(c.remoteAddress());
    c.outbox.discard();
    if (closeTransport) {
      closeQuietly(c, CloseCodes.sendableOr(code, CloseCodes.INTERNAL_ERROR), reason);
    }
    return true;
  }

  /** A termination asked by the hub or the application: the transport is asked to close. */
  void close(DefaultClient c, int code, String reason) {
    terminate(c, code, reason == null ? "" : reason, true);
  }

  void closeQuietly(DefaultClient c, int code, String reason) {
    try {
      c.connection.close(code, reason);
    } catch (RuntimeException e) {
      violation(c, TransportViolation.CLOSE_THREW);
      log.debug("hub {}: closing {} failed", nodeId, c.id(), e);
    }
  }

  /**
   * Counts a broken SPI rule, and logs it at WARN the first time on this connection (the rule,
   * never a payload). The caller has already kept the hub consistent.
   */
  @Override
  public void violation(DefaultClient c, TransportViolation rule) {
    counters.violations[rule.ordinal()].increment();
    if (c.firstViolation(rule)) {
      log.warn(
          "hub {}: connection {}: the transport broke the SPI rule {} (see dev.hubcast.core.spi)",
          nodeId,
          c.id(),
          rule);
    }
  }

  /** The transport reports the end of the connection: once, and the handler hears of it once. */
  void onTransportClose(DefaultClient c, int code, String reason) {
    terminate(c, code, reason, false);
    boolean first;
    synchronized (c) {
      first = c.state != DefaultClient.State.CLOSED;
      c.state = DefaultClient.State.CLOSED;
    }
    if (!first) {
      violation(c, TransportViolation.CLOSE_REPORTED_TWICE); // the handler heard of it once
      return;
    }
    counters.closed(code);
    if (c.outbox.inFlightFrames() > 0) {
      checkSendsFailed(c);
    }
    if (handlers.isInstalled()) {
      HubHandler<M> h = handlers.handler();
      String why = reason == null ? "" : reason;
      handlers.dispatch(c, () -> h.onClose(handlers.hub(), c, code, why), "onClose", null);
    }
    if (registry.closed() == 0 && shutdown.get()) {
      finishShutdown();
    }
  }

  /**
   * Sends in flight when the close was reported must be failed by the transport; a close timeout
   * later, any still pending broke the rule. Only scheduled for a connection that had sends in
   * flight (a stalled one), so a healthy close costs nothing.
   */
  private void checkSendsFailed(DefaultClient c) {
    CompletableFuture.delayedExecutor(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (c.outbox.inFlightFrames() > 0) {
                violation(c, TransportViolation.SENDS_UNCOMPLETED_AFTER_CLOSE);
              }
            });
  }

  /** A report after the close: the adapter broke its contract; the hub ignores it. */
  void reportAfterClose(DefaultClient c) {
    violation(c, TransportViolation.REPORT_AFTER_CLOSE);
  }

  void onTransportError(DefaultClient c, Throwable cause) {
    if (c.state == DefaultClient.State.OPEN) {
      log.warn("hub {}: connection {}: transport error: {}", nodeId, c.id(), cause.toString());
    }
    terminate(c, CloseCodes.INTERNAL_ERROR, "transport error", true);
  }

  @Override
  public void slowConsumer(DefaultClient c, long maxBytes, int maxFrames) {
    if (c.state == DefaultClient.State.OPEN) {
      log.warn(
          "hub {}: connection {}: slow consumer, outbox past {} bytes or {} frames; closing",
          nodeId,
          c.id(),
          maxBytes,
          maxFrames);
    }
    terminate(c, CloseCodes.POLICY_VIOLATION, "slow consumer: outbox limit reached", true);
  }

  @Override
  public void sendFailed(DefaultClient c, Throwable failure) {
    if (c.state == DefaultClient.State.OPEN) {
      log.debug("hub {}: connection {}: send failed: {}", nodeId, c.id(), failure.toString());
    }
    terminate(c, CloseCodes.INTERNAL_ERROR, "send failed", true);
  }

  // ---------------------------------------------------------------- shutdown

  CompletableFuture<Void> shutdown(Duration drainTimeout) {
    if (!shutdown.compareAndSet(false, true)) {
      return terminated;
    }
    log.info("hub {}: shutting down, draining {} connections", nodeId, registry.count());
    for (DefaultClient c : registry.all()) {
      c.outbox.closeWhenDrained(
          () -> terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true));
    }
    long drainMillis = Math.max(0, drainTimeout.toMillis());
    CompletableFuture.delayedExecutor(drainMillis, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              for (DefaultClient c : registry.all()) {
                terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true);
              }
              // Peers that never answer the close are dropped by their transport's close
              // timeout; do not wait on them longer than that.
              CompletableFuture.delayedExecutor(
                      closeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                  .execute(this::finishShutdown);
            });
    if (registry.live() == 0) {
      finishShutdown();
    }
    return terminated;
  }

  private void finishShutdown() {
    if (terminated.isDone()) {
      return;
    }
    synchronized (terminated) {
      if (terminated.isDone()) {
        return;
      }
      try {
        beforeBackplaneCloses.run();
      } catch (RuntimeException e) {
        log.warn("hub {}: stopping presence failed", nodeId, e);
      }
      out.close();
      terminated.complete(null);
    }
    log.info("hub {}: shut down", nodeId);
  }

  /** Runs {@code action} at the end of the shutdown, before the backplane is closed. */
  void beforeBackplaneCloses(Runnable action) {
    this.beforeBackplaneCloses = action;
  }

  CompletableFuture<Void> terminated() {
    return terminated;
  }
}
