package dev.hubcast.core;

/**
 * A room could not be created: this node already holds {@link HubConfig#maxRooms()} rooms, none of
 * them empty enough to forget. Thrown by {@link Hub#join}, {@link Hub#joinAndReplay} and room
 * broadcasts; from a handler it closes the connection with 1008 unless the handler catches it (to
 * answer the client with an error message instead).
 *
 * <p>Immutable once thrown; safe to pass between threads.
 */
public final class RoomLimitException extends HubException {
  private static final long serialVersionUID = 1L;

  private final String room;
  private final int maxRooms;

  /** The room {@code room} would pass the cap of {@code maxRooms}. */
  public RoomLimitException(String room, int maxRooms) {
    super(
        CloseCodes.POLICY_VIOLATION,
        "room: \"" + room + "\" (maxRooms " + maxRooms + " reached)",
        null);
    this.room = room;
    this.maxRooms = maxRooms;
  }

  /** The room that could not be created. */
  public String room() {
    return room;
  }

  /** The node's cap on rooms. */
  public int maxRooms() {
    return maxRooms;
  }
}
