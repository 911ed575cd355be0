package dev.hubcast.core;

/**
 * A per-connection limit on inbound messages: a token bucket that holds up to {@code burst}
 * messages and refills at {@code messagesPerSecond}. A message that finds the bucket empty goes to
 * {@link HubHandler#onRateLimited} (by default: close 1008) instead of the codec and handlers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param messagesPerSecond the sustained rate allowed (&gt; 0)
 * @param burst how many messages may arrive at once after a quiet spell (&ge; 1)
 */
public record RateLimit(double messagesPerSecond, int burst) {

  /** Validates the values. */
  public RateLimit {
    if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
      throw new IllegalArgumentException(
          "messagesPerSecond: " + messagesPerSecond + " (expected: > 0, finite)");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
  }

  /** {@code perSecond} messages a second, with bursts of up to {@code burst}. */
  public static RateLimit of(double perSecond, int burst) {
    return new RateLimit(perSecond, burst);
  }
}
