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

  /**
   * One complete client message (all its fragments joined), text or binary, in the order the client
   * sent them. Never longer than {@link TransportSettings#maxMessageBytes} (the adapter refuses
   * such a message before reading it in full, and closes with 1009), and text is valid UTF-8 (the
   * adapter closes with 1007 otherwise).
   */
  void onMessage(Message frame);

  /**
   * The connection has ended: a close frame was received or sent and answered, or the connection
   * was lost (code 1006, also for a client of a transport that cannot carry a close code). Reported
   * exactly once, also for a connection closed while {@link Acceptor#open} ran (report it once
   * {@code open} has returned this sink); nothing is reported after it. Every send still pending is
   * failed around this report.
   */
  void onClose(int code, String reason);

  /**
   * The transport met an error on this connection (a failed read, a protocol violation it already
   * answered). The hub logs it and closes the connection (1011) if it is still open; the adapter
   * still reports {@link #onClose} once. Never after {@link #onClose}.
   */
  void onError(Throwable cause);
}
