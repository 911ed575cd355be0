package dev.hubcast.core.internal;

import dev.hubcast.core.HistoryEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * A room's sequence counter and a bounded ring of its last broadcasts, oldest first (capacity 0:
 * numbering only), each kept at most {@code maxAgeMillis} (0: no age limit). Not thread-safe:
 * guarded by its room's lock.
 */
final class RoomHistory {
  private final HistoryEntry[] ring;
  private final long maxAgeMillis;
  private int head; // index of the oldest entry
  private int size;
  private volatile long lastSequence; // 0 before the first entry; read unlocked by Room

  RoomHistory(int capacity, long maxAgeMillis) {
    this.ring = new HistoryEntry[capacity];
    this.maxAgeMillis = maxAgeMillis;
  }

  long lastSequence() {
    return lastSequence;
  }

  /** Whether the room keeps broadcasts at all. */
  boolean keeps() {
    return ring.length > 0;
  }

  int capacity() {
    return ring.length;
  }

  /**
   * Records a broadcast under its number. A number at or below the last one is a duplicate or out
   * of order, and is not recorded ({@code null}). A jump leaves the skipped numbers missing, which
   * readers see as a gap.
   */
  HistoryEntry record(long sequence, long timestampMillis, dev.hubcast.core.Message frame) {
    if (sequence <= lastSequence) {
      return null;
    }
    HistoryEntry entry = new HistoryEntry(sequence, timestampMillis, frame);
    lastSequence = sequence;
    if (ring.length == 0) {
      return entry; // numbering only
    }
    if (size < ring.length) {
      ring[(head + size) % ring.length] = entry;
      size++;
    } else {
      ring[head] = entry;
      head = (head + 1) % ring.length;
    }
    return entry;
  }

  /** Moves the counter to {@code sequence} without an entry: a number given to nothing. */
  void advance(long sequence) {
    if (sequence > lastSequence) {
      lastSequence = sequence;
    }
  }

  /** Forgets every entry and starts the numbering again from 0 (a new epoch). */
  void reset() {
    java.util.Arrays.fill(ring, null);
    head = 0;
    size = 0;
    lastSequence = 0;
  }

  /** Whether the newest entry kept is fresh at {@code now}. */
  boolean holdsFresh(long now) {
    return size > 0 && fresh(ring[(head + size - 1) % ring.length], now);
  }

  private boolean fresh(HistoryEntry e, long now) {
    return maxAgeMillis == 0 || now - e.timestampMillis() <= maxAgeMillis;
  }

  /** The fresh entries after {@code afterSequence}, oldest first. */
  List<HistoryEntry> after(long afterSequence, long now) {
    List<HistoryEntry> entries = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      HistoryEntry e = ring[(head + i) % ring.length];
      if (e.sequence() > afterSequence && fresh(e, now)) {
        entries.add(e);
      }
    }
    return entries;
  }

  /** The last {@code limit} fresh entries, oldest first. */
  List<HistoryEntry> latest(int limit, long now) {
    List<HistoryEntry> all = after(0, now);
    return all.size() <= limit ? all : new ArrayList<>(all.subList(all.size() - limit, all.size()));
  }

  /** How many numbers after {@code afterSequence} up to the last one the entries do not cover. */
  long missed(long afterSequence, List<HistoryEntry> entries) {
    return Math.max(0, lastSequence - afterSequence - entries.size());
  }
}
