package dev.hubcast.core.spi;

import dev.hubcast.core.Message;

/**
 * Told once when a {@link Connection#send} finishes: the frame was handed to the socket, or it
 * never will be.
 *
 * <p>Adapters may call it on any thread (typically their I/O thread) and may call it from inside
 * {@code send} itself. It never throws and never blocks. The hub passes one completion object per
 * connection for all its sends, which is why the frame comes back with the outcome.
 */
@FunctionalInterface
public interface SendCompletion {

  /**
   * One send has finished.
   *
   * @param frame the frame that was sent (the same instance passed to {@code send})
   * @param failure {@code null} on success; otherwise why the frame will never be sent
   */
  void complete(Message frame, Throwable failure);
}
