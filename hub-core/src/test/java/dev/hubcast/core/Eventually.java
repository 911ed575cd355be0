package dev.hubcast.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (core tests cannot use hub-testkit's Await). */
final class Eventually {
  private Eventually() {}

  static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 10s for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
