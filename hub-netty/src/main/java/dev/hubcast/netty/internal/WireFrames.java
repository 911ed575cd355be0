package dev.hubcast.netty.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.spi.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Hub messages as server data frames (RFC 6455, unmasked), ready for the socket.
 *
 * <p>A hub {@link Message} is framed once, header and payload together, into one direct buffer that
 * is cached on the message ({@link Message#wireForm}); a recipient writes a {@code
 * retainedDuplicate()} of it, or, when one turn of the loop gives it several small frames, a copy
 * of each into one buffer ({@code SessionWriter}'s cork): nothing is framed per recipient, and a
 * lone or large frame is never copied. Netty's {@code WebSocket13FrameEncoder}, which encodes the
 * control frames, would allocate a header buffer per write and copy payloads under 1 KiB into it,
 * per recipient; the pre-framed buffers are not {@code WebSocketFrame}s, so they pass that encoder
 * untouched. The cached buffer wraps a JDK direct {@link ByteBuffer}: its memory lives exactly as
 * long as the message (which may sit in a room's history for a long time, and the hub has no "last
 * recipient" event), and the JDK frees it when the message is collected. Netty never frees it: the
 * cache keeps one reference that is never released, and each duplicate's reference is released by
 * the write that consumes it.
 *
 * <p>Thread-safe (stateless).
 */
final class WireFrames {

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
    ByteBuffer wire = ByteBuffer.allocateDirect(ServerFrames.headerLength(length) + length);
    ServerFrames.putHeader(
        wire, frame.isText() ? ServerFrames.OPCODE_TEXT : ServerFrames.OPCODE_BINARY, length);
    frame.copyTo(wire);
    wire.flip();
    return Unpooled.wrappedBuffer(wire.asReadOnlyBuffer());
  }
}
