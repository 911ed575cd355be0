package dev.hubcast.core.internal;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A room's sequence counter and a bounded ring of its last broadcasts, oldest first (capacity 0:
 * numbering only). Not thread-safe: guarded by its room's lock.
 */
final class RoomHistory {
  private final HistoryEntry[] ring;
  private int head; // index of the oldest entry
  private int size;
  private volatile long lastSequence; // 0 before the first entry; read unlocked by Room

  RoomHistory(int capacity) {
    this.ring = new HistoryEntry[capacity];
  }

  long lastSequence() {
    return lastSequence;
  }

  /** Appends a local broadcast under the next sequence number. */
  HistoryEntry append(Message frame, long timestampMillis) {
    return record(lastSequence + 1, timestampMillis, frame);
  }

  /**
   * Records a broadcast under a sequence number given elsewhere (another node). A number at or
   * below the last one is a duplicate or out of order, and is not recorded ({@code null}). A jump
   * leaves the skipped numbers missing, which readers see as a gap.
   */
  HistoryEntry record(long sequence, long timestampMillis, Message frame) {
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

  /** The entries after {@code afterSequence}, and how many after it are no longer held. */
  HistoryRead read(long afterSequence) {
    List<HistoryEntry> entries = new ArrayList<>();
    long expected = afterSequence + 1;
    long missed = 0;
    for (int i = 0; i < size; i++) {
      HistoryEntry e = ring[(head + i) % ring.length];
      if (e.sequence() <= afterSequence) {
        continue;
      }
      if (e.sequence() > expected) {
        missed += e.sequence() - expected;
      }
      entries.add(e);
      expected = e.sequence() + 1;
    }
    if (lastSequence >= expected) {
      missed += lastSequence - expected + 1; // newer ones no longer (or never) held
    }
    return new HistoryRead(entries, missed > 0, missed, lastSequence);
  }
}
