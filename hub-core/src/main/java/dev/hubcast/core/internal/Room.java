package dev.hubcast.core.internal;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Message;
import dev.hubcast.core.RoomMark;
import dev.hubcast.core.RoomPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room: its members on this node, its numbering (epoch and history, possibly of size 0), its
 * {@link RoomOrder} when a store numbers across nodes, and the connections joining it while their
 * history is read from the store. Membership changes only inside {@link RoomDirectory}'s atomic
 * compute calls; everything else, and the fan-out of each broadcast, is serialized by {@link
 * #lock}, so every member sees the room's broadcasts in sequence order.
 */
final class Room {
  private static final int RETIRED_EPOCHS = 4;

  final String name;
  final Set<DefaultClient> members = ConcurrentHashMap.newKeySet();
  final RoomHistory history; // numbers every broadcast; keeps the last historySize of them
  final Object lock = new Object();
  final RoomOrder order = new RoomOrder(); // guarded by lock; used with a store only

  /** The numbering's epoch; null until a store tells it. Guarded by lock, read unlocked. */
  volatile String epoch;

  /** Epochs this room has left; broadcasts still numbered in them are stale. Guarded by lock. */
  private final ArrayDeque<String> retired = new ArrayDeque<>();

  /**
   * Connections joining while the store is read: what the room delivers meanwhile. Changed under
   * lock.
   */
  final Map<DefaultClient, List<HistoryEntry>> joining = new ConcurrentHashMap<>();

  /**
   * Members that have already been given the room's broadcasts up to a number (from the store,
   * ahead of this node): live ones up to it are not offered to them again. Guarded by lock.
   */
  final Map<DefaultClient, Long> floors = new HashMap<>();

  Room(String name, int historySize, long maxAgeMillis, String epoch) {
    this.name = name;
    this.history = new RoomHistory(historySize, maxAgeMillis);
    this.epoch = epoch;
  }

  /**
   * Whether the room may be forgotten when it has no members: nothing was ever broadcast to it, so
   * there is no sequence number (or history) to keep.
   */
  boolean isDisposable() {
    return history.lastSequence() == 0 && joining.isEmpty();
  }

  /** The room's position on this node, or null before it knows its epoch. Holds lock. */
  RoomPosition position() {
    String e = epoch;
    return e == null ? null : new RoomPosition(e, history.lastSequence());
  }

  /**
   * Takes {@code newEpoch} as the room's numbering. Holds lock.
   *
   * @return false if it is an epoch the room has already left (a stale broadcast)
   */
  boolean adoptEpoch(String newEpoch) {
    if (newEpoch.equals(epoch)) {
      return true;
    }
    if (retired.contains(newEpoch)) {
      return false;
    }
    if (epoch != null) {
      retired.addLast(epoch);
      if (retired.size() > RETIRED_EPOCHS) {
        retired.removeFirst();
      }
      history.reset();
      order.held.clear();
      order.assignedMax = 0;
      floors.clear();
    }
    epoch = newEpoch;
    return true;
  }

  /**
   * Records a broadcast under its number in the history, its frame stamped with the room's mark
   * ({@link Message#mark()}); null if the number is not past the last one. Holds lock.
   */
  HistoryEntry record(long sequence, long timestampMillis, Message frame) {
    return history.record(sequence, timestampMillis, marked(frame, sequence));
  }

  /** {@code frame} stamped with this room's name and its position at {@code sequence}. */
  Message marked(Message frame, long sequence) {
    String e = epoch;
    return e == null ? frame : frame.withMark(new RoomMark(name, new RoomPosition(e, sequence)));
  }

  /** What was delivered to the room, for the connections still joining it. Holds lock. */
  void delivered(HistoryEntry entry) {
    if (!joining.isEmpty()) {
      for (List<HistoryEntry> seen : joining.values()) {
        seen.add(entry);
      }
    }
  }

  static List<HistoryEntry> newJoining() {
    return new ArrayList<>();
  }
}
