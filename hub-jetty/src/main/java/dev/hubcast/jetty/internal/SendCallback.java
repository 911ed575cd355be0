package dev.hubcast.jetty.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.WriteRounds;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * One send: queued on the connection's write rounds, then handed to Jetty as the frame's callback,
 * which reports the outcome to the hub exactly once, whatever Jetty does (a callback completed
 * twice, or failed after it succeeded, reaches the hub once). Created on the hub's thread, run on a
 * round, completed on whichever thread Jetty completes it; the outcome is claimed atomically.
 *
 * <p>Non-blocking, so Jetty may complete it on its selector thread.
 */
final class SendCallback extends WriteRounds.Op<JettyConnection> implements Callback {

  private static final VarHandle DONE;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(SendCallback.class, "done", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Message frame;
  private final SendCompletion completion;

  @SuppressWarnings("unused") // through DONE
  private volatile boolean done;

  SendCallback(JettyConnection connection, Message frame, SendCompletion completion) {
    super(connection);
    this.frame = frame;
    this.completion = completion;
  }

  Message frame() {
    return frame;
  }

  /** On the round: hands the frame to Jetty, batched; the connection is flushed after the round. */
  @Override
  protected boolean run() {
    return target().write(this);
  }

  @Override
  protected void reject(Throwable cause) {
    failed(cause);
  }

  @Override
  public void succeeded() {
    if (DONE.compareAndSet(this, false, true)) {
      completion.complete(frame, null);
    }
  }

  @Override
  public void failed(Throwable failure) {
    if (DONE.compareAndSet(this, false, true)) {
      completion.complete(frame, failure);
    }
  }

  @Override
  public Invocable.InvocationType getInvocationType() {
    return Invocable.InvocationType.NON_BLOCKING;
  }
}
