package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Message;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The client side of an {@link InMemoryTransport} connection: what a test sends and reads instead
 * of a socket. Thread-safe: any thread may send, and messages from one client reach the hub in the
 * order their sends returned.
 *
 * <p>Made by {@link InMemoryTransport#connect(dev.hubcast.core.Hub)} and its overloads.
 */
public final class InMemoryClient implements TestClient {
  private final int maxMessageBytes;
  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
  private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
  private volatile InMemoryConnection connection; // set once, before the client is handed out

  InMemoryClient(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The id of the server side of this connection. */
  public String connectionId() {
    return connection.id();
  }

  @Override
  public void sendText(String text) {
    requireNonNull(text, "text");
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > maxMessageBytes) {
      connection.refuseOversize(maxMessageBytes);
    } else {
      connection.receive(Message.text(text));
    }
  }

  /**
   * Sends a text message made of these bytes, UTF-8 or not: text that is not UTF-8 is refused with
   * 1007 before it reaches the hub, as a real transport refuses it.
   */
  @Override
  public void sendRawText(byte[] bytes) {
    if (bytes.length > maxMessageBytes) {
      connection.refuseOversize(maxMessageBytes);
    } else if (!isUtf8(bytes)) {
      connection.close(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8");
    } else {
      connection.receive(Message.textUtf8(bytes));
    }
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Override
  public void sendBinary(byte[] data) {
    if (data.length > maxMessageBytes) {
      connection.refuseOversize(maxMessageBytes);
    } else {
      connection.receive(Message.binary(data));
    }
  }

  @Override
  public String awaitText(Duration timeout) {
    return Waits.poll(texts, timeout, "a text message");
  }

  @Override
  public List<String> awaitTexts(int n, Duration timeout) {
    return Waits.pollAll(texts, n, timeout, "text messages");
  }

  @Override
  public byte[] awaitBinary(Duration timeout) {
    return Waits.poll(binaries, timeout, "a binary message");
  }

  @Override
  public CloseStatus awaitClose(Duration timeout) {
    return Waits.future(closed, timeout, "the connection to close");
  }

  @Override
  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public int pendingTexts() {
    return texts.size();
  }

  @Override
  public void pauseReading() {
    connection.pause();
  }

  @Override
  public void resumeReading() {
    connection.resume();
  }

  @Override
  public void close(int code, String reason) {
    connection.clientClosed(code, reason);
  }

  @Override
  public void abort() {
    connection.clientClosed(CloseCodes.ABNORMAL, "connection lost");
  }

  void connected(InMemoryConnection connection) {
    this.connection = connection;
  }

  void deliver(Message frame) {
    if (frame.isText()) {
      texts.add(frame.text());
    } else {
      binaries.add(frame.toByteArray());
    }
  }

  void closed(int code, String reason) {
    closed.complete(new CloseStatus(code, reason));
  }

  @Override
  public String toString() {
    return "InMemoryClient[" + connection.id() + "]";
  }
}
