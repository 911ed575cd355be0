package dev.hubcast.core.internal;

import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of the backplane coming in: drops its own echoes, counts envelopes lost per
 * origin, and delivers the rest (room broadcasts through their numbering, others straight to the
 * fan-out). Called by one backplane thread at a time; never throws.
 */
final class BackplaneIn implements Backplane.Receiver {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final RoomDirectory rooms;
  private final RoomNumbering<?> numbering;
  private final FanOutRouter router;
  private final Handlers<?> handlers;
  private final Counters counters;
  private final RoomEnvelopeGaps roomGaps;
  private final ConcurrentMap<String, AtomicLong> originSequences = new ConcurrentHashMap<>();

  BackplaneIn(
      String nodeId,
      RoomDirectory rooms,
      RoomNumbering<?> numbering,
      FanOutRouter router,
      Handlers<?> handlers,
      Counters counters,
      RoomEnvelopeGaps roomGaps) {
    this.nodeId = nodeId;
    this.rooms = rooms;
    this.numbering = numbering;
    this.router = router;
    this.handlers = handlers;
    this.counters = counters;
    this.roomGaps = roomGaps;
  }

  private volatile PresenceBook<?> presence; // null: no presence

  void presence(PresenceBook<?> presence) {
    this.presence = presence;
  }

  @Override
  public void signal(byte[] payload) {
    PresenceBook<?> p = presence;
    if (p != null && payload != null) {
      p.signal(payload);
    }
  }

  @Override
  public void receive(Envelope envelope) {
    try {
      if (envelope.originNode().equals(nodeId)) {
        return; // our own echo
      }
      counters.backplaneReceived.increment();
      long lag = System.currentTimeMillis() - envelope.timestampMillis();
      if (lag > 0) {
        counters.backplaneLagMillis.add(lag);
      }
      Target target = envelope.target();
      Message message = envelope.message();
      String roomName = FanOutRouter.roomOf(target);
      if (roomName != null && envelope.roomSequence() > 0) {
        Room room = rooms.roomFor(roomName);
        if (numbering.isShared()) {
          // Numbered by the store: a missing number is found (and read back) by the room, and a
          // broadcast never stored by the jump in its origin's numbers.
          roomGaps.arrived(envelope.originNode(), envelope.sequence());
          numbering.receiveNumbered(room, envelope);
        } else {
          checkGap(envelope);
          numbering.receiveOriginNumbered(
              room, target, message, envelope.roomSequence(), envelope.timestampMillis());
        }
        return;
      }
      checkGap(envelope);
      router.deliver(target, message, new Tally(0));
    } catch (RuntimeException e) {
      log.warn("hub {}: envelope from {} not delivered", nodeId, envelope.originNode(), e);
    }
  }

  private void checkGap(Envelope envelope) {
    AtomicLong last = originSequences.computeIfAbsent(envelope.originNode(), k -> new AtomicLong());
    long previous = last.getAndSet(envelope.sequence());
    long missed = previous == 0 ? 0 : envelope.sequence() - previous - 1;
    if (missed > 0) {
      counters.backplaneGaps.add(missed);
      log.warn(
          "hub {}: {} broadcasts from node {} were lost on the backplane",
          nodeId,
          missed,
          envelope.originNode());
      handlers.backplaneGap(envelope.originNode(), missed);
    }
  }
}
