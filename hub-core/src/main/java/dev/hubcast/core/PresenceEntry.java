package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

/**
 * One connection's place in a room's presence: one tab of one user.
 *
 * <p>Immutable and thread-safe.
 *
 * @param connectionId the connection (on its node); never a credential: ids are predictable
 * @param node the node the connection is open on
 * @param data what {@link PresenceConfig.Builder#data} made of the connection ({@code ""} if
 *     nothing)
 */
public record PresenceEntry(String connectionId, String node, String data) {
  /** Checks every value. */
  public PresenceEntry {
    requireNonNull(connectionId, "connectionId");
    requireNonNull(node, "node");
    requireNonNull(data, "data");
  }
}
