package dev.hubcast.core.spi;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import java.net.InetSocketAddress;

/**
 * One client connection as a transport presents it to the hub. Implemented by transport adapters,
 * called by the hub.
 *
 * <p>Thread-safe: the hub calls {@link #send} and {@link #close} from any thread, including from
 * inside {@link Acceptor#open} before it has returned (the application's open handler may send to
 * the connection or disconnect it there), but never calls {@code send} for one connection from two
 * threads at once, and hands it frames in order. See the package documentation for the numbered
 * rules.
 */
public interface Connection {

  /**
   * The id the hub gave this connection in its {@link Admission}. Predictable (a node id and a
   * counter): it names the connection, and must never serve as a credential; a transport that needs
   * a secret per connection mints its own.
   */
  String id();

  /** The handshake the hub admitted, with its identity ({@link Admission#handshake()}). */
  Handshake handshake();

  /** The client's address. */
  default InetSocketAddress remoteAddress() {
    return handshake().remoteAddress();
  }

  /**
   * Sends one frame, without blocking and without throwing. Calls {@code completion} exactly once,
   * on any thread, possibly before {@code send} returns: when the frame has been handed to the
   * socket (or to a bounded buffer in front of it, such as a channel below its high-water mark), or
   * with the reason it never will be (the connection closed, the write failed). Frames reach the
   * socket in the order of the calls. A connection whose peer stops reading must stop completing,
   * so that the hub's outbox sees the backlog. When the connection ends, every send not yet
   * completed is failed, promptly; a send after the end is failed at once.
   */
  void send(Message frame, SendCompletion completion);

  /**
   * Starts a close handshake with {@code code} and {@code reason}, after the frames already sent;
   * never blocks, never throws. Idempotent: later calls do nothing. The adapter still reports the
   * end of the connection to {@link Inbound#onClose} once (when this is called inside {@link
   * Acceptor#open}, as soon as {@code open} has returned), and fails the completions of sends that
   * will not be written. A peer that does not answer the close is dropped after the close timeout
   * ({@link TransportSettings#closeTimeout}). On a transport without close codes on the wire the
   * code and reason reach the client in the transport's own form, or not at all.
   *
   * @param code a close code {@link dev.hubcast.core.CloseCodes#isSendable sendable} on the wire
   * @param reason at most 123 UTF-8 bytes; longer reasons may be cut
   */
  void close(int code, String reason);

  /** Whether the connection is open: neither closing nor closed. Advisory only. */
  boolean isOpen();
}
