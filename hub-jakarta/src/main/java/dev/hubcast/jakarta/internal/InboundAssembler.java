package dev.hubcast.jakarta.internal;

import dev.hubcast.core.Message;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Joins the parts of one connection's inbound messages, as the container hands them over (partial
 * handlers), and stops at the limit: a message whose parts pass {@code maxMessageBytes} is refused
 * at the part that passes it, before that part is kept, and so is everything after it on this
 * connection (the connection closes, 1009). Not thread-safe: confined to the container's thread for
 * the connection, which delivers its parts one at a time.
 *
 * <p>Text is counted in UTF-8 bytes, as the limit is, without encoding it: the container has
 * decoded and checked it already. A message of one part is not copied here (binary is copied once
 * into the message, text encoded once); a message of several is gathered, growing up to the limit.
 */
final class InboundAssembler {

  /** What {@link #text} and {@link #binary} return for a complete message. */
  record Result(Message message) {}

  /** The message passed the limit: close with 1009. Returned once. */
  static final Result TOO_BIG = new Result(null);

  /** A gathered binary buffer larger than this is not kept for the next message. */
  private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

  private final int maxMessageBytes;
  private boolean refused;
  private long length; // UTF-8 bytes (text) or bytes (binary) of the message so far
  private StringBuilder text;
  private byte[] bytes;

  InboundAssembler(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Adds a part of a text message; the whole message on its last part, else {@code null}. */
  Result text(String part, boolean last) {
    if (refused) {
      return null;
    }
    length += utf8Length(part);
    if (length > maxMessageBytes) {
      return refuse();
    }
    if (last && text == null) {
      length = 0;
      return new Result(Message.text(part));
    }
    if (text == null) {
      text = new StringBuilder(Math.max(16, part.length() * 2));
    }
    text.append(part);
    if (!last) {
      return null;
    }
    Message message = Message.text(text.toString());
    text = null;
    length = 0;
    return new Result(message);
  }

  /** Adds a part of a binary message; the whole message on its last part, else {@code null}. */
  Result binary(ByteBuffer part, boolean last) {
    if (refused) {
      return null;
    }
    int n = part.remaining();
    int before = (int) length;
    length += n;
    if (length > maxMessageBytes) {
      return refuse();
    }
    if (last && before == 0) {
      length = 0;
      return new Result(Message.binary(part));
    }
    if (bytes == null || bytes.length < length) {
      long grown = bytes == null ? 1024 : (long) bytes.length * 2;
      bytes =
          Arrays.copyOf(
              bytes == null ? new byte[0] : bytes,
              (int) Math.min(maxMessageBytes, Math.max(grown, length)));
    }
    part.get(bytes, before, n);
    if (!last) {
      return null;
    }
    Message message = Message.binary(ByteBuffer.wrap(bytes, 0, (int) length));
    if (bytes.length > RETAINED_BUFFER_BYTES) {
      bytes = null;
    }
    length = 0;
    return new Result(message);
  }

  private Result refuse() {
    refused = true;
    release();
    return TOO_BIG;
  }

  /** Drops a partial message: the connection ended. */
  void release() {
    text = null;
    bytes = null;
    length = 0;
  }

  /** The UTF-8 length of text the container decoded (so no lone surrogates: a pair is 2 + 2). */
  static int utf8Length(CharSequence s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
