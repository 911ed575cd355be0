package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What a room's history on this node holds after a given sequence number, whether some of what came
 * after it is no longer held, and the room's position.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entries the held broadcasts after the requested sequence, oldest first
 * @param missed how many broadcasts after the requested sequence are no longer held (they fell out
 *     of the history by its size or age)
 * @param position the room's latest position on this node; empty for a room this node does not hold
 */
public record HistoryRead(
    List<HistoryEntry> entries, long missed, Optional<RoomPosition> position) {

  /** An empty read: a room this node does not hold. */
  public static final HistoryRead EMPTY = new HistoryRead(List.of(), 0, Optional.empty());

  /** Copies the entries. */
  public HistoryRead {
    entries = List.copyOf(entries);
    requireNonNull(position, "position");
    if (missed < 0) {
      throw new IllegalArgumentException("missed: " + missed + " (expected: >= 0)");
    }
  }

  /**
   * Whether broadcasts after the requested sequence are no longer held, so a client resuming from
   * there has missed some.
   */
  public boolean gap() {
    return missed > 0;
  }

  /** The room's latest sequence number ({@code 0} before the first broadcast, or no room). */
  public long lastSequence() {
    return position.map(RoomPosition::seq).orElse(0L);
  }
}
