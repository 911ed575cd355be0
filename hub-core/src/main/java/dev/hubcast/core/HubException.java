package dev.hubcast.core;

/**
 * The root of the hub's unchecked exceptions. Each carries the WebSocket close code a client sees
 * when the exception ends its connection.
 *
 * <p>Immutable once thrown; safe to pass between threads.
 */
public class HubException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;

  /** An exception that closes the connection with {@code closeCode}. */
  public HubException(int closeCode, String message) {
    this(closeCode, message, null);
  }

  /** An exception that closes the connection with {@code closeCode}, with a cause. */
  public HubException(int closeCode, String message, Throwable cause) {
    super(message, cause);
    if (!CloseCodes.isSendable(closeCode)) {
      throw new IllegalArgumentException(
          "closeCode: " + closeCode + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
    }
    this.closeCode = closeCode;
  }

  /** The close code a client sees when this exception ends its connection. */
  public int closeCode() {
    return closeCode;
  }
}
