package dev.hubcast.core.internal;

import dev.hubcast.core.RateLimit;

/**
 * One connection's inbound rate limit. Confined to the connection's inbound thread (the adapter
 * reports one message at a time).
 */
final class TokenBucket {
  private final RateLimit limit;
  private double tokens;
  private long refilledAt;

  TokenBucket(RateLimit limit) {
    this.limit = limit;
    this.tokens = limit.burst();
    this.refilledAt = System.nanoTime();
  }

  /** Takes one token; false if the bucket is empty. */
  boolean tryAcquire() {
    long now = System.nanoTime();
    double refill = (now - refilledAt) / 1e9 * limit.messagesPerSecond();
    tokens = Math.min(limit.burst(), tokens + refill);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
