package dev.hubcast.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/**
 * Netty's RFC 6455 frame decoder, with the close frame's body checked by {@link CloseHandshake}
 * instead: Netty's check takes negative codes and codes of 5000 and more as valid, and answers some
 * bad bodies with 1007 where the RFC asks for 1002.
 *
 * <p>One per channel; called by its event loop only.
 */
final class HubFrameDecoder extends WebSocket08FrameDecoder {

  HubFrameDecoder(WebSocketDecoderConfig config) {
    super(config);
  }

  /** The decoder settings of a hub connection: frames up to {@code maxFramePayloadLength}. */
  static WebSocketDecoderConfig config(int maxFramePayloadLength) {
    return WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(true)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .maxFramePayloadLength(maxFramePayloadLength)
        .closeOnProtocolViolation(false) // the session answers, through its close handshake
        .withUTF8Validator(false) // added explicitly after this decoder
        .build();
  }

  @Override
  protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf buffer) {
    // checked by CloseHandshake#onCloseFrame
  }
}
