package dev.hubcast.core.internal;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import java.util.HashSet;
import java.util.Set;

/**
 * Offers one message to this node's connections of a target: the loop at the heart of every
 * broadcast. Holds nothing mutable; thread-safe. Each loop is one {@link FanOut}, so that adapters
 * which write on another thread start writing once it is over; this is the only class that brackets
 * one.
 */
final class FanOutRouter {
  private static final int SAMPLE_MASK = HubMetrics.FAN_OUT_SAMPLE - 1;

  private final ConnectionRegistry registry;
  private final RoomDirectory rooms;
  private final Counters counters;

  FanOutRouter(ConnectionRegistry registry, RoomDirectory rooms, Counters counters) {
    this.registry = registry;
    this.rooms = rooms;
    this.counters = counters;
  }

  /**
   * A fan-out's end: counts what it offered since {@code queued}, {@code dropped}, {@code refused}.
   */
  private void finished(long start, Tally tally, int queued, int dropped, int refused) {
    if (start != 0) {
      counters.fanOutNanos.add(System.nanoTime() - start);
      counters.fanOutsTimed.increment();
    }
    if (tally.queued != queued) {
      counters.deliveriesQueued.add(tally.queued - queued);
    }
    if (tally.dropped != dropped) {
      counters.deliveriesDropped.add(tally.dropped - dropped);
    }
    if (tally.refused != refused) {
      counters.deliveriesRefused.add(tally.refused - refused);
    }
  }

  /** The room a target names, or null. */
  static String roomOf(Target target) {
    if (target instanceof Target.Room r) {
      return r.name();
    }
    if (target instanceof Target.RoomExcept r) {
      return r.name();
    }
    return null;
  }

  /** The connection a target leaves out, or null. */
  static String exceptOf(Target target) {
    if (target instanceof Target.RoomExcept r) {
      return r.connectionId();
    }
    if (target instanceof Target.AllExcept a) {
      return a.connectionId();
    }
    return null;
  }

  /** Offers to this node's connections of any target, as one fan-out. */
  void deliver(Target target, Message message, Tally tally) {
    int queued = tally.queued;
    int dropped = tally.dropped;
    int refused = tally.refused;
    long start = FanOut.beginSampled(SAMPLE_MASK);
    try {
      offer(target, message, tally);
    } finally {
      FanOut.end();
      finished(start, tally, queued, dropped, refused);
    }
  }

  private void offer(Target target, Message message, Tally tally) {
    if (target instanceof Target.All || target instanceof Target.AllExcept) {
      String except = exceptOf(target);
      for (DefaultClient c : registry.all()) {
        if (except == null || !except.equals(c.id())) {
          tally.add(c.outbox.offer(message));
        }
      }
    } else if (target instanceof Target.Room || target instanceof Target.RoomExcept) {
      Room room = rooms.find(roomOf(target));
      if (room != null) {
        offerToRoom(room, exceptOf(target), message, tally);
      }
    } else if (target instanceof Target.User u) {
      Set<DefaultClient> tabs = registry.ofUser(u.name());
      if (tabs != null) {
        for (DefaultClient c : tabs) {
          tally.add(c.outbox.offer(message));
        }
      }
    } else if (target instanceof Target.Connection one) {
      offerTo(one.connectionId(), message, tally);
    } else if (target instanceof Target.Connections set) {
      if (set.connectionIds().size() == 1) {
        offerTo(set.connectionIds().get(0), message, tally);
      } else {
        for (String id : new HashSet<>(set.connectionIds())) {
          offerTo(id, message, tally);
        }
      }
    } else {
      throw new AssertionError(target);
    }
  }

  private void offerTo(String connectionId, Message message, Tally tally) {
    DefaultClient c = registry.get(connectionId);
    if (c != null) {
      tally.add(c.outbox.offer(message));
    }
  }

  /**
   * Offers a numbered room broadcast to the room's members on this node, as one fan-out, and keeps
   * it for the connections still joining. The caller holds the room's lock.
   */
  void deliverToRoom(Room room, String except, HistoryEntry entry, Tally tally) {
    room.delivered(entry);
    int queued = tally.queued;
    int dropped = tally.dropped;
    int refused = tally.refused;
    long start = FanOut.beginSampled(SAMPLE_MASK);
    try {
      if (room.floors.isEmpty()) {
        offerToRoom(room, except, entry.message(), tally);
      } else {
        offerAboveFloors(room, except, entry, tally);
      }
    } finally {
      FanOut.end();
      finished(start, tally, queued, dropped, refused);
    }
  }

  /** As offerToRoom, leaving out members already given this number; floors passed are dropped. */
  private static void offerAboveFloors(Room room, String except, HistoryEntry entry, Tally tally) {
    for (DefaultClient c : room.members) {
      Long floor = room.floors.get(c);
      if (floor != null) {
        if (entry.sequence() <= floor) {
          continue;
        }
        room.floors.remove(c);
      }
      if (except == null || !except.equals(c.id())) {
        tally.add(c.outbox.offer(entry.message()));
      }
    }
  }

  private static void offerToRoom(Room room, String except, Message message, Tally tally) {
    for (DefaultClient c : room.members) {
      if (except == null || !except.equals(c.id())) {
        tally.add(c.outbox.offer(message));
      }
    }
  }
}
