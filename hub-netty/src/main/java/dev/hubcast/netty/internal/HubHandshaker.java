package dev.hubcast.netty.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;

/**
 * Netty's RFC 6455 server handshake for one admitted connection: the {@code 101 Switching
 * Protocols} response (the accept key from the GUID, SHA-1 and Base64; the subprotocol the hub
 * chose, if the client offered it), the frame decoder ({@link HubFrameDecoder}) and the frame
 * encoder ({@code WebSocket13FrameEncoder}, unmasked).
 *
 * <p>{@link UpgradeHandler} uses these parts, not {@link #handshake}, which would place the decoder
 * where the frames a client sends right behind its request are lost; see there.
 *
 * <p>One per upgrade; called by the channel's event loop only.
 */
final class HubHandshaker extends WebSocketServerHandshaker13 {

  /**
   * A handshaker for a connection the hub admitted.
   *
   * @param path the WebSocket path (Netty's "URL"; only shown)
   * @param subprotocol the subprotocol the hub chose, or {@code null} for none
   * @param maxMessageBytes the largest frame payload the decoder takes (a message's limit bounds
   *     each of its frames)
   */
  HubHandshaker(String path, String subprotocol, int maxMessageBytes) {
    super(path, subprotocol, HubFrameDecoder.config(maxMessageBytes));
  }

  /**
   * The {@code 101} response to {@code request}, whose method, {@code Connection}, {@code Upgrade},
   * version and key the caller has checked (else Netty throws {@code
   * WebSocketServerHandshakeException}).
   */
  FullHttpResponse switchingProtocols(HttpRequest request) {
    FullHttpRequest full =
        request instanceof FullHttpRequest
            ? (FullHttpRequest) request
            : new DefaultFullHttpRequest(
                request.protocolVersion(),
                request.method(),
                request.uri(),
                Unpooled.EMPTY_BUFFER,
                request.headers(),
                EmptyHttpHeaders.INSTANCE);
    return newHandshakeResponse(full, null);
  }

  @Override
  public WebSocketFrameDecoder newWebsocketDecoder() {
    return new HubFrameDecoder(decoderConfig());
  }

  @Override
  public WebSocketFrameEncoder newWebSocketEncoder() {
    return super.newWebSocketEncoder();
  }
}
