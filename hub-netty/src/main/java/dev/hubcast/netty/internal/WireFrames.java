package dev.hubcast.netty.internal;

import dev.hubcast.core.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Server-side WebSocket frames (RFC 6455, unmasked) as bytes ready for the socket.
 *
 * <p>A hub {@link Message} is framed once, header and payload together, into one direct buffer that
 * is cached on the frame ({@link Message#wireForm}); every recipient writes a {@code
 * retainedDuplicate()} of it, so a broadcast copies nothing per recipient. The cached buffer wraps
 * a JDK direct {@link ByteBuffer}: its memory lives exactly as long as the frame (the frame may sit
 * in a room's history for a long time, and the hub has no "last recipient" event), and the JDK
 * frees it when the frame is collected. Netty never frees it: the cache keeps one reference that is
 * never released, and each duplicate's reference is released by the write that consumes it.
 *
 * <p>Thread-safe (stateless).
 */
final class WireFrames {

  static final int OPCODE_TEXT = 0x1;
  static final int OPCODE_BINARY = 0x2;
  static final int OPCODE_CLOSE = 0x8;
  static final int OPCODE_PING = 0x9;
  static final int OPCODE_PONG = 0xA;

  /** Largest close reason in bytes: 125 bytes of control payload less the 2-byte code. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private static final Message.WireKey<ByteBuf> KEY = Message.WireKey.of("hub-netty");

  private WireFrames() {}

  /**
   * The shared, read-only wire form of {@code frame}, built on first use. Callers write a {@code
   * retainedDuplicate()} of it and never release the returned buffer itself.
   */
  static ByteBuf shared(Message frame) {
    return frame.wireForm(KEY, WireFrames::build);
  }

  private static ByteBuf build(Message frame) {
    int length = frame.length();
    ByteBuffer wire = ByteBuffer.allocateDirect(headerLength(length) + length);
    putHeader(wire, frame.isText() ? OPCODE_TEXT : OPCODE_BINARY, length);
    frame.copyTo(wire);
    wire.flip();
    return Unpooled.wrappedBuffer(wire.asReadOnlyBuffer());
  }

  static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  private static void putHeader(ByteBuffer out, int opcode, int length) {
    out.put((byte) (0x80 | opcode));
    if (length < 126) {
      out.put((byte) length);
    } else if (length <= 0xFFFF) {
      out.put((byte) 126);
      out.putShort((short) length);
    } else {
      out.put((byte) 127);
      out.putLong(length);
    }
  }

  private static void writeHeader(ByteBuf out, int opcode, int length) {
    out.writeByte(0x80 | opcode);
    if (length < 126) {
      out.writeByte(length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort(length);
    } else {
      out.writeByte(127);
      out.writeLong(length);
    }
  }

  /** A close frame with {@code code} and {@code reason} (cut to 123 UTF-8 bytes, whole chars). */
  static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
    byte[] text = reasonBytes(reason);
    ByteBuf out = alloc.buffer(2 + 2 + text.length);
    writeHeader(out, OPCODE_CLOSE, 2 + text.length);
    out.writeShort(code);
    out.writeBytes(text);
    return out;
  }

  /** A close frame with no body (the answer to a close that carried no code). */
  static ByteBuf emptyClose(ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(2);
    writeHeader(out, OPCODE_CLOSE, 0);
    return out;
  }

  /** A control frame ({@code opcode}) carrying the readable bytes of {@code payload} (≤ 125). */
  static ByteBuf control(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
    int length = payload.readableBytes();
    ByteBuf out = alloc.buffer(2 + length);
    writeHeader(out, opcode, length);
    out.writeBytes(payload, payload.readerIndex(), length);
    return out;
  }

  /** A ping with an empty payload. */
  static ByteBuf ping(ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(2);
    writeHeader(out, OPCODE_PING, 0);
    return out;
  }

  static byte[] reasonBytes(String reason) {
    if (reason == null || reason.isEmpty()) {
      return new byte[0];
    }
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_CLOSE_REASON_BYTES) {
      return bytes;
    }
    int end = MAX_CLOSE_REASON_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // never cut a character in two
    }
    byte[] cut = new byte[end];
    System.arraycopy(bytes, 0, cut, 0, end);
    return cut;
  }
}
