package dev.hubcast.sse.internal;

import dev.hubcast.core.spi.WriteRounds;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.RejectedExecutionException;

/**
 * One event loop's writes for all its event streams, on the core's {@link WriteRounds}: sends and
 * closes queued from any thread run as one task on the loop, then one flush per stream written to.
 * A broadcast to the streams of one loop costs one wake-up, and the frames one stream got in one
 * turn leave in one write.
 *
 * <p>Thread-safe: any thread submits; the loop runs the rounds. If the loop refuses the task (it is
 * shutting down), every queued operation is rejected on the submitting thread.
 */
final class StreamRounds extends WriteRounds {

  private static final FastThreadLocal<StreamRounds> PER_LOOP = new FastThreadLocal<>();

  private final EventExecutor loop;

  private StreamRounds(EventExecutor loop) {
    super(NextRound.RESCHEDULE);
    this.loop = loop;
  }

  /** The rounds of {@code loop}; call on that loop's thread. */
  static StreamRounds of(EventExecutor loop) {
    StreamRounds r = PER_LOOP.get();
    if (r == null || r.loop != loop) {
      r = new StreamRounds(loop);
      PER_LOOP.set(r);
    }
    return r;
  }

  @Override
  protected void schedule() {
    try {
      loop.execute(this);
    } catch (RejectedExecutionException e) {
      rejectQueued(e);
    }
  }

  @Override
  public String toString() {
    return "StreamRounds[" + loop + "]";
  }
}
