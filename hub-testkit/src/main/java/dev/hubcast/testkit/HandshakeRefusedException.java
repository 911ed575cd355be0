package dev.hubcast.testkit;

/**
 * The server answered a WebSocket upgrade with an HTTP status instead of switching protocols.
 * Immutable once thrown.
 *
 * <p>Unchecked, so that a test connects without a {@code throws} clause and asserts a refusal with
 * {@code assertThatThrownBy}.
 */
public class HandshakeRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** A refusal with {@code status}. */
  public HandshakeRefusedException(int status, String message) {
    super("handshake refused with HTTP " + status + (message == null ? "" : ": " + message));
    this.status = status;
  }

  /** The HTTP status of the refusal (401, 403, 429, 503, ...). */
  public int status() {
    return status;
  }
}
