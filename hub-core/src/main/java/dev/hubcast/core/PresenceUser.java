package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One user present in a room, with each of its connections there (its tabs, on any node). A user is
 * its {@link Client#user()}, or, for an anonymous connection, the connection's id.
 *
 * <p>Immutable and thread-safe.
 *
 * @param user the user
 * @param entries the user's connections in the room, in the order they arrived (never empty)
 */
public record PresenceUser(String user, List<PresenceEntry> entries) {
  /** Checks and copies. */
  public PresenceUser {
    requireNonNull(user, "user");
    entries = List.copyOf(entries);
  }
}
