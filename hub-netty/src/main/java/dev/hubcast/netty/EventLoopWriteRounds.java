package dev.hubcast.netty;

import dev.hubcast.core.spi.WriteRounds;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.RejectedExecutionException;

/**
 * One event loop's (more exactly: one handler executor's) outgoing work for all its connections,
 * WebSocket sessions and {@code hub-sse}'s event streams alike, on the core's {@link WriteRounds}:
 * sends and closes queued from any thread, run as one task on the loop, then one flush per session
 * that was written to.
 *
 * <p>So a broadcast to the sessions of one loop costs one task (one wake-up) on that loop, not one
 * per channel, and many frames to one session within one turn of the loop leave in one flush (one
 * {@code writev}), not one syscall each. Frames of one session keep their order: the queue is FIFO,
 * and every send of a session goes through it, from whatever thread. A round that used up its
 * budget ({@link #ROUND_BUDGET} operations) runs again as a new task ({@link
 * WriteRounds.NextRound#RESCHEDULE}), after the loop's I/O.
 *
 * <p>Thread-safe: any thread submits; the loop runs the rounds. If the loop refuses the task (it is
 * shutting down), every queued operation is rejected on the submitting thread.
 */
public final class EventLoopWriteRounds extends WriteRounds {

  /**
   * The operations one round runs at most: 65,536. A round ends with one flush per connection it
   * wrote to, and a WebSocket session joins the small frames of a round into one write; so a
   * connection gets at most the budget over the loop's connections frames per write. With the
   * core's 4,096, a loop of 1,000 connections wrote every 4 frames however many were queued, and at
   * saturation the writes, not the frames, took the core. The budget does not bound how long the
   * loop writes before it reads: Netty runs the next round, a task queued behind this one, in the
   * same pass over its tasks. A corked frame costs a fraction of a microsecond.
   */
  public static final int ROUND_BUDGET = 65_536;

  private static final FastThreadLocal<EventLoopWriteRounds> PER_LOOP = new FastThreadLocal<>();

  private final EventExecutor loop;

  private EventLoopWriteRounds(EventExecutor loop) {
    super(ROUND_BUDGET, NextRound.RESCHEDULE);
    this.loop = loop;
  }

  /**
   * The rounds of {@code loop}, the executor of the connection's handler (normally the channel's
   * event loop); call on that executor's thread. Every transport on the loop shares them, so one
   * broadcast wakes the loop once.
   */
  public static EventLoopWriteRounds of(EventExecutor loop) {
    EventLoopWriteRounds b = PER_LOOP.get();
    if (b == null || b.loop != loop) {
      b = new EventLoopWriteRounds(loop);
      PER_LOOP.set(b);
    }
    return b;
  }

  @Override
  protected void schedule() {
    try {
      loop.execute(this);
    } catch (RejectedExecutionException e) {
      // The loop is gone: nothing will ever be written; fail whatever is queued, here.
      rejectQueued(e);
    }
  }

  @Override
  public String toString() {
    return "EventLoopWriteRounds[" + loop + "]";
  }
}
