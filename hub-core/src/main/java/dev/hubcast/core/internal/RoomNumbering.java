package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.RoomSequencer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers room broadcasts and delivers them in number order: locally under the room's lock, or,
 * with a backplane sequencer, once the shared number arrives, holding early numbers in the room's
 * {@link RoomOrder} and waiting a bounded time ({@link #GAP_WAIT_MILLIS}) for a missing one.
 * Thread-safe: everything about one room happens under that room's lock.
 */
final class RoomNumbering<M> {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /** How long a room waits for a missing number before it delivers past the gap. */
  static final long GAP_WAIT_MILLIS = 250;

  private final String nodeId;
  private final MessageCodec<M> codec;
  private final FanOutRouter router;
  private final BackplaneOut out;
  private final RoomSequencer sequencer; // null: number locally
  private final Counters counters;

  RoomNumbering(
      String nodeId,
      MessageCodec<M> codec,
      FanOutRouter router,
      BackplaneOut out,
      Counters counters) {
    this.nodeId = nodeId;
    this.codec = codec;
    this.router = router;
    this.out = out;
    this.sequencer = out.sequencer();
    this.counters = counters;
  }

  /** Numbers and delivers an encoded room broadcast. */
  BroadcastReceipt broadcast(Room room, Target target, Message message) {
    if (sequencer != null) {
      return numberAcrossNodes(room, target, message, null);
    }
    synchronized (room.lock) {
      return deliverNumbered(room, target, message);
    }
  }

  /** Numbers a room broadcast, then makes its message with the number and delivers it. */
  BroadcastReceipt broadcastSequenced(
      Room room, Target target, LongFunction<? extends M> messageForSequence) {
    if (sequencer != null) {
      return numberAcrossNodes(room, target, null, messageForSequence);
    }
    synchronized (room.lock) {
      long next = room.history.lastSequence() + 1;
      M message = requireNonNull(messageForSequence.apply(next), "message");
      return deliverNumbered(room, target, codec.encode(message));
    }
  }

  /** Numbers, records, delivers and publishes one room broadcast. Holds {@code room.lock}. */
  private BroadcastReceipt deliverNumbered(Room room, Target target, Message message) {
    HistoryEntry entry = room.history.append(message, System.currentTimeMillis());
    Tally tally = new Tally(entry.sequence());
    router.deliverToRoom(room, FanOutRouter.exceptOf(target), message, tally);
    // Published under the room lock so that other nodes get this room's broadcasts in sequence
    // order; a backplane never runs a receiver inside publish.
    out.publish(target, message, entry.sequence(), entry.timestampMillis());
    return tally.receipt();
  }

  // ---------------------------------------------------------------- across nodes

  private BroadcastReceipt numberAcrossNodes(
      Room room, Target target, Message message, LongFunction<? extends M> factory) {
    long atLeast;
    synchronized (room.lock) {
      atLeast = Math.max(room.order.assignedMax, room.history.lastSequence());
    }
    CompletionStage<Long> number;
    try {
      number = sequencer.next(room.name, atLeast);
    } catch (RuntimeException e) {
      number = CompletableFuture.failedFuture(e);
    }
    number.whenComplete((n, failure) -> numbered(room, target, message, factory, n, failure));
    return BroadcastReceipt.pending();
  }

  private void numbered(
      Room room,
      Target target,
      Message message,
      LongFunction<? extends M> factory,
      Long number,
      Throwable failure) {
    synchronized (room.lock) {
      RoomOrder order = room.order;
      long floor = Math.max(order.assignedMax, room.history.lastSequence());
      boolean shared = failure == null && number != null && number > room.history.lastSequence();
      if (!shared && failure == null) {
        log.warn(
            "hub {}: room {}: sequencer gave {} after {}; numbered locally",
            nodeId,
            room.name,
            number,
            room.history.lastSequence());
      }
      long seq = shared ? number : floor + 1;
      order.assignedMax = Math.max(order.assignedMax, seq);
      long now = System.currentTimeMillis();
      Message encoded = message;
      if (encoded == null) {
        try {
          encoded = codec.encode(requireNonNull(factory.apply(seq), "message"));
        } catch (RuntimeException e) {
          counters.handlerErrors.increment();
          log.warn("hub {}: room {}: message {} could not be made", nodeId, room.name, seq, e);
        }
      }
      order.held.put(seq, new RoomOrder.Arrival(target, encoded, now));
      if (encoded != null) {
        if (shared) {
          out.publish(target, encoded, seq, now);
        } else {
          out.skip(failure != null ? failure : new IllegalStateException("stale number"));
        }
      }
      drainInOrder(room);
    }
  }

  /** A room broadcast numbered by another node through the sequencer. */
  void receiveNumbered(Room room, Target target, Message message, long seq, long timestampMillis) {
    synchronized (room.lock) {
      room.order.assignedMax = Math.max(room.order.assignedMax, seq);
      if (seq > room.history.lastSequence()) {
        room.order.held.put(seq, new RoomOrder.Arrival(target, message, timestampMillis));
        drainInOrder(room);
      }
    }
  }

  /** A room broadcast numbered by its origin node alone (no sequencer): recorded as it comes. */
  void receiveOriginNumbered(
      Room room, Target target, Message message, long seq, long timestampMillis) {
    synchronized (room.lock) {
      room.history.record(seq, timestampMillis, message);
      router.deliverToRoom(room, FanOutRouter.exceptOf(target), message, new Tally(0));
    }
  }

  /** Whether room broadcasts wait for shared numbers. */
  boolean isShared() {
    return sequencer != null;
  }

  /** Delivers the room's held broadcasts in number order. Holds {@code room.lock}. */
  private void drainInOrder(Room room) {
    RoomOrder order = room.order;
    while (!order.held.isEmpty()) {
      long first = order.held.firstKey();
      long last = room.history.lastSequence();
      if (first <= last) {
        order.held.pollFirstEntry(); // late: its turn passed while we waited for it
        continue;
      }
      if (first != last + 1 && !order.skipGap) {
        armGapTimer(room);
        return;
      }
      if (first != last + 1 && last > 0) {
        log.debug(
            "hub {}: room {}: numbers {}-{} never came", nodeId, room.name, last + 1, first - 1);
      }
      order.skipGap = false;
      RoomOrder.Arrival a = order.held.pollFirstEntry().getValue();
      if (a.message() == null) {
        room.history.advance(first);
      } else {
        room.history.record(first, a.timestampMillis(), a.message());
        router.deliverToRoom(
            room, FanOutRouter.exceptOf(a.target()), a.message(), new Tally(first));
      }
    }
  }

  private void armGapTimer(Room room) {
    if (room.order.gapTimerArmed) {
      return;
    }
    room.order.gapTimerArmed = true;
    CompletableFuture.delayedExecutor(GAP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              synchronized (room.lock) {
                room.order.gapTimerArmed = false;
                room.order.skipGap = true;
                drainInOrder(room);
                room.order.skipGap = false;
              }
            });
  }
}
