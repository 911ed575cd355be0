package dev.hubcast.core.spi;

import dev.hubcast.core.Message;

/**
 * Where an adapter reports what happens on one connection: its messages, its close and its errors.
 * Returned by {@link Acceptor#open}.
 *
 * <p>Called by one thread at a time per connection (the adapter's I/O thread for it), in the order
 * things happened. Methods never throw: whatever the application's handlers do is contained by the
 * hub. Application handlers run on the calling thread unless the hub's config names an executor.
 */
public interface Inbound {

  /** One complete client message (all its fragments joined), text or binary. */
  void onMessage(Message frame);

  /**
   * The connection has ended: a close frame was received or sent and answered, or the socket was
   * lost (code 1006). Reported exactly once; nothing is reported after it.
   */
  void onClose(int code, String reason);

  /**
   * The transport met an error on this connection (a failed read, a protocol violation it already
   * answered). The hub logs it and closes the connection (1011) if it is still open; the adapter
   * still reports {@link #onClose} once.
   */
  void onError(Throwable cause);
}
