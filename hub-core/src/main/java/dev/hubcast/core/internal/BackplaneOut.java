package dev.hubcast.core.internal;

import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of the backplane going out: numbers each envelope, publishes it, and counts and
 * logs (once per outage) what fails. Thread-safe; never blocks (a backplane's publish does not).
 */
final class BackplaneOut {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final Backplane backplane;
  private final boolean distributed;
  private final ConnectionRegistry registry;
  private final Counters counters;
  private final AtomicLong envelopeSequence = new AtomicLong();
  private final AtomicLong roomEnvelopeSequence = new AtomicLong(); // room broadcasts via a store
  private final AtomicBoolean down = new AtomicBoolean();

  BackplaneOut(String nodeId, Backplane backplane, ConnectionRegistry registry, Counters counters) {
    this.nodeId = nodeId;
    this.backplane = backplane;
    this.distributed = backplane.isDistributed();
    this.registry = registry;
    this.counters = counters;
  }

  boolean isDistributed() {
    return distributed;
  }

  Backplane backplane() {
    return backplane;
  }

  /** Whether a target has no recipient on any other node. */
  boolean isLocalOnly(Target target) {
    if (target instanceof Target.Connection one) {
      return registry.isLocal(one.connectionId());
    }
    if (target instanceof Target.Connections set) {
      for (String id : set.connectionIds()) {
        if (!registry.isLocal(id)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Publishes a broadcast to the other nodes, if there are any and it may reach them.
   *
   * @param roomSequence the room's number for it, or -1
   * @param roomEpoch the epoch of the number, or null
   */
  void publish(
      Target target, Message message, long roomSequence, String roomEpoch, long timestampMillis) {
    if (!distributed || isLocalOnly(target)) {
      return;
    }
    send(
        new Envelope(
            nodeId,
            envelopeSequence.incrementAndGet(),
            target,
            message,
            roomSequence,
            roomEpoch == null ? "" : roomEpoch,
            timestampMillis));
  }

  /**
   * An envelope for a room broadcast that a store numbers: its own counter, since a store may
   * number this node's broadcasts in another order than they were made (receivers find gaps in room
   * broadcasts by their room numbers instead).
   */
  Envelope roomDraft(Target target, Message message, long timestampMillis) {
    return new Envelope(
        nodeId, roomEnvelopeSequence.incrementAndGet(), target, message, -1, "", timestampMillis);
  }

  /** Publishes a room broadcast the store has numbered but does not publish itself. */
  void publishNumbered(Envelope envelope) {
    if (distributed) {
      send(envelope);
    }
  }

  private void send(Envelope envelope) {
    CompletionStage<Void> published;
    try {
      published = backplane.publish(envelope);
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    published.whenComplete(
        (ok, failure) -> {
          if (failure == null) {
            published();
          } else {
            failed(failure);
          }
        });
  }

  /**
   * Spends an envelope number on a broadcast that will not be published, so that the other nodes
   * see the jump and know they missed one from us; counts it as failed.
   */
  void skip(Throwable why) {
    envelopeSequence.incrementAndGet();
    failed(why);
  }

  /** Counts a broadcast that reached the other nodes (through a store that publishes it). */
  void published() {
    counters.backplanePublished.increment();
    if (down.compareAndSet(true, false)) {
      log.info("hub {}: backplane publishing again", nodeId);
    }
  }

  /** Counts a broadcast that did not reach the other nodes; logs once per outage. */
  void failed(Throwable failure) {
    counters.backplanePublishFailures.increment();
    if (down.compareAndSet(false, true)) {
      log.warn(
          "hub {}: backplane publish failed; broadcasts reach this node only until it"
              + " recovers: {}",
          nodeId,
          failure.toString());
    }
  }

  /** Closes the backplane, once, at the end of the shutdown. */
  void close() {
    try {
      backplane.close();
    } catch (RuntimeException e) {
      log.warn("hub {}: closing the backplane failed", nodeId, e);
    }
  }
}
