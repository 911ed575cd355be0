package dev.hubcast.core.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Open connections per remote IP address. An address is tracked only while it has an open
 * connection, so the map never holds more entries than there are connections (itself capped by
 * {@code maxConnections}). Thread-safe.
 */
final class AddressTracker {
  private final ConcurrentMap<String, Integer> counts = new ConcurrentHashMap<>();
  private final int maxPerAddress;

  AddressTracker(int maxPerAddress) {
    this.maxPerAddress = maxPerAddress;
  }

  boolean isFull(String address) {
    Integer n = counts.get(address);
    return n != null && n >= maxPerAddress;
  }

  /** Counts one more connection from {@code address}; {@code false} if it is at its cap. */
  boolean tryAcquire(String address) {
    boolean[] ok = {false};
    counts.compute(
        address,
        (a, n) -> {
          int current = n == null ? 0 : n;
          if (current >= maxPerAddress) {
            return n;
          }
          ok[0] = true;
          return current + 1;
        });
    return ok[0];
  }

  void release(String address) {
    counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  int addresses() {
    return counts.size();
  }
}
