package dev.hubcast.netty.internal;

import dev.hubcast.core.spi.Utf8Validator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Finds text that is not UTF-8 while its frame is still arriving. Netty's frame decoder hands on a
 * frame only once all of it is in, and its {@code Utf8FrameValidator} checks it then; a client that
 * sends the bad byte early in a long frame would be answered only after the rest. This handler sits
 * in front of the decoder, follows the frames in the raw bytes (headers, masks, lengths) without
 * consuming them, unmasks the payload of text messages (their continuation frames too) and feeds it
 * to a streaming {@link Utf8Validator}: the first byte that cannot be UTF-8 fails the connection
 * with 1007 at once, after the complete frames before it have gone on to the decoder.
 *
 * <p>It only ever looks: every byte goes on to the decoder unchanged, and anything it does not
 * expect (an unmasked frame, a reserved opcode) makes it stop looking and leave the protocol error
 * to the decoder. One instance per channel, called by its event loop only.
 */
final class EarlyUtf8Check extends ChannelInboundHandlerAdapter {

  private enum State {
    FIRST,
    SECOND,
    LENGTH,
    MASK,
    PAYLOAD,
    OFF
  }

  private final Utf8Validator utf8 = new Utf8Validator();
  private State state = State.FIRST;
  private boolean fin;
  private int opcode;
  private int lengthBytes;
  private long payloadLeft;
  private final byte[] mask = new byte[4];
  private int maskRead;
  private long payloadIndex; // position in the frame's payload, for the mask
  private boolean inText; // a text message is open (its next data frames are continuations)
  private boolean failed;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean bad = state != State.OFF && msg instanceof ByteBuf buf && !scan(buf);
    ctx.fireChannelRead(msg);
    if (bad) {
      failed = true;
      ctx.fireExceptionCaught(
          new CorruptedWebSocketFrameException(
              WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8"));
    }
  }

  /** Follows the frames in {@code buf}; {@code false} at a byte that cannot be UTF-8. */
  private boolean scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end && state != State.OFF) {
      switch (state) {
        case FIRST -> {
          int b = buf.getByte(i++) & 0xFF;
          fin = (b & 0x80) != 0;
          opcode = b & 0x0F;
          if ((b & 0x70) != 0 || (opcode > 2 && opcode < 8) || opcode > 10) {
            state = State.OFF; // reserved bits or opcode: the decoder's protocol error
          } else {
            state = State.SECOND;
          }
        }
        case SECOND -> {
          int b = buf.getByte(i++) & 0xFF;
          if ((b & 0x80) == 0) {
            state = State.OFF; // unmasked client frame: the decoder's protocol error
            break;
          }
          int len = b & 0x7F;
          payloadLeft = len < 126 ? len : 0;
          lengthBytes = len == 126 ? 2 : len == 127 ? 8 : 0;
          maskRead = 0;
          state = lengthBytes > 0 ? State.LENGTH : State.MASK;
        }
        case LENGTH -> {
          payloadLeft = (payloadLeft << 8) | (buf.getByte(i++) & 0xFF);
          if (--lengthBytes == 0) {
            state = payloadLeft < 0 ? State.OFF : State.MASK;
          }
        }
        case MASK -> {
          mask[maskRead++] = buf.getByte(i++);
          if (maskRead == 4) {
            startPayload();
          }
        }
        case PAYLOAD -> {
          int n = (int) Math.min(payloadLeft, end - i);
          if (checksPayload()) {
            for (int k = 0; k < n; k++) {
              int b = (buf.getByte(i + k) ^ mask[(int) (payloadIndex++ & 3)]) & 0xFF;
              if (!utf8.feedByte(b)) {
                state = State.OFF;
                return false;
              }
            }
          }
          i += n;
          payloadLeft -= n;
          if (payloadLeft == 0) {
            endFrame();
          }
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
    return true;
  }

  private void startPayload() {
    payloadIndex = 0;
    if (opcode == 1) {
      utf8.reset();
      inText = true;
    } else if (opcode == 2) {
      inText = false;
    }
    if (payloadLeft == 0) {
      endFrame();
    } else {
      state = State.PAYLOAD;
    }
  }

  private boolean checksPayload() {
    return inText && opcode <= 1; // text, or a continuation of a text message
  }

  private void endFrame() {
    if (opcode <= 2 && fin) {
      inText = false; // the message is complete: the decoder's validator checks its end
    }
    state = State.FIRST;
  }
}
