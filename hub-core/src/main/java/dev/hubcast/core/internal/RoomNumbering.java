package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers room broadcasts and delivers them in number order: locally under the room's lock, or,
 * with a {@link HistoryStore}, once the store has numbered and stored them, holding early numbers
 * in the room's {@link RoomOrder}, waiting a bounded time ({@link #GAP_WAIT_MILLIS}) for a missing
 * one and then reading it from the store. Thread-safe: everything about one room happens under that
 * room's lock (calls to the store are made under it too, so that this node's reservations reach the
 * store in the order they were made; a store never blocks).
 */
final class RoomNumbering<M> {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /** How long a room waits for a missing number before it reads it from the store. */
  static final long GAP_WAIT_MILLIS = 250;

  /** How many times a broadcast tries for a number before this node numbers it alone. */
  static final int MAX_ATTEMPTS = 16;

  private final String nodeId;
  private final MessageCodec<M> codec;
  private final FanOutRouter router;
  private final BackplaneOut out;
  private final HistoryStore store; // null: number locally
  private final Handlers<?> handlers;
  private final Counters counters;
  private final RoomEnvelopeGaps originGaps;

  RoomNumbering(
      String nodeId,
      MessageCodec<M> codec,
      FanOutRouter router,
      BackplaneOut out,
      HistoryStore store,
      Handlers<?> handlers,
      Counters counters,
      RoomEnvelopeGaps originGaps) {
    this.nodeId = nodeId;
    this.codec = codec;
    this.router = router;
    this.out = out;
    this.store = store;
    this.handlers = handlers;
    this.counters = counters;
    this.originGaps = originGaps;
  }

  /** Numbers and delivers an encoded room broadcast. */
  BroadcastReceipt broadcast(Room room, Target target, Message message) {
    if (store != null) {
      return viaStore(room, target, message, null);
    }
    synchronized (room.lock) {
      return deliverNumbered(room, target, message);
    }
  }

  /** Numbers a room broadcast, then makes its message with the number and delivers it. */
  BroadcastReceipt broadcastSequenced(
      Room room, Target target, Function<? super RoomPosition, ? extends M> messageForPosition) {
    if (store != null) {
      return viaStore(room, target, null, messageForPosition);
    }
    synchronized (room.lock) {
      RoomPosition next = new RoomPosition(room.epoch, room.history.lastSequence() + 1);
      M message = requireNonNull(messageForPosition.apply(next), "message");
      return deliverNumbered(room, target, codec.encode(message));
    }
  }

  /** Numbers, records, delivers and publishes one room broadcast. Holds {@code room.lock}. */
  private BroadcastReceipt deliverNumbered(Room room, Target target, Message message) {
    long now = System.currentTimeMillis();
    HistoryEntry entry = room.record(room.history.lastSequence() + 1, now, message);
    Tally tally = new Tally(entry.sequence());
    router.deliverToRoom(room, FanOutRouter.exceptOf(target), entry, tally);
    // Published under the room lock so that other nodes get this room's broadcasts in sequence
    // order; a backplane never runs a receiver inside publish.
    out.publish(target, message, entry.sequence(), room.epoch, now);
    return tally.receipt();
  }

  /** Whether room broadcasts are numbered by a store. */
  boolean isShared() {
    return store != null;
  }

  HistoryStore store() {
    return store;
  }

  // ---------------------------------------------------------------- through the store

  private BroadcastReceipt viaStore(
      Room room,
      Target target,
      Message message,
      Function<? super RoomPosition, ? extends M> factory) {
    synchronized (room.lock) {
      if (room.epoch != null) {
        attempt(room, target, message, factory, 1, null);
        return BroadcastReceipt.pending();
      }
    }
    // The room's epoch is not known here yet: ask the store, then try.
    CompletionStage<HistoryStore.StoredRead> latest;
    try {
      latest = store.latest(room.name, 0);
    } catch (RuntimeException e) {
      latest = CompletableFuture.failedFuture(e);
    }
    latest.whenComplete(
        (read, failure) -> {
          synchronized (room.lock) {
            if (failure == null) {
              learn(room, read.latest());
            } else if (room.epoch == null) {
              // Unreachable: number alone, in an epoch of this node's own.
              room.adoptEpoch(RoomPosition.newEpoch());
            }
            attempt(room, target, message, factory, 1, null);
          }
        });
    return BroadcastReceipt.pending();
  }

