package dev.hubcast.jetty.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Utf8Validator;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;

/**
 * Assembles one connection's inbound data frames into hub {@link Message}s. Not thread-safe:
 * confined to the connection's reading thread (Jetty reports a connection's frames one at a time).
 *
 * <p>Each frame is checked before it is kept: a message that would grow past {@code
 * maxMessageBytes} fails at the frame that crosses the limit, before that frame is copied (1009),
 * and text is checked as UTF-8 as its bytes arrive, across fragments, without decoding it (1007).
 *
 * <p>Why not Jetty's {@code ByteBufferMessageSink}, which checks the size first as well: the hub
 * wants text as UTF-8 bytes, checked, and Jetty's public API checks UTF-8 only by decoding it to
 * characters ({@code Utf8StringBuilder}), the cost {@link Utf8Validator} avoids; and the sink hands
 * back a pooled buffer that the hub would copy anyway. A message of one frame is copied once,
 * straight out of Jetty's buffer; a fragmented one is gathered into a buffer kept for the next
 * message unless it grew large.
 */
final class MessageAssembler {

  /** An assembled message buffer larger than this is not kept for the next message. */
  private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

  private final int maxMessageBytes;
  private final Utf8Validator utf8 = new Utf8Validator();
  private byte messageType = OpCode.UNDEFINED;
  private byte[] buffer;
  private int length;

  MessageAssembler(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Adds a data frame (text, binary or a continuation; Jetty has checked their sequence). The
   * frame's payload is only read, and not kept.
   *
   * @return the whole message if {@code frame} is its last, else {@code null}
   * @throws MessageTooLargeException if the message grows past the limit (Jetty closes with 1009)
   * @throws BadPayloadException if a text message is not UTF-8 (Jetty closes with 1007)
   */
  Message add(Frame frame) {
    if (frame.getOpCode() != OpCode.CONTINUATION) {
      messageType = frame.getOpCode();
      length = 0;
      utf8.reset();
    }
    ByteBuffer payload = frame.hasPayload() ? frame.getPayload() : ByteBuffer.allocate(0);
    int n = payload.remaining();
    boolean text = messageType == OpCode.TEXT;
    if ((long) length + n > maxMessageBytes) {
      release();
      throw new MessageTooLargeException(CloseCodes.tooBigReason(maxMessageBytes));
    }
    if (text && !utf8.feed(payload)) {
      release();
      throw new BadPayloadException("text message is not valid UTF-8");
    }
    if (!frame.isFin()) {
      append(payload);
      return null;
    }
    if (text && !utf8.isComplete()) {
      release();
      throw new BadPayloadException("text message is not valid UTF-8");
    }
    Message message;
    if (length == 0) {
      // One frame: one copy, straight out of Jetty's pooled buffer.
      message = text ? Message.textUtf8(payload) : Message.binary(payload);
    } else {
      append(payload);
      ByteBuffer whole = ByteBuffer.wrap(buffer, 0, length);
      message = text ? Message.textUtf8(whole) : Message.binary(whole);
      if (buffer.length > RETAINED_BUFFER_BYTES) {
        buffer = null;
      }
    }
    length = 0;
    messageType = OpCode.UNDEFINED;
    return message;
  }

  /** Drops a partial message and the buffer: the connection ended, or its message failed. */
  void release() {
    buffer = null;
    length = 0;
  }

  private void append(ByteBuffer payload) {
    int n = payload.remaining();
    if (n == 0) {
      return;
    }
    int needed = length + n; // <= maxMessageBytes, checked by add
    if (buffer == null || buffer.length < needed) {
      long grown = buffer == null ? 1024 : (long) buffer.length * 2;
      int capacity = (int) Math.min(maxMessageBytes, Math.max(grown, needed));
      byte[] bigger = new byte[capacity];
      if (length > 0) {
        System.arraycopy(buffer, 0, bigger, 0, length);
      }
      buffer = bigger;
    }
    payload.duplicate().get(buffer, length, n);
    length = needed;
  }
}
