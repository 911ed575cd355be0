package dev.hubcast.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room: its members on this node and, when the hub keeps history, its history. Membership is
 * changed only inside the hub's room map's atomic compute calls; history and the broadcasts that
 * append to it are serialized by {@link #lock}, so every member sees a history room's broadcasts in
 * sequence order.
 */
final class Room {
  final String name;
  final Set<DefaultClient<?>> members = ConcurrentHashMap.newKeySet();
  final RoomHistory history; // null when the hub keeps none
  final Object lock = new Object();

  Room(String name, int historySize) {
    this.name = name;
    this.history = historySize > 0 ? new RoomHistory(historySize) : null;
  }

  /** Whether the room may be forgotten when it has no members: it has no history worth keeping. */
  boolean isDisposable() {
    return history == null || history.lastSequence() == 0;
  }
}
