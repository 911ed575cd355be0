package dev.hubcast.core.spi;

import java.nio.ByteBuffer;

/**
 * The header of a WebSocket frame a server sends (RFC 6455, section 5.2: final, unmasked, no
 * reserved bits), for an adapter that frames messages itself, once per message, to share the bytes
 * among recipients.
 *
 * <pre>{@code
 * ByteBuffer frame = ByteBuffer.allocate(ServerFrames.headerLength(n) + n);
 * ServerFrames.putHeader(frame, ServerFrames.OPCODE_TEXT, n);
 * frame.put(payload);
 * }</pre>
 *
 * <p>Thread-safe (stateless).
 */
public final class ServerFrames {

  /** The opcode of a text frame. */
  public static final int OPCODE_TEXT = 0x1;

  /** The opcode of a binary frame. */
  public static final int OPCODE_BINARY = 0x2;

  /** The opcode of a close frame. */
  public static final int OPCODE_CLOSE = 0x8;

  /** The opcode of a ping. */
  public static final int OPCODE_PING = 0x9;

  /** The opcode of a pong. */
  public static final int OPCODE_PONG = 0xA;

  private ServerFrames() {}

  /**
   * The length of the header of a frame with {@code payloadLength} bytes: 2, 4 or 10.
   *
   * @throws IllegalArgumentException if {@code payloadLength} is negative
   */
  public static int headerLength(int payloadLength) {
    if (payloadLength < 0) {
      throw new IllegalArgumentException(
          "payloadLength: " + payloadLength + " (expected: 0 or more)");
    }
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  /**
   * Writes the header of a final, unmasked frame with {@code opcode} and {@code payloadLength}
   * bytes at {@code out}'s position, which moves past it.
   *
   * @throws IllegalArgumentException if {@code opcode} is not 0-15, or {@code payloadLength} is
   *     negative
   */
  public static void putHeader(ByteBuffer out, int opcode, int payloadLength) {
    if (opcode < 0 || opcode > 0xF) {
      throw new IllegalArgumentException("opcode: " + opcode + " (expected: 0 to 15)");
    }
    headerLength(payloadLength);
    out.put((byte) (0x80 | opcode));
    if (payloadLength < 126) {
      out.put((byte) payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      out.put((byte) 126);
      out.putShort((short) payloadLength);
    } else {
      out.put((byte) 127);
      out.putLong(payloadLength);
    }
  }
}
