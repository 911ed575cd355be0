package dev.hubcast.netty.internal;

/**
 * Why a send failed: the connection had closed, or was closing, before the frame reached the
 * socket. Shared and without a stack trace: it is an expected outcome, not a bug.
 *
 * <p>Immutable and thread-safe.
 */
final class ConnectionClosedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConnectionClosedException(String message) {
    super(message, null, false, false);
  }
}
