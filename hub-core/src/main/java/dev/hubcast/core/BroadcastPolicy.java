package dev.hubcast.core;

/**
 * What the hub does with a client's message when the application installs no {@link HubHandler}:
 * the two behaviours of the classic chat relay. The frame is relayed as it arrived, without being
 * encoded again.
 *
 * <p>Immutable and thread-safe.
 */
public enum BroadcastPolicy {
  /** Relay every message to every connection, the sender included. */
  ALL,
  /** Relay every message to every connection but the sender. */
  ALL_EXCEPT_SENDER,
  /** Relay nothing (messages are decoded, then ignored). */
  NONE
}
