package dev.hubcast.core.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubException;
import dev.hubcast.core.HubHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the application's handler calls: inline, or on the connection's serial executor, one at a
 * time per connection, each guarded so that what it throws is counted, logged with the connection
 * id (never the payload) and answered by a close. Thread-safe; holds no lock while calling out.
 */
final class Handlers<M> {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /** Closes a connection whose handler failed. */
  interface OnFailure {
    void close(DefaultClient c, int code, String reason);
  }

  private final String nodeId;
  private final Hub<M> hub; // the facade, passed to the handler
  private final HubHandler<M> handler; // null: none (the policy relays)
  private final Counters counters;

  Handlers(String nodeId, Hub<M> hub, HubHandler<M> handler, Counters counters) {
    this.nodeId = nodeId;
    this.hub = hub;
    this.handler = handler;
    this.counters = counters;
  }

  boolean isInstalled() {
    return handler != null;
  }

  HubHandler<M> handler() {
    return handler;
  }

  Hub<M> hub() {
    return hub;
  }

  /**
   * Runs a call for {@code c}; if it throws, closes {@code c} through {@code onFailure} (with a
   * {@link HubException}'s close code and message, else 1011), unless {@code onFailure} is null.
   */
  void dispatch(DefaultClient c, Runnable call, String name, OnFailure onFailure) {
    if (c.handlerExecutor == null) {
      run(c, call, name, onFailure);
    } else {
      c.handlerExecutor.execute(
          () -> {
            CallbackScope.enter();
            try {
              run(c, call, name, onFailure);
            } finally {
              CallbackScope.exit();
            }
          });
    }
  }

  private void run(DefaultClient c, Runnable call, String name, OnFailure onFailure) {
    try {
      call.run();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      counters.handlerErrors.increment();
      if (onFailure == null) {
        log.warn("hub {}: connection {}: handler {} failed", nodeId, c.id(), name, e);
      } else if (e instanceof HubException he) {
        log.warn(
            "hub {}: connection {}: handler {} failed; closing with {}: {}",
            nodeId,
            c.id(),
            name,
            he.closeCode(),
            he.getMessage());
        onFailure.close(c, he.closeCode(), he.getMessage());
      } else {
        log.warn(
            "hub {}: connection {}: handler {} failed; closing with 1011", nodeId, c.id(), name, e);
        onFailure.close(c, CloseCodes.INTERNAL_ERROR, "internal error");
      }
    }
  }

  /** Tells the handler, if any, that another node's broadcasts were lost. Never throws. */
  void backplaneGap(String originNode, long missed) {
    if (handler == null) {
      return;
    }
    try {
      handler.onBackplaneGap(hub, originNode, missed);
    } catch (RuntimeException e) {
      counters.handlerErrors.increment();
      log.warn("hub {}: onBackplaneGap handler failed", nodeId, e);
    }
  }

  /** Tells the handler, if any, that a room's broadcasts will never arrive here. Never throws. */
  void roomGap(String room, long missed) {
    if (handler == null) {
      return;
    }
    try {
      handler.onRoomGap(hub, room, missed);
    } catch (RuntimeException e) {
      counters.handlerErrors.increment();
      log.warn("hub {}: onRoomGap handler failed", nodeId, e);
    }
  }
}
