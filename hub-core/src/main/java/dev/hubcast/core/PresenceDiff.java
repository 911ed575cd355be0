package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Supplier;

/**
 * What changed in a room's presence since the last diff: the users that arrived and the users that
 * left. A user arrives with its first connection in the room (on any node) and leaves with its
 * last, after {@link PresenceConfig#grace()}; more tabs of a user already present change nothing
 * here. With {@link PresenceConfig#interval()}, a diff covers the interval and a user who came and
 * went within it is in neither list.
 *
 * <p>Made on the hub's presence thread and handed to the diff message function there; {@link
 * #members()} may be called only in that function. Otherwise immutable and thread-safe.
 */
public final class PresenceDiff {
  private final String room;
  private final List<PresenceUser> joined;
  private final List<String> left;
  private final int count;
  private final boolean partial;
  private final Supplier<List<String>> members;

  /**
   * A diff; for hub implementations and tests.
   *
   * @param members the names present after the diff, as {@link #members()} returns them
   */
  public PresenceDiff(
      String room,
      List<PresenceUser> joined,
      List<String> left,
      int count,
      boolean partial,
      Supplier<List<String>> members) {
    this.room = requireNonNull(room, "room");
    this.joined = List.copyOf(joined);
    this.left = List.copyOf(left);
    this.count = count;
    this.partial = partial;
    this.members = requireNonNull(members, "members");
  }

  /** The room. */
  public String room() {
    return room;
  }

  /** The users that arrived, sorted by name, each with its connections in the room. */
  public List<PresenceUser> joined() {
    return joined;
  }

  /** The users that left, sorted. */
  public List<String> left() {
    return left;
  }

  /** How many users are present after this diff. */
  public int count() {
    return count;
  }

  /** As {@link PresenceSnapshot#partial()}. */
  public boolean partial() {
    return partial;
  }

  /**
   * The names of the users present after this diff, sorted, at most {@link
   * PresenceConfig#maxListed()}: for a message that carries the whole list (a small room's). It is
   * made on each call, in time proportional to the room's users, so a large room should send the
   * diff alone. Only within the diff message function.
   */
  public List<String> members() {
    return members.get();
  }

  @Override
  public String toString() {
    return "PresenceDiff[room="
        + room
        + ", joined="
        + joined.size()
        + ", left="
        + left.size()
        + ", count="
        + count
        + (partial ? ", partial" : "")
        + "]";
  }
}
