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

  /** Sends a binary message. */
  void sendBinary(byte[] data);

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

  /** Starts a clean close with {@code code} and {@code reason}. */
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
   * @param code the close code (1006 when the connection was lost without a close frame)
   * @param reason the close reason
   */
  record CloseStatus(int code, String reason) {}
}
