package dev.hubcast.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room: its members on this node, its numbering and history (possibly of size 0), and, with a
 * backplane sequencer, its {@link RoomOrder}. Membership changes only inside {@link
 * RoomDirectory}'s atomic compute calls; numbering, history and the fan-out of each broadcast are
 * serialized by {@link #lock}, so every member sees the room's broadcasts in sequence order.
 */
final class Room {
  final String name;
  final Set<DefaultClient> members = ConcurrentHashMap.newKeySet();
  final RoomHistory history; // numbers every broadcast; keeps the last historySize of them
  final Object lock = new Object();
  final RoomOrder order = new RoomOrder(); // guarded by lock; used with a sequencer only

  Room(String name, int historySize) {
    this.name = name;
    this.history = new RoomHistory(historySize);
  }

  /**
   * Whether the room may be forgotten when it has no members: nothing was ever broadcast to it, so
   * there is no sequence number (or history) to keep.
   */
  boolean isDisposable() {
    return history.lastSequence() == 0;
  }
}
