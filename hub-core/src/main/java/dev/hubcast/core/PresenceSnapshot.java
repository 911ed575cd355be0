package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Who is in a room, as this node knows it: every node's users when the backplane carries presence,
 * this node's own otherwise.
 *
 * <p>Immutable and thread-safe.
 *
 * @param room the room
 * @param users the users present, sorted by name, at most {@link PresenceConfig#maxListed()} of
 *     them
 * @param count how many users are present, listed or not
 * @param partial whether other nodes may be missing from it: the backplane is distributed but this
 *     node cannot publish to it now (Redis is unreachable, say), so it knows its own connections
 *     only for sure
 */
public record PresenceSnapshot(String room, List<PresenceUser> users, int count, boolean partial) {
  /** Checks and copies. */
  public PresenceSnapshot {
    requireNonNull(room, "room");
    users = List.copyOf(users);
    if (count < users.size()) {
      throw new IllegalArgumentException(
          "count: " + count + " (expected: at least the " + users.size() + " users listed)");
    }
  }

  /** Whether the list leaves users out ({@link #count} is larger than the list). */
  public boolean truncated() {
    return count > users.size();
  }
}
