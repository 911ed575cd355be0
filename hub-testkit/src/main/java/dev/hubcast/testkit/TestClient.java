package dev.hubcast.testkit;

import java.time.Duration;
import java.util.List;

/**
 * A test client connected to a hub: it sends text and binary messages and records, in order, every
 * message and the close it receives. Thread-safe.
 *
 * <p>Waits take a deadline and fail with an {@link AssertionError} that says what was missing, so
 * tests never sleep.
 */
public interface TestClient extends AutoCloseable {

  /** Sends a text message; messages from one client are sent in order. */
  void sendText(String text);

  /**
   * Sends a binary message.
   *
   * @throws UnsupportedOperationException if the transport's clients cannot ({@link
   *     TestServer#clientsSendBinary()} is false)
   */
  void sendBinary(byte[] data);

  /**
   * Sends a text message made of these bytes, UTF-8 or not, so that a test can check that the
   * transport refuses text that is not UTF-8 (1007).
   *
   * @throws UnsupportedOperationException if the transport's clients cannot ({@link
   *     TestServer#clientsSendRawText()} is false); the default
   */
  default void sendRawText(byte[] bytes) {
    throw new UnsupportedOperationException(
        "sendRawText: " + this + " cannot send text that is not UTF-8");
  }

  /** Waits for the next text message. */
  String awaitText(Duration timeout);

  /** Waits for the next {@code n} text messages, in order. */
  List<String> awaitTexts(int n, Duration timeout);

  /** Waits for the next binary message. */
  byte[] awaitBinary(Duration timeout);

  /** Waits until the connection has closed, and returns the close the client received. */
  CloseStatus awaitClose(Duration timeout);

  /** Whether a close was received or the connection was lost. */
  boolean isClosed();

  /** Text messages received and not yet taken by an {@code await}. */
  int pendingTexts();

  /**
   * Stops reading from the connection, to play a slow consumer: the server's writes back up into
   * the socket and then into its outbox.
   */
  void pauseReading();

  /** Reads again after {@link #pauseReading()}. */
  void resumeReading();

  /**
   * Starts a clean close with {@code code} and {@code reason}. On a transport whose clients cannot
   * send a close code ({@link TestServer#clientsSendCloseCodes()} is false) it ends the connection
   * as the client can, and the server reports 1006.
   */
  void close(int code, String reason);

  /** Drops the connection without a close frame (an abrupt disconnect). */
  void abort();

  /** A normal close (1000), if still open. */
  @Override
  default void close() {
    if (!isClosed()) {
      close(1000, "bye");
    }
  }

  /**
   * A close as the client saw it. Immutable.
   *
   * @param code the close code (1006 when the connection was lost without a close frame, or on a
   *     transport whose clients do not see the server's codes)
   * @param reason the close reason
   */
  record CloseStatus(int code, String reason) {}
}
