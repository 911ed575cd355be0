package dev.hubcast.core;

/**
 * What a connection's outbox does with a new frame when the frames already pending (queued or
 * handed to the transport and not yet completed) would pass its byte or frame limit.
 *
 * <p>Immutable and thread-safe. Whatever the policy, a slow client never blocks a broadcast, never
 * grows memory past its limit and never delays the other connections.
 */
public enum SlowConsumerPolicy {
  /**
   * Close the connection with 1008 (policy violation) and a reason; its pending frames are
   * discarded. The default: a client that cannot keep up learns so, and may reconnect and resume.
   */
  DISCONNECT,
  /** Drop the new frame; the connection stays open. Drops are counted in the metrics. */
  DROP_NEWEST,
  /**
   * Drop the oldest frames still queued (not yet handed to the transport) until the new one fits;
   * if it cannot fit, drop the new frame. Drops are counted in the metrics.
   */
  DROP_OLDEST
}
