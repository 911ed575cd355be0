package dev.hubcast.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of an HTTP pipeline: 404 for every request that reached it. Sharable and stateless;
 * thread-safe.
 *
 * <p>Internal: the default of {@code NettyHubServer.Builder.httpHandler} and the end of {@code
 * HubChannelHandlers.initializer}.
 */
@ChannelHandler.Sharable
public final class NotFoundHandler extends ChannelInboundHandlerAdapter {

  /** The one instance. */
  public static final NotFoundHandler INSTANCE = new NotFoundHandler();

  private NotFoundHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest) {
        respond(ctx, (HttpRequest) msg, HttpResponseStatus.NOT_FOUND, "not found");
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Answers {@code request} with a short plain-text status page, keeping the connection alive. */
  private static void respond(
      ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
    ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), text + "\n");
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
