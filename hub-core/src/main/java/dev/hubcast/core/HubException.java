package dev.hubcast.core;

/**
 * The root of the hub's own failures, each carrying the WebSocket close code that answers it: a
 * message that could not be decoded ({@link MessageDecodingException}) or a room past the node's
 * cap ({@link RoomLimitException}). When one escapes an application handler, the hub closes that
 * connection with its {@link #closeCode()} and message as the reason; any other exception from a
 * handler closes it with 1011. Misuse is reported as the JDK does: {@link NullPointerException} or
 * {@link IllegalArgumentException} naming the bad value, and {@link IllegalStateException} for a
 * hub that is shut down.
 *
 * <p>Immutable once thrown; safe to pass between threads. Its message may be sent to the client as
 * a close reason, so it must not hold a payload or a secret.
 */
public abstract class HubException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;

  /**
   * @throws IllegalArgumentException if {@code closeCode} cannot be sent on the wire
   */
  protected HubException(int closeCode, String message, Throwable cause) {
    super(message, cause);
    this.closeCode = CloseCodes.requireSendable(closeCode, "closeCode");
  }

  /** The close code that answers this failure on the wire. */
  public int closeCode() {
    return closeCode;
  }
}
