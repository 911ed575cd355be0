package dev.hubcast.netty.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's (more exactly: one handler executor's) outgoing work for all its WebSocket
 * sessions: sends and closes queued from any thread, run as one task on the loop, then one flush
 * per session that was written to.
 *
 * <p>So a broadcast to the sessions of one loop costs one task (one wake-up) on that loop, not one
 * per channel, and many frames to one session within one turn of the loop leave in one flush (one
 * {@code writev}), not one syscall each. Frames of one session keep their order: the queue is FIFO,
 * and every send of a session goes through it, from whatever thread.
 *
 * <p>Thread-safe: any thread submits; the loop runs. The queue is an intrusive multi-producer,
 * single-consumer linked queue (D. Vyukov's): a producer swaps the tail and links, without locks;
 * the ops are the nodes, so queueing allocates nothing.
 */
final class WriteBatcher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);

  /** Ops run per task before the loop gets to do I/O again. */
  private static final int BUDGET = 4096;

  private static final FastThreadLocal<WriteBatcher> PER_LOOP = new FastThreadLocal<>();

  private static final AtomicReferenceFieldUpdater<WriteBatcher, Op> TAIL =
      AtomicReferenceFieldUpdater.newUpdater(WriteBatcher.class, Op.class, "tail");
  private static final AtomicIntegerFieldUpdater<WriteBatcher> SCHEDULED =
      AtomicIntegerFieldUpdater.newUpdater(WriteBatcher.class, "scheduled");

  private final EventExecutor loop;
  private volatile Op tail;
  private Op head; // consumer side: the last op taken (or the stub)
  private volatile int scheduled;
  private final ArrayList<WebSocketSession> dirty = new ArrayList<>(); // loop-confined

  private WriteBatcher(EventExecutor loop) {
    this.loop = loop;
    Op stub = new Op(null);
    this.head = stub;
    this.tail = stub;
  }

  /**
   * The batcher of {@code loop}, the executor of the session's handler (normally the channel's
   * event loop); call on that executor's thread.
   */
  static WriteBatcher of(EventExecutor loop) {
    WriteBatcher b = PER_LOOP.get();
    if (b == null || b.loop != loop) {
      b = new WriteBatcher(loop);
      PER_LOOP.set(b);
    }
    return b;
  }

  /** Queues {@code op} to run on the loop; from any thread, never blocks. */
  void submit(Op op) {
    op.next = null;
    Op prev = TAIL.getAndSet(this, op);
    prev.next = op; // links the node; until then the consumer sees the queue as "not yet linked"
    if (scheduled == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
      schedule();
    }
  }

  private void schedule() {
    try {
      loop.execute(this);
    } catch (RejectedExecutionException e) {
      // The loop is gone: nothing will ever be written; fail whatever is queued, here.
      rejectAll(e);
    }
  }

  private void rejectAll(RejectedExecutionException cause) {
    while (true) {
      synchronized (this) {
        Op op;
        while ((op = poll()) != null) {
          op.reject(cause);
        }
      }
      scheduled = 0;
      if (isEmpty() || !SCHEDULED.compareAndSet(this, 0, 1)) {
        return;
      }
    }
  }

  /** Marks a session as written to; it is flushed once at the end of this task. Loop only. */
  void markDirty(WebSocketSession session) {
    if (!session.dirty) {
      session.dirty = true;
      dirty.add(session);
    }
  }

  @Override
  public void run() {
    synchronized (this) { // uncontended: one consumer, even against a rejected drain
      Op op;
      int budget = BUDGET;
      while (budget-- > 0 && (op = poll()) != null) {
        try {
          op.run();
        } catch (RuntimeException e) {
          log.warn("write on {} failed", op.session, e);
          op.reject(e);
        }
      }
      flushDirty();
      if (!isEmpty()) {
        schedule(); // more to do (or a producer is linking): run again after the loop's I/O
        return;
      }
      scheduled = 0;
      if (!isEmpty() && SCHEDULED.compareAndSet(this, 0, 1)) {
        schedule();
      }
    }
  }

  private void flushDirty() {
    int n = dirty.size();
    for (int i = 0; i < n; i++) {
      WebSocketSession s = dirty.get(i);
      s.dirty = false;
      s.flushNow();
    }
    dirty.clear();
  }

  private Op poll() {
    Op next = head.next;
    if (next == null) {
      return null;
    }
    head = next; // the taken op becomes the stub
    return next;
  }

  private boolean isEmpty() {
    return head == tail;
  }

  /**
   * A unit of work for one session, and the queue's node.
   *
   * <p>Created by any thread, run on the loop.
   */
  static class Op {
    volatile Op next;
    final WebSocketSession session;

    Op(WebSocketSession session) {
      this.session = session;
    }

    /** Runs on the loop. */
    void run() {}

    /** The loop is gone; called on the submitting thread. */
    void reject(Throwable cause) {}
  }
}
