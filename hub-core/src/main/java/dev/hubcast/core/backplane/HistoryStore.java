package dev.hubcast.core.backplane;

import dev.hubcast.core.RoomPosition;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Numbers and keeps room broadcasts outside the process, so that any node can serve a resume and a
 * restarted one continues the numbering. A hub with a store still keeps each room's last broadcasts
 * in memory ({@code HubConfig.historySize}) as a cache in front of it; without one (the default)
 * that memory is the history, and its numbering starts again with the process.
 *
 * <p>A store answers for each room its {@link RoomPosition}: an epoch, minted by the store when the
 * room first needs one and kept with the room's counter, and the counter. When the store loses a
 * room (flushed, expired), the next answer carries a new epoch and the numbering starts again at 1.
 *
 * <p>Implementations are thread-safe and never block: every method answers with a stage that
 * completes later and fails fast while the store cannot be reached. Calls from one hub are applied
 * in the order they were made (the hub makes a room's appends under the room's lock, and relies on
 * its reservations reaching the store in that order), and their stages complete in the store's
 * order, off the thread that does the store's I/O: the hub may append again from a completion. A
 * {@link Backplane} offers its store through {@link Backplane#historyStore()}, so that numbering,
 * storing and delivering to the other nodes can be one step ({@link #publishes()}).
 */
public interface HistoryStore {

  /**
   * Numbers {@code envelope}'s room broadcast and stores it, as one step: a number is never handed
   * out without its broadcast being stored.
   *
   * <p>With {@code expected}, the broadcast is stored under exactly {@code expected.seq()}, and
   * only if the room's epoch is {@code expected.epoch()} and its latest number is below {@code
   * expected.seq()} (numbers between are then left unused). Otherwise nothing is stored, and the
   * answer is not {@link Appended#stored()} and carries the room's latest position, from which the
   * hub tries again. Without it ({@code null}), the broadcast takes the room's next number.
   *
   * @param envelope the broadcast, with no room number yet ({@code roomSequence} -1); a store that
   *     {@link #publishes()} delivers it to the other nodes with its number and epoch
   */
  CompletionStage<Appended> append(String room, Envelope envelope, RoomPosition expected);

  /**
   * The room's broadcasts after {@code afterSequence}, oldest first, at most {@code limit} of them,
   * and the room's latest position; for a room the store does not know, a new epoch and seq 0.
   */
  CompletionStage<StoredRead> read(String room, long afterSequence, int limit);

  /** The room's last {@code limit} broadcasts held, oldest first, and its latest position. */
  CompletionStage<StoredRead> latest(String room, int limit);

  /**
   * Whether {@link #append} also delivers the broadcast to the other nodes; then the hub does not
   * publish room broadcasts on the backplane itself. Default {@code false}.
   */
  default boolean publishes() {
    return false;
  }

  /** Whether the store keeps broadcasts at all, or only numbers them. Default {@code true}. */
  default boolean keepsHistory() {
    return true;
  }

  /**
   * What {@link #append} did.
   *
   * @param stored whether the broadcast was stored
   * @param position its position when stored; otherwise the room's latest position
   */
  record Appended(boolean stored, RoomPosition position) {}

  /**
   * What {@link #read} and {@link #latest} found.
   *
   * @param latest the room's latest position
   * @param entries the broadcasts, oldest first, each with its {@code roomSequence} and {@code
   *     roomEpoch}
   */
  record StoredRead(RoomPosition latest, List<Envelope> entries) {
    /** Copies the entries. */
    public StoredRead {
      entries = List.copyOf(entries);
    }
  }
}