  /** Takes what the store says the room's latest position is. Holds {@code room.lock}. */
  private static void learn(Room room, RoomPosition latest) {
    if (room.adoptEpoch(latest.epoch())) {
      room.order.assignedMax = Math.max(room.order.assignedMax, latest.seq());
    }
  }

  /**
   * Reserves the room's next number, makes the message with it and asks the store to keep it under
   * that number. Holds {@code room.lock}.
   */
  private void attempt(
      Room room,
      Target target,
      Message message,
      Function<? super RoomPosition, ? extends M> factory,
      int n,
      Envelope previous) {
    RoomOrder order = room.order;
    long seq = Math.max(order.assignedMax, room.history.lastSequence()) + 1;
    RoomPosition expected = new RoomPosition(room.epoch, seq);
    Message encoded = message;
    if (encoded == null) {
      try {
        encoded = codec.encode(requireNonNull(factory.apply(expected), "message"));
      } catch (RuntimeException e) {
        counters.handlerErrors.increment();
        log.warn("hub {}: room {}: message {} could not be made", nodeId, room.name, seq, e);
        return; // nothing reserved
      }
    }
    order.assignedMax = seq;
    long now = System.currentTimeMillis();
    Envelope draft =
        previous == null
            ? out.roomDraft(target, encoded, now)
            : new Envelope(
                previous.originNode(), previous.sequence(), target, encoded, -1, "", now);
    CompletionStage<HistoryStore.Appended> appended;
    try {
      appended = store.append(room.name, draft, expected);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    Message made = encoded;
    appended.whenComplete(
        (a, failure) ->
            appended(
                room,
                target,
                message == null ? null : made,
                made,
                factory,
                draft,
                expected,
                a,
                failure,
                n));
  }

  private void appended(
      Room room,
      Target target,
      Message given,
      Message made,
      Function<? super RoomPosition, ? extends M> factory,
      Envelope draft,
      RoomPosition expected,
      HistoryStore.Appended a,
      Throwable failure,
      int n) {
    synchronized (room.lock) {
      if (failure == null && a.stored()) {
        RoomPosition at = a.position();
        if (store.publishes()) {
          out.published();
        } else {
          out.publishNumbered(draft.numbered(at.seq(), at.epoch()));
        }
        place(room, at, target, made, draft.timestampMillis());
        return;
      }
      if (failure == null && n < MAX_ATTEMPTS) {
        learn(room, a.position()); // someone else had the number: try past theirs
        attempt(room, target, given, factory, n + 1, draft);
        return;
      }
      // The store cannot be reached (or is too contended): this node numbers it alone and
      // delivers it here only; the store never holds it, so resumes across it say MISSING.
      Throwable why = failure != null ? failure : new IllegalStateException("no number after " + n);
      out.failed(why); // its envelope number is left unused: the other nodes see the jump
      if (expected.epoch().equals(room.epoch)) {
        place(room, expected, target, made, draft.timestampMillis());
      } else {
        place(
            room,
            new RoomPosition(room.epoch, nextLocal(room)),
            target,
            made,
            draft.timestampMillis());
      }
    }
  }

  private static long nextLocal(Room room) {
    long seq = Math.max(room.order.assignedMax, room.history.lastSequence()) + 1;
    room.order.assignedMax = seq;
    return seq;
  }

  /** A room broadcast numbered through the store by another node. */
  void receiveNumbered(Room room, Envelope envelope) {
    synchronized (room.lock) {
      place(
          room,
          new RoomPosition(envelope.roomEpoch(), envelope.roomSequence()),
          envelope.target(),
          envelope.message(),
          envelope.timestampMillis());
    }
  }

  /** A room broadcast numbered by its origin node alone (no store): recorded as it comes. */
  void receiveOriginNumbered(
      Room room, Target target, Message message, long seq, long timestampMillis) {
    synchronized (room.lock) {
      HistoryEntry entry = room.record(seq, timestampMillis, message);
      if (entry == null) { // each origin numbers alone: numbers from two origins interleave
        entry = new HistoryEntry(seq, timestampMillis, room.marked(message, seq));
      }
      router.deliverToRoom(room, FanOutRouter.exceptOf(target), entry, new Tally(0));
    }
  }

  /** Holds a numbered broadcast for its turn, then delivers what is in order. Holds the lock. */
  private void place(Room room, RoomPosition at, Target target, Message message, long ts) {
    if (!room.adoptEpoch(at.epoch())) {
      log.debug("hub {}: room {}: dropped {} from a retired epoch", nodeId, room.name, at);
      return;
    }
    RoomOrder order = room.order;
    order.assignedMax = Math.max(order.assignedMax, at.seq());
    if (at.seq() > room.history.lastSequence()) {
      order.held.putIfAbsent(at.seq(), new RoomOrder.Arrival(target, message, ts));
      drainInOrder(room);
    }
  }

  /** Delivers the room's held broadcasts in number order. Holds {@code room.lock}. */
  void drainInOrder(Room room) {
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
        reportGap(room, first - last - 1);
      }
      order.skipGap = false;
      RoomOrder.Arrival a = order.held.pollFirstEntry().getValue();
      if (a.message() == null) {
        room.history.advance(first);
      } else {
        HistoryEntry entry = room.record(first, a.timestampMillis(), a.message());
        router.deliverToRoom(room, FanOutRouter.exceptOf(a.target()), entry, new Tally(first));
      }
    }
  }

  /** Counts and reports numbers that will never be delivered here, off the room's lock. */
  private void reportGap(Room room, long missed) {
    counters.roomGaps.add(missed);
    log.debug("hub {}: room {}: {} broadcasts never came", nodeId, room.name, missed);
    String name = room.name;
    ForkJoinPool.commonPool().execute(() -> handlers.roomGap(name, missed));
  }

  private void armGapTimer(Room room) {
    if (room.order.gapTimerArmed) {
      return;
    }
    room.order.gapTimerArmed = true;
    CompletableFuture.delayedExecutor(GAP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .execute(() -> gapWaited(room));
  }

  /** The wait for a missing number is over: read it from the store, or deliver past it. */
  private void gapWaited(Room room) {
    long after;
    long until;
    synchronized (room.lock) {
      RoomOrder order = room.order;
      after = room.history.lastSequence();
      if (order.held.isEmpty()
          || order.held.firstKey() == after + 1
          || after == 0
          || !store.keepsHistory()) {
        // Nothing missing any more, or a room this node has just met (it has no turn to keep),
        // or nothing to read: deliver past the gap.
        skipGap(room);
        return;
      }
      until = order.held.firstKey();
    }
    String epoch = room.epoch;
    CompletionStage<HistoryStore.StoredRead> read;
    try {
      read = store.read(room.name, after, (int) Math.min(Integer.MAX_VALUE, until - after - 1));
    } catch (RuntimeException e) {
      read = CompletableFuture.failedFuture(e);
    }
    read.whenComplete(
        (stored, failure) -> {
          synchronized (room.lock) {
            if (failure == null && epoch != null && epoch.equals(room.epoch)) {
              int healed = 0;
              for (Envelope e : stored.entries()) {
                if (epoch.equals(e.roomEpoch())
                    && e.roomSequence() > room.history.lastSequence()
                    && room.order.held.putIfAbsent(
                            e.roomSequence(),
                            new RoomOrder.Arrival(e.target(), e.message(), e.timestampMillis()))
                        == null) {
                  healed++;
                  originGaps.readBack(e.originNode(), e.sequence());
                }
              }
              counters.roomHealed.add(healed);
              if (healed > 0) {
                log.debug(
                    "hub {}: room {}: read {} missed broadcasts from the store",
                    nodeId,
                    room.name,
                    healed);
              }
            }
            if (room.history.lastSequence() == after) {
              skipGap(room); // what the store did not hold is lost
            } else {
              // The gap read for was filled meanwhile: a hole after it gets its own wait and read.
              room.order.gapTimerArmed = false;
              drainInOrder(room);
            }
          }
        });
  }

  private void skipGap(Room room) {
    synchronized (room.lock) {
      room.order.gapTimerArmed = false;
      room.order.skipGap = true;
      drainInOrder(room);
      room.order.skipGap = false;
    }
  }
}
