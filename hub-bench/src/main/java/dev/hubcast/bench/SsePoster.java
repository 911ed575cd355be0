package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sending side of an event-stream client: one keep-alive HTTP/1.1 connection on which a
 * publisher {@code POST}s its messages to the stream's URL, each with the stream's token ({@code
 * Hubcast-Token}) and {@code text/plain;charset=utf-8}. The requests are pipelined, as the load is
 * open loop: a publisher never waits for an answer before its next message, as a WebSocket
 * publisher never waits. The server answers in order, {@code 204} for each message taken; any other
 * answer is counted in {@code refused}.
 *
 * <p>Confined to its channel's event loop.
 */
final class SsePoster extends ChannelInboundHandlerAdapter {

  /** The request header that carries the stream's token. */
  static final String TOKEN_HEADER = "Hubcast-Token";

  private final URI url;
  private final String target;
  private final String host;
  private final String token;
  private final ChannelPromise ready;
  private final AtomicLong refused;

  private SsePoster(URI url, String token, ChannelPromise ready, AtomicLong refused) {
    this.url = url;
    this.target = SseClientHandler.target(url);
    this.host = SseClientHandler.host(url);
    this.token = token;
    this.ready = ready;
    this.refused = refused;
  }

  /** Sets up {@code ch} to post to {@code url} as the stream of {@code token}. */
  static SsePoster install(
      Channel ch, URI url, String token, ChannelPromise ready, AtomicLong refused) {
    SsePoster poster = new SsePoster(url, token, ready, refused);
    ch.pipeline().addLast(new HttpClientCodec(), poster);
    return poster;
  }

  /** The request that posts {@code body} (which it takes over). */
  FullHttpRequest post(ByteBuf body) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target, body);
    request
        .headers()
        .set(HttpHeaderNames.HOST, host)
        .set(TOKEN_HEADER, token)
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return request;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ready.trySuccess();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse response
          && !HttpResponseStatus.NO_CONTENT.equals(response.status())) {
        refused.incrementAndGet();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ready.tryFailure(new IllegalStateException("closed before it could post to " + url));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ready.tryFailure(cause);
    ctx.close();
  }
}
