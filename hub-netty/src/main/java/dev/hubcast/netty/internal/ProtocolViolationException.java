package dev.hubcast.netty.internal;

/**
 * A client broke the WebSocket protocol or a limit; the connection is failed with {@link
 * #closeCode()} and {@link #reason()}. Reported to the hub's {@code Inbound#onError}, which logs it
 * once.
 *
 * <p>Immutable and thread-safe.
 */
final class ProtocolViolationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;
  private final String reason;

  ProtocolViolationException(int closeCode, String reason) {
    super(reason + " (closed with " + closeCode + ")", null, false, false);
    this.closeCode = closeCode;
    this.reason = reason;
  }

  /** The close code the connection is failed with. */
  int closeCode() {
    return closeCode;
  }

  /** The close reason, short and free of client data. */
  String reason() {
    return reason;
  }
}
