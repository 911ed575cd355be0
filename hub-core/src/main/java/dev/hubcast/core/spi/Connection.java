package dev.hubcast.core.spi;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import java.net.InetSocketAddress;

/**
 * One client connection as a transport presents it to the hub. Implemented by transport adapters,
 * called by the hub.
 *
 * <p>Thread-safe: the hub calls {@link #send} and {@link #close} from any thread, but never calls
 * {@code send} for one connection from two threads at once, and hands it frames in order. See the
 * package documentation for the full contract.
 */
public interface Connection {

  /** The id the hub gave this connection in its {@link Admission}. */
  String id();

  /** The handshake the hub admitted, with its identity ({@link Admission#handshake()}). */
  Handshake handshake();

  /** The client's address. */
  default InetSocketAddress remoteAddress() {
    return handshake().remoteAddress();
  }

  /**
   * Sends one frame, without blocking. Calls {@code completion} exactly once: when the frame has
   * been handed to the socket (or to a bounded buffer in front of it, such as a channel below its
   * high-water mark), or with the reason it never will be (the connection closed, the write
   * failed). Frames reach the socket in the order of the calls. A connection whose peer stops
   * reading must stop completing, so that the hub's outbox sees the backlog.
   */
  void send(Message frame, SendCompletion completion);

  /**
   * Starts a close handshake with {@code code} and {@code reason}, after the frames already sent;
   * never blocks. Idempotent: later calls do nothing. The adapter still reports the end of the
   * connection to {@link Inbound#onClose} once, and fails the completions of sends that will not be
   * written. A peer that does not answer the close is dropped after a bounded time.
   *
   * @param code a close code {@link dev.hubcast.core.CloseCodes#isSendable sendable} on the wire
   * @param reason at most 123 UTF-8 bytes; longer reasons may be cut
   */
  void close(int code, String reason);

  /** Whether the connection is open: neither closing nor closed. Advisory only. */
  boolean isOpen();
}
