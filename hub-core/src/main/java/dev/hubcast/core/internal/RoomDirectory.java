package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Client;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.RoomLimitException;
import dev.hubcast.core.RoomPosition;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * This node's rooms: who is in each, the cap on how many there are, and the joins, leaves and
 * replays that change them. Thread-safe. It owns the room map (changed only by atomic compute
 * calls); a join takes the client's monitor, then the map's bin; a replay takes the room's lock
 * first.
 */
final class RoomDirectory {
  private final ConnectionRegistry registry;
  private final int maxRooms;
  private final int historySize;
  private final long maxAgeMillis;
  private final boolean storeNumbers;
  private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
  private volatile PresenceBook<?> presence; // null: no presence

  /**
   * @param storeNumbers whether a store numbers the rooms (a room learns its epoch from it);
   *     otherwise each room mints its epoch when it is created here
   */
  RoomDirectory(
      ConnectionRegistry registry,
      int maxRooms,
      int historySize,
      long maxAgeMillis,
      boolean storeNumbers) {
    this.registry = registry;
    this.maxRooms = maxRooms;
    this.historySize = historySize;
    this.maxAgeMillis = maxAgeMillis;
    this.storeNumbers = storeNumbers;
  }

  /**
   * A join of {@code c} is complete, with whatever it queued (a replay, an answer): presence may
   * now queue its snapshot after them. Under no lock.
   */
  void entered(String room, DefaultClient c) {
    PresenceBook<?> p = presence;
    if (p != null) {
      p.entered(room, c); // checked again on the presence thread
    }
  }

  /** Hands every join and leave to {@code presence} from now on. */
  void presence(PresenceBook<?> presence) {
    this.presence = presence;
  }

  private Room newRoom(String name) {
    return new Room(name, historySize, maxAgeMillis, storeNumbers ? null : RoomPosition.newEpoch());
  }

  /** The room, created if needed (evicting an empty one at the cap). */
  Room roomFor(String name) {
    Room room = rooms.get(name);
    if (room != null) {
      return room;
    }
    if (rooms.size() >= maxRooms && !evictEmptyRoom()) {
      throw new RoomLimitException(name, maxRooms);
    }
    return rooms.computeIfAbsent(name, this::newRoom);
  }

  /** The room if it exists; no creation. */
  Room find(String name) {
    return rooms.get(name);
  }

  private boolean evictEmptyRoom() {
    for (Room r : rooms.values()) {
      if (r.members.isEmpty()
          && r.joining.isEmpty()
          && rooms.computeIfPresent(
                  r.name, (k, cur) -> cur.members.isEmpty() && cur.joining.isEmpty() ? null : cur)
              == null) {
        return true;
      }
    }
    return false;
  }

  static void checkRoomName(String room) {
    requireNonNull(room, "room");
    if (room.isEmpty()) {
      throw new IllegalArgumentException("room: \"\" (expected: a non-empty name)");
    }
  }

  static void checkAfter(long afterSequence) {
    if (afterSequence < 0) {
      throw new IllegalArgumentException("afterSequence: " + afterSequence + " (expected: >= 0)");
    }
  }

  boolean join(String connectionId, String room) {
    requireNonNull(connectionId, "connectionId");
    checkRoomName(room);
    DefaultClient c = registry.get(connectionId);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      if (c.state != DefaultClient.State.OPEN || c.inRoom(room)) {
        return false;
      }
      addMember(room, c, null);
      c.addRoom(room);
    }
    entered(room, c);
    return true;
  }

  /** Adds {@code c} to the room, creating it if needed; with {@code expected}, only to that one. */
  Room addMember(String name, DefaultClient c, Room expected) {
    boolean[] full = {false};
    Room joined =
        rooms.compute(
            name,
            (k, cur) -> {
              if (expected != null && cur != expected) {
                return cur; // the room was replaced meanwhile; the caller retries
              }
              if (cur == null) {
                if (rooms.size() >= maxRooms) {
                  full[0] = true;
                  return null;
                }
                cur = newRoom(k);
              }
              cur.members.add(c);
              return cur;
            });
    if (full[0]) {
      if (evictEmptyRoom()) {
        return addMember(name, c, expected);
      }
      throw new RoomLimitException(name, maxRooms);
    }
    return joined;
  }

  Optional<HistoryRead> joinAndReplay(String connectionId, String room, long afterSequence) {
    requireNonNull(connectionId, "connectionId");
    checkRoomName(room);
    checkAfter(afterSequence);
    DefaultClient c = registry.get(connectionId);
    if (c == null) {
      return Optional.empty();
    }
    while (true) {
      Room r = roomFor(room);
      synchronized (r.lock) {
        boolean isNew = false;
        synchronized (c) {
          if (c.state != DefaultClient.State.OPEN) {
            return Optional.empty();
          }
          if (!c.inRoom(room)) {
            if (addMember(room, c, r) != r || !r.members.contains(c)) {
              continue; // replaced by a new room object between lookup and lock
            }
            c.addRoom(room);
            isNew = true;
          }
        }
        HistoryRead read = read(r, afterSequence);
        FanOut.begin();
        try {
          for (HistoryEntry e : read.entries()) {
            c.outbox.offer(e.message());
          }
        } finally {
          FanOut.end();
        }
        if (isNew) {
          entered(room, c);
        }
        return Optional.of(read);
      }
    }
  }

  boolean leave(String connectionId, String room) {
    requireNonNull(connectionId, "connectionId");
    requireNonNull(room, "room");
    DefaultClient c = registry.get(connectionId);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      if (!c.removeRoom(room)) {
        return false;
      }
      removeMember(room, c);
      return true;
    }
  }

  /** Takes {@code c} out of a room; an empty room without history goes. Holds c's monitor. */
  void removeMember(String room, DefaultClient c) {
    rooms.computeIfPresent(
        room,
        (k, r) -> {
          r.members.remove(c);
          return r.members.isEmpty() && r.isDisposable() ? null : r;
        });
    PresenceBook<?> p = presence;
    if (p != null) {
      p.left(room, c);
    }
  }

  HistoryRead history(String room, long afterSequence) {
    requireNonNull(room, "room");
    checkAfter(afterSequence);
    Room r = rooms.get(room);
    if (r == null) {
      return HistoryRead.EMPTY;
    }
    synchronized (r.lock) {
      return read(r, afterSequence);
    }
  }

  /** What this node holds of a room after a number. Holds the room's lock. */
  private static HistoryRead read(Room r, long afterSequence) {
    List<HistoryEntry> entries = r.history.after(afterSequence, System.currentTimeMillis());
    return new HistoryRead(
        entries, r.history.missed(afterSequence, entries), Optional.ofNullable(r.position()));
  }

  Set<String> names() {
    return rooms.values().stream()
        .filter(r -> !r.members.isEmpty())
        .map(r -> r.name)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Rooms whose history holds a broadcast that is fresh at {@code now}. Takes each room's lock. */
  Set<String> withHistory(long now) {
    Set<String> names = new HashSet<>();
    for (Room r : rooms.values()) {
      synchronized (r.lock) {
        if (r.history.holdsFresh(now)) {
          names.add(r.name);
        }
      }
    }
    return Set.copyOf(names);
  }

  Collection<Client> members(String room) {
    Room r = rooms.get(requireNonNull(room, "room"));
    return r == null ? List.of() : List.copyOf(r.members);
  }

  /** Rooms with at least one member on this node. */
  int occupied() {
    int n = 0;
    for (Room r : rooms.values()) {
      if (!r.members.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  /** Room objects held, empty ones with history included. */
  int held() {
    return rooms.size();
  }
}
