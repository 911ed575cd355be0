package dev.hubcast.jetty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.WriteRounds;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The write rounds of a group of Jetty connections, run as tasks on Jetty's executor: one socket
 * write per connection carries every frame it was sent since its last round. Thread-safe, as {@link
 * WriteRounds}: any thread submits; rounds run one at a time on the executor.
 *
 * <p>Why: Jetty writes a frame to its socket as soon as {@code sendFrame} is called while nothing
 * else is being written on that connection, which on a healthy connection is always. A broadcast to
 * N connections from the hub's thread would then cost N socket writes, each a system call of a few
 * microseconds, inline in the broadcast, and the next broadcast N more: one write per frame
 * whatever the load. Here {@link JettyConnection#send} only queues the send; a round takes what is
 * queued, hands each frame to its session in batch mode (Jetty gathers small frames into the
 * connection's output buffer; larger ones are written from the shared payload, uncopied) and then
 * flushes each connection it touched once. While a round writes, the next broadcasts queue up, so
 * under load the next round carries several frames per connection in one write; when idle, a round
 * carries one frame and costs what a direct write would, plus one hand-over to another thread.
 *
 * <p>A round starts when the hub's fan-out is over ({@link Acceptor#afterFanOut}): waking the
 * round's thread at the first recipient would let it preempt the fan-out on a busy core and write
 * the recipients one by one. A round that ends with more queued goes on on the same thread (a new
 * task would only hand the work to another pool thread). An executor that refuses the task is
 * stopping: the round then runs on the caller, and Jetty's sessions fail what is sent to them.
 */
final class JettyWriteRounds extends WriteRounds {

  private final Executor executor;
  private final Acceptor acceptor;
  private final Runnable dispatch = this::dispatch; // one, so that scheduling allocates nothing

  JettyWriteRounds(Executor executor, Acceptor acceptor) {
    super(NextRound.CONTINUE);
    this.executor = requireNonNull(executor, "executor");
    this.acceptor = requireNonNull(acceptor, "acceptor");
  }

  @Override
  protected void schedule() {
    acceptor.afterFanOut(dispatch);
  }

  private void dispatch() {
    try {
      executor.execute(this);
    } catch (RejectedExecutionException e) {
      run();
    }
  }
}
