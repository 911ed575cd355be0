package dev.hubcast.netty.internal;

/**
 * A client broke the WebSocket protocol or a limit; the connection was already failed with {@link
 * #closeCode()}. Reported to the hub's {@code Inbound#onError}, which logs it once.
 *
 * <p>Immutable and thread-safe.
 */
final class ProtocolViolationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;

  ProtocolViolationException(int closeCode, String message) {
    super(message + " (closed with " + closeCode + ")", null, false, false);
    this.closeCode = closeCode;
  }

  int closeCode() {
    return closeCode;
  }
}
