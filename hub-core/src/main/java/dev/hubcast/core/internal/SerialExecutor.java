package dev.hubcast.core.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks on a shared executor one at a time and in submission order: one per connection keeps
 * its handler calls ordered when handlers run off the I/O thread. Thread-safe.
 */
final class SerialExecutor implements Executor {
  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    schedule();
  }

  private void schedule() {
    if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
      delegate.execute(this::runAll);
    }
  }

  private void runAll() {
    try {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run(); // tasks guard their own exceptions
      }
    } finally {
      scheduled.set(false);
      schedule(); // a task added after the last poll but before the reset
    }
  }
}
