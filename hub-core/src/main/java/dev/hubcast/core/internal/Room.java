package dev.hubcast.core.internal;

import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room: its members on this node, its sequence counter and its history (possibly of size 0).
 * Membership is changed only inside the hub's room map's atomic compute calls; numbering, history
 * and the fan-out of each broadcast are serialized by {@link #lock}, so every member sees the
 * room's broadcasts in sequence order.
 */
final class Room {
  final String name;
  final Set<DefaultClient<?>> members = ConcurrentHashMap.newKeySet();
  final RoomHistory history; // numbers every broadcast; keeps the last historySize of them
  final Object lock = new Object();

  // With a backplane sequencer only; all guarded by lock.
  /** Broadcasts numbered but not yet delivered, by number: delivered strictly in order. */
  final TreeMap<Long, Arrival> reorder = new TreeMap<>();

  /** The highest number this node has given or seen in the room. */
  long assignedMax;

  /** A wait for a missing number is under way. */
  boolean gapTimerArmed;

  /** The wait for the missing number is over: deliver the next one held, skipping the gap. */
  boolean skipGap;

  /** A numbered broadcast waiting for its turn; a null frame holds a number given to nothing. */
  record Arrival(
      dev.hubcast.core.Target target, dev.hubcast.core.Frame frame, long timestampMillis) {}

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
