package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The answer to joining a room with {@link Hub#joinAndResume}: whether the connection's position
 * was recovered, the room's position now, and the history that goes with it.
 *
 * <p>All or nothing: {@link Outcome#RECOVERED} means {@link #entries()} are exactly the room's
 * broadcasts after the given position, in order, and the live ones follow them with none missed or
 * repeated. Every other outcome says why not, and {@link #entries()} are then the room's latest
 * broadcasts held (at most the replay limit), for an application that shows them anyway.
 *
 * <p>Immutable and thread-safe.
 *
 * @param outcome what happened
 * @param since the position the connection resumed from; empty for a plain join
 * @param position the room's latest position when the connection joined (its epoch and the seq of
 *     the last broadcast before the live ones); valid even for an empty room
 * @param entries the broadcasts replayed, oldest first (see above)
 */
public record Replay(
    Outcome outcome,
    Optional<RoomPosition> since,
    RoomPosition position,
    List<HistoryEntry> entries) {

  /** Copies the entries and checks the outcome against {@code since}. */
  public Replay {
    requireNonNull(outcome, "outcome");
    requireNonNull(since, "since");
    requireNonNull(position, "position");
    entries = List.copyOf(entries);
    if ((outcome == Outcome.JOINED) != since.isEmpty()) {
      throw new IllegalArgumentException(
          "outcome: " + outcome + " with since " + since + " (JOINED is for a join without one)");
    }
  }

  /** Whether the broadcasts after {@link #since()} were all replayed. */
  public boolean recovered() {
    return outcome == Outcome.RECOVERED;
  }

  /** How a join with a position ended. */
  public enum Outcome {
    /** No position was given: a plain join; the entries are the room's latest. */
    JOINED("joined"),
    /** Exactly the broadcasts after the position were replayed. */
    RECOVERED("recovered"),
    /** The room's numbering restarted since (a new process, or the store lost the room). */
    EPOCH_CHANGED("epoch-changed"),
    /** Some broadcasts after the position fell out of the history, by its size or its age. */
    TOO_OLD("too-old"),
    /** More broadcasts came after the position than the replay limit. */
    TOO_MANY("too-many"),
    /** Broadcasts came after the position, and the room keeps no history. */
    NO_HISTORY("no-history"),
    /**
     * A broadcast after the position was never stored: its node numbered it alone while the shared
     * store could not be reached, so only that node's connections got it.
     */
    MISSING("missing");

    private final String code;

    Outcome(String code) {
      this.code = code;
    }

    /** A short lower-case name for a protocol: {@code recovered}, {@code too-old}, .... */
    public String code() {
      return code;
    }
  }
}
