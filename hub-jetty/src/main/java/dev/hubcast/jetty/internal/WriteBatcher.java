package dev.hubcast.jetty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.spi.Acceptor;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the hub sends to a group of Jetty connections in rounds, so that one socket write
 * carries every frame a connection was sent since its last write.
 *
 * <p>Why: Jetty writes a frame to its socket as soon as {@code sendFrame} is called while nothing
 * else is being written on that connection, which on a healthy connection is always. A broadcast to
 * N connections from the hub's thread would then cost N socket writes, each a system call of a few
 * microseconds, inline in the broadcast, and the next broadcast N more: one write per frame
 * whatever the load. Here {@link JettyConnection#send} only queues the send; a round, run on
 * Jetty's executor, takes what is queued, hands each frame to its session in batch mode (Jetty
 * gathers small frames into the connection's output buffer; larger ones are written from the shared
 * payload, uncopied) and then flushes each connection it touched once. While a round writes, the
 * next broadcasts queue up, so under load the next round carries several frames per connection in
 * one write; when idle, a round carries one frame and costs what a direct write would, plus one
 * hand-over to another thread.
 *
 * <p>A connection belongs to one batcher for its whole life, so its sends and its close keep the
 * order in which they were submitted.
 *
 * <p>Threading: {@link #submit} is called from any thread; rounds run one at a time, on the
 * executor, and everything they touch ({@link JettyConnection#dirty}) is confined to them.
 */
final class WriteBatcher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);

  /** The most operations one round takes before it flushes what it has gathered. */
  static final int MAX_ROUND = 4096;

  /** One queued operation on a connection: a send, or a close after the sends before it. */
  abstract static class Op {
    final JettyConnection connection;

    Op(JettyConnection connection) {
      this.connection = connection;
    }

    /** Runs on the batcher's round; returns whether the connection needs a flush. */
    abstract boolean run();
  }

  private final Executor executor;
  private final Queue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable schedule = this::schedule;

  // Confined to the running round.
  private final ArrayList<JettyConnection> dirty = new ArrayList<>();

  private final Acceptor acceptor;

  WriteBatcher(Executor executor, Acceptor acceptor) {
    this.acceptor = acceptor;
    this.executor = requireNonNull(executor, "executor");
  }

  /**
   * Queues an operation; a round runs it soon, after every operation submitted before it. During a
   * hub fan-out the round is started when the fan-out is over ({@link Acceptor#afterFanOut}):
   * waking the round's thread at the first recipient would let it preempt the fan-out on a busy
   * core and write the recipients one by one.
   */
  void submit(Op op) {
    queue.offer(op);
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      acceptor.afterFanOut(schedule);
    }
  }

  private void schedule() {
    try {
      executor.execute(this);
    } catch (RejectedExecutionException e) {
      // Jetty is stopping: its sessions fail what is sent to them; run the round here.
      run();
    }
  }

  @Override
  public void run() {
    for (; ; ) {
      round();
      scheduled.set(false);
      // An operation queued after the last poll and before the flag dropped would be stranded.
      if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void round() {
    for (; ; ) {
      int taken = 0;
      Op op;
      while (taken < MAX_ROUND && (op = queue.poll()) != null) {
        taken++;
        JettyConnection connection = op.connection;
        boolean flush;
        try {
          flush = op.run();
        } catch (RuntimeException e) {
          log.warn("connection {}: write failed", connection.id(), e);
          continue;
        }
        if (flush && !connection.dirty) {
          connection.dirty = true;
          dirty.add(connection);
        }
      }
      for (int i = 0, n = dirty.size(); i < n; i++) {
        JettyConnection connection = dirty.get(i);
        connection.dirty = false;
        try {
          connection.flush();
        } catch (RuntimeException e) {
          log.warn("connection {}: flush failed", connection.id(), e);
        }
      }
      dirty.clear();
      if (taken < MAX_ROUND) {
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "WriteBatcher[queued=" + queue.size() + "]";
  }
}
