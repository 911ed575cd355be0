package dev.hubcast.core.internal;

import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells transport adapters when the hub is in the middle of handing one broadcast to many
 * connections, so that they can start their writes once per broadcast rather than once per
 * recipient.
 *
 * <p>The hub calls {@link Connection#send} for every recipient in a loop. An adapter that writes on
 * another thread (a write queue served by a worker) would wake that worker on the first send; on a
 * busy or single core the worker then preempts the loop, writes one frame, sleeps, and is woken
 * again by the next send: a context switch per recipient and no frames gathered. With {@link
 * #afterwards}, the adapter queues during the loop and wakes its worker once the loop is over.
 *
 * <pre>{@code
 * void send(Message frame, SendCompletion completion) {
 *   queue.offer(...);
 *   if (scheduled.compareAndSet(false, true)) {
 *     FanOut.afterwards(wakeWorker); // now, if no fan-out is in progress on this thread
 *   }
 * }
 * }</pre>
 *
 * <p>Threading: all of it concerns the calling thread only (the state is thread-local). The hub
 * brackets each fan-out with {@link #begin()} and {@link #end()} on the thread that runs it;
 * fan-outs may nest, and the actions run when the outermost ends.
 */
final class FanOut {

  private static final Logger log = LoggerFactory.getLogger(FanOut.class);

  private static final ThreadLocal<FanOut> CURRENT = ThreadLocal.withInitial(FanOut::new);

  private int depth;
  private int begun; // fan-outs begun on this thread, to pick the ones to time
  private final ArrayList<Runnable> actions = new ArrayList<>();

  private FanOut() {}

  /**
   * Runs {@code action} when the fan-out in progress on this thread ends, or at once if there is
   * none. Actions run in the order they were given, each once; one that throws is logged and the
   * others still run.
   */
  static void afterwards(Runnable action) {
    FanOut f = CURRENT.get();
    if (f.depth == 0) {
      action.run();
    } else {
      f.actions.add(action);
    }
  }

  /** Whether a fan-out is in progress on this thread. */
  static boolean inProgress() {
    return CURRENT.get().depth > 0;
  }

  /**
   * As {@link #begin()}, and picks one fan-out in {@code mask + 1} of this thread's to time: its
   * start in {@link System#nanoTime()}, or 0 for one not timed. Per thread, so that the broadcast
   * path shares no counter between threads.
   */
  static long beginSampled(int mask) {
    FanOut f = CURRENT.get();
    f.depth++;
    return (++f.begun & mask) == 0 ? System.nanoTime() : 0;
  }

  /**
   * For the hub: a fan-out begins on this thread. Each call must be matched by one {@link #end()}
   * in a {@code finally} block.
   */
  static void begin() {
    CURRENT.get().depth++;
  }

  /** For the hub: the fan-out begun last on this thread ends; at the outermost, actions run. */
  static void end() {
    FanOut f = CURRENT.get();
    if (f.depth == 0) {
      throw new IllegalStateException("FanOut.end() without begin()");
    }
    if (f.depth > 1) {
      f.depth--;
      return;
    }
    // Still "in progress" while the actions run: one that sends again queues behind them.
    try {
      for (int i = 0; i < f.actions.size(); i++) {
        try {
          f.actions.get(i).run();
        } catch (RuntimeException e) {
          log.warn("an action after a fan-out failed", e);
        }
      }
    } finally {
      // Even after an Error: a thread left "in progress" would defer every later action forever.
      f.actions.clear();
      f.depth = 0;
    }
  }
}
