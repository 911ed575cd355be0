package dev.hubcast.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, checking it every few milliseconds; fails with an {@link
 * AssertionError} that says what never happened. For state with no event to wait on (a hub's
 * registry, its metrics); messages and closes have their own waits on {@link TestClient}.
 *
 * <p>Thread-safe (stateless).
 */
public final class Await {
  private static final long POLL_NANOS = Duration.ofMillis(2).toNanos();

  private Await() {}

  /** Waits until {@code condition} holds. */
  public static void until(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("waited " + timeout + " for " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** Waits until {@code condition} holds, and says what was last seen if it never does. */
  public static <T> void until(
      BooleanSupplier condition, Duration timeout, String what, Supplier<T> lastSeen) {
    try {
      until(condition, timeout, what);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + lastSeen.get(), e);
    }
  }
}
