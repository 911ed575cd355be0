package dev.hubcast.core.spi;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport's writes, run in rounds: operations on connections (sends, closes) are queued from
 * any thread, then run in order by one consumer at a time, and every connection a round wrote to is
 * flushed once at the end of that round.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread, never blocks and allocates nothing
 * (the operations are the queue's nodes). Rounds run one at a time, in {@link #run}, where {@link
 * #schedule} arranges; {@link Op#run} and {@link Target#flush} are called only from a round, so
 * what they touch is confined to the rounds, whichever thread runs them.
 *
 * <p>Why rounds: a broadcast calls {@link Connection#send} once per recipient. Writing each frame
 * to its socket there and then costs one system call per frame, inline in the broadcast. Queued
 * instead, a broadcast to the connections of one writer costs one hand-over (one task, one
 * wake-up), and each connection gets one flush (one socket write) for every frame a round gave it.
 * Under load, the broadcasts that arrive while a round writes are carried by the next one, several
 * frames per connection in one write.
 *
 * <p>Order: the queue is FIFO. A {@link Target} belongs to one {@code WriteRounds} for its whole
 * life and every operation on it goes through it, so its operations run in the order they were
 * submitted, from whatever threads. A round runs at most a budget of operations ({@link
 * #DEFAULT_BUDGET}) before it flushes, so a long queue still reaches the sockets in steps.
 *
 * <p>The queue is D. Vyukov's intrusive multi-producer, single-consumer linked queue: a producer
 * swaps the tail and links the previous node to its own, without locks; the consumer follows the
 * links. When a round is already scheduled, a submit costs that swap, the link and one volatile
 * read.
 *
 * <p>A transport supplies {@link #schedule()}, and chooses with {@link NextRound} what happens when
 * a round ends with more queued. Two ways, one per kind of thread model:
 *
 * <p><b>An event loop</b> (Netty): one {@code WriteRounds} per loop, shared by the loop's
 * connections; a round is a task on the loop, and the loop does its I/O between rounds. A loop that
 * is gone will run nothing, so what is queued fails:
 *
 * <pre>{@code
 * final class LoopRounds extends WriteRounds {
 *   private final EventExecutor loop;
 *
 *   LoopRounds(EventExecutor loop) {
 *     super(NextRound.RESCHEDULE);
 *     this.loop = loop;
 *   }
 *
 *   protected void schedule() {
 *     try {
 *       loop.execute(this);
 *     } catch (RejectedExecutionException e) {
 *       rejectQueued(e); // each queued op's reject(e), on this thread
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>A thread pool</b> (Jetty): a few {@code WriteRounds} (one per core, connections assigned in
 * turn), each run as a task on the pool, started once the hub's fan-out is over ({@link
 * Acceptor#afterFanOut}: a writer woken at the first recipient would preempt the fan-out on a busy
 * core and write the recipients one by one). A round that ends with more queued goes on at once on
 * the same thread; a pool that refuses the task is stopping, so the round runs on the caller:
 *
 * <pre>{@code
 * final class PoolRounds extends WriteRounds {
 *   private final Executor pool;
 *   private final Acceptor acceptor;
 *   private final Runnable dispatch = this::dispatch; // made once: no allocation per schedule
 *
 *   PoolRounds(Executor pool, Acceptor acceptor) {
 *     super(NextRound.CONTINUE);
 *     this.pool = pool;
 *     this.acceptor = acceptor;
 *   }
 *
 *   protected void schedule() {
 *     acceptor.afterFanOut(dispatch);
 *   }
 *
 *   private void dispatch() {
 *     try {
 *       pool.execute(this);
 *     } catch (RejectedExecutionException e) {
 *       run();
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>A connection extends {@link Target} (or, when it already extends another class, holds one),
 * and its operations extend {@link Op}:
 *
 * <pre>{@code
 * final class MyConnection extends WriteRounds.Target implements Connection {
 *   public void send(Message message, SendCompletion completion) {
 *     rounds.submit(new SendOp(this, message, completion));
 *   }
 *
 *   protected void flush() {
 *     socket.flush();
 *   }
 * }
 *
 * final class SendOp extends WriteRounds.Op<MyConnection> {
 *   protected boolean run() {
 *     target().write(message, completion); // buffered, not flushed
 *     return true; // flush this connection at the end of the round
 *   }
 *
 *   protected void reject(Throwable cause) {
 *     completion.complete(message, cause);
 *   }
 * }
 * }</pre>
 */
public abstract class WriteRounds implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(WriteRounds.class);

  /** The operations one round runs, at most, before it flushes: 4096. */
  public static final int DEFAULT_BUDGET = 4096;

  private static final VarHandle TAIL;
  private static final VarHandle SCHEDULED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(WriteRounds.class, "tail", Op.class);
      SCHEDULED = lookup.findVarHandle(WriteRounds.class, "scheduled", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * What a round does when it ends with more queued (its budget spent, or new submits). Constants;
   * thread-safe.
   */
  public enum NextRound {
    /**
     * Runs the next round at once, on the same thread. For a thread pool, where a new task would
     * only hand the work to another thread.
     */
    CONTINUE,
    /**
     * Calls {@link #schedule()} and returns. For an event loop, which does its I/O before the next
     * round.
     */
    RESCHEDULE
  }

  private final int budget;
  private final NextRound nextRound;

  private volatile Op<?> tail; // producers swap it (TAIL)

  // 1 from the submit that schedules a round until a round finds the queue empty (SCHEDULED).
  private volatile int scheduled;

  // The consumer's side, confined to the rounds.
  private Op<?> head; // the last operation taken, or the stub: the queue starts at head.next
  private final ArrayList<Target> dirty = new ArrayList<>();

  /** Rounds of {@link #DEFAULT_BUDGET} operations. */
  protected WriteRounds(NextRound nextRound) {
    this(DEFAULT_BUDGET, nextRound);
  }

  /**
   * Rounds of at most {@code budget} operations.
   *
   * @throws IllegalArgumentException if {@code budget} is not positive
   */
  protected WriteRounds(int budget, NextRound nextRound) {
    if (budget <= 0) {
      throw new IllegalArgumentException("budget: " + budget + " (expected: > 0)");
    }
    this.budget = budget;
    this.nextRound = requireNonNull(nextRound, "nextRound");
    Op<?> stub = new Stub();
    this.head = stub;
    this.tail = stub;
  }

  /**
   * Queues {@code op}; a round runs it soon, after every operation submitted before it. Schedules a
   * round ({@link #schedule()}) if none is scheduled or running. From any thread; never blocks.
   *
   * @param op an operation not submitted before (each operation is submitted once)
   */
  public final void submit(Op<?> op) {
    requireNonNull(op, "op");
    Op<?> previous = (Op<?>) TAIL.getAndSet(this, op);
    Op.NEXT.setRelease(previous, op); // until linked, the consumer sees the queue end before it
    if (scheduled == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
      scheduleOrReject();
    }
  }

  /**
   * {@link #schedule()}, as the holder of the scheduled flag; if it throws, nothing would ever run
   * what is queued, so it fails instead ({@link #rejectQueued}) and the flag is given back.
   */
  private void scheduleOrReject() {
    try {
      schedule();
    } catch (RuntimeException e) {
      log.warn("{}: scheduling a round failed; failing what is queued", this, e);
      rejectQueued(e);
    }
  }

  /**
   * Arranges for {@link #run()} to be called once, soon, by the consumer; never blocks. Called by a
   * {@link #submit} that finds no round scheduled or running, and, with {@link
   * NextRound#RESCHEDULE}, at the end of a round that leaves more queued; never by two threads at
   * once. If the consumer is gone, either call {@link #run()} here (the operations then run on this
   * thread) or {@link #rejectQueued} (they fail).
   */
  protected abstract void schedule();

  /**
   * Runs rounds until the queue is empty (with {@link NextRound#CONTINUE}), or one round and then
   * {@link #schedule()} again if more is queued (with {@link NextRound#RESCHEDULE}). Called only as
   * {@link #schedule()} arranged, once per call; not by the transport otherwise.
   */
  @Override
  public final void run() {
    for (; ; ) {
      int taken = round();
      Op<?> last = head;
      if (last != tail) { // more queued, or a producer is still linking its operation
        if (nextRound == NextRound.RESCHEDULE) {
          scheduleOrReject();
          return;
        }
        if (taken == 0) {
          // The producer is between its swap and its link; it may have been preempted, so let it
          // run rather than spin (on a busy core it may need this very one).
          Thread.yield();
        }
        continue;
      }
      scheduled = 0;
      // An operation queued after the last poll and before the release would be stranded.
      if (last == tail || !SCHEDULED.compareAndSet(this, 0, 1)) {
        return;
      }
      if (nextRound == NextRound.RESCHEDULE) {
        scheduleOrReject();
        return;
      }
    }
  }

  /** One round: up to the budget of operations, then one flush per target they asked to flush. */
  private int round() {
    int taken = 0;
    Op<?> op;
    while (taken < budget && (op = poll()) != null) {
      taken++;
      boolean flush;
      try {
        flush = op.run();
      } catch (Throwable e) { // even an Error (a direct buffer refused): the queue must go on
        log.warn("write on {} failed", op.target, e);
        reject(op, e);
        continue;
      }
      Target target = op.target;
      if (flush && !target.dirty) {
        target.dirty = true;
        dirty.add(target);
      }
    }
    for (int i = 0, n = dirty.size(); i < n; i++) {
      Target target = dirty.get(i);
      target.dirty = false;
      try {
        target.flush();
      } catch (Throwable e) {
        log.warn("flush of {} failed", target, e);
      }
    }
    dirty.clear();
    return taken;
  }

  /**
   * Fails every queued operation ({@link Op#reject}) with {@code cause}, on this thread, and every
   * one queued until the queue is found empty. Call it only from {@link #schedule()}, when the
   * consumer is gone; later submits schedule again, and so are failed in turn.
   */
  protected final void rejectQueued(Throwable cause) {
    requireNonNull(cause, "cause");
    for (; ; ) {
      Op<?> op;
      int taken = 0;
      while ((op = poll()) != null) {
        taken++;
        reject(op, cause);
      }
      Op<?> last = head;
      if (last != tail) {
        if (taken == 0) {
          Thread.yield();
        }
        continue;
      }
      scheduled = 0;
      if (last == tail || !SCHEDULED.compareAndSet(this, 0, 1)) {
        return;
      }
    }
  }

  private static void reject(Op<?> op, Throwable cause) {
    try {
      op.reject(cause);
    } catch (Throwable e) {
      log.warn("rejecting a write on {} failed", op.target, e);
    }
  }

  private Op<?> poll() {
    Op<?> previous = head;
    Op<?> next = (Op<?>) Op.NEXT.getAcquire(previous);
    if (next == null) {
      return null;
    }
    // Unlinked, so an operation still referenced elsewhere (a write's listener) keeps no chain of
    // later ones alive; no producer writes this link again once it is set.
    Op.NEXT.set(previous, null);
    head = next; // the operation taken becomes the stub
    return next;
  }

  @Override
  public String toString() {
    return "WriteRounds[" + (scheduled == 0 ? "idle" : "scheduled") + "]";
  }

  /**
   * What a round writes to and flushes: a connection, or an object a connection holds when it
   * already extends another class. Confined to the rounds: {@link #flush} is called by them only,
   * one at a time.
   *
   * <p>A target belongs to one {@link WriteRounds} for its whole life, which owns its "written this
   * round" mark.
   */
  public abstract static class Target {
    private boolean dirty; // confined to the rounds: written since the round began

    /** A target, not yet written to. */
    protected Target() {}

    /**
     * Writes out what this round's operations gave the target (one socket write); called once per
     * round that wrote to it, after its operations. An exception is logged and the round goes on.
     */
    protected abstract void flush();
  }

  /**
   * One queued operation on a target (a send, a close), and the queue's node. Created and submitted
   * by any thread, once; run by a round, or rejected on the thread that finds the consumer gone.
   *
   * @param <T> the type of its target
   */
  public abstract static class Op<T extends Target> {
    private static final VarHandle NEXT;

    static {
      try {
        NEXT = MethodHandles.lookup().findVarHandle(Op.class, "next", Op.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") // through NEXT: set by the producer of the next one, with release
    private Op<?> next;

    private final T target;

    /** An operation on {@code target}. */
    protected Op(T target) {
      this.target = requireNonNull(target, "target");
    }

    private Op() { // the stub
      this.target = null;
    }

    /** The target this operation writes to. */
    public final T target() {
      return target;
    }

    /**
     * Runs the operation, on a round, after every operation submitted before it; does not flush. An
     * exception is logged and passed to {@link #reject}.
     *
     * @return whether the target needs a flush at the end of this round
     */
    protected abstract boolean run();

    /**
     * The operation will never run, because of {@code cause}: the consumer is gone ({@link
     * WriteRounds#rejectQueued}), or {@link #run} threw it. Called once at most, on the thread that
     * finds it out. Does nothing unless overridden.
     */
    protected void reject(Throwable cause) {}
  }

  private static final class Stub extends Op<Target> {
    @Override
    protected boolean run() {
      return false;
    }
  }
}
