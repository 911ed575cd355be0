package dev.hubcast.core;

import java.util.List;

/**
 * What a room's history holds after a given sequence number, and whether some of what came after it
 * is no longer held.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entries the held broadcasts after the requested sequence, oldest first
 * @param gap {@code true} when broadcasts after the requested sequence are no longer held (they
 *     fell out of the ring), so a client resuming from there has missed some
 * @param missed how many broadcasts after the requested sequence are no longer held
 * @param lastSequence the room's latest sequence number ({@code 0} before the first broadcast)
 */
public record HistoryRead(List<HistoryEntry> entries, boolean gap, long missed, long lastSequence) {

  /** An empty read: no history for the room. */
  public static final HistoryRead EMPTY = new HistoryRead(List.of(), false, 0, 0);

  /** Copies the entries. */
  public HistoryRead {
    entries = List.copyOf(entries);
    if (missed < 0) {
      throw new IllegalArgumentException("missed: " + missed + " (expected: >= 0)");
    }
  }
}
