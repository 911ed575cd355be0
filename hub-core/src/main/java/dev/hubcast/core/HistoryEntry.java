package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

/**
 * One broadcast kept in a room's history.
 *
 * <p>Immutable and thread-safe.
 *
 * @param sequence its sequence number in the room, increasing by one per broadcast from 1
 * @param timestampMillis when it was broadcast, in milliseconds since the epoch
 * @param message the encoded message, shared with its recipients
 */
public record HistoryEntry(long sequence, long timestampMillis, Message message) {
  /** Validates the entry. */
  public HistoryEntry {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 1)");
    }
    requireNonNull(message, "message");
  }
}
