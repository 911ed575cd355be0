package dev.hubcast.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking waits for the events a test client records (a message in a queue, the close future),
 * each bounded by a deadline and failing with an {@link AssertionError} that says what never came.
 * They block on the event itself rather than poll; state without an event is waited for with
 * Awaitility.
 *
 * <p>Stateless; thread-safe.
 */
final class Waits {
  private Waits() {}

  static <T> T poll(BlockingQueue<T> queue, Duration timeout, String what) {
    try {
      T item = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (item == null) {
        throw new AssertionError("waited " + timeout + " for " + what + "; none came");
      }
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  static <T> List<T> pollAll(BlockingQueue<T> queue, int n, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<T> items = new ArrayList<>(n);
    try {
      while (items.size() < n) {
        long left = deadline - System.nanoTime();
        T item = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
        if (item == null) {
          throw new AssertionError(
              "waited " + timeout + " for " + n + " " + what + "; got " + items.size());
        }
        items.add(item);
      }
      return items;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  static <T> T future(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("waited " + timeout + " for " + what, e);
    } catch (ExecutionException e) {
      throw new AssertionError("failed waiting for " + what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }
}
