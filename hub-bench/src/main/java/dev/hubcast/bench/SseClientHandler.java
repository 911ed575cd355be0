package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A load-generator connection to a Hubcast event stream ({@code hub-sse}): it sends {@code GET
 * url}, checks the {@code 200 text/event-stream} answer, and reads the chunked body through Netty's
 * {@link HttpClientCodec} (no aggregation: each chunk, or each part of one cut by a read, as it
 * comes) with an {@link SseEventParser}. The first event, {@code hubcast-open}, carries the token
 * that the stream's {@code POST}s need ({@link #token()}); it completes {@code opened}. Each plain
 * event is a hub message, handed to the {@link MessageSink} in place; {@code hubcast-close} carries
 * the close code.
 *
 * <p>The time of arrival is taken as on {@link WsClientHandler}, once per socket read, by a small
 * handler in front of the codec ({@link #install}).
 *
 * <p>Confined to its channel's event loop.
 */
final class SseClientHandler extends ChannelInboundHandlerAdapter
    implements SseEventParser.Listener {

  static final String OPEN_EVENT = "hubcast-open";
  static final String CLOSE_EVENT = "hubcast-close";

  private final URI url;
  private final MessageSink sink;
  private final ChannelPromise opened;
  private final SseEventParser parser = new SseEventParser(this);
  private long receivedNanos;
  private boolean streaming;
  private boolean ended;
  private String token;
  private int closeCode = 1006;

  SseClientHandler(URI url, MessageSink sink, ChannelPromise opened) {
    this.url = url;
    this.sink = sink;
    this.opened = opened;
  }

  /** Sets up {@code ch} as an event stream of {@code url}: clock, HTTP codec, this handler. */
  static void install(Channel ch, URI url, MessageSink sink, ChannelPromise opened) {
    SseClientHandler handler = new SseClientHandler(url, sink, opened);
    ch.pipeline().addLast(handler.new ReadClock(), new HttpClientCodec(), handler);
  }

  /** The stream's token once {@code hubcast-open} has arrived, else null. */
  String token() {
    return token;
  }

  /** The request target of {@code url}: its path (or {@code /}) and query. */
  static String target(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }

  /** The {@code Host} header for {@code url}. */
  static String host(URI url) {
    return url.getHost() + ":" + Connector.port(url);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, target(url), Unpooled.EMPTY_BUFFER);
    request
        .headers()
        .set(HttpHeaderNames.HOST, host(url))
        .set(HttpHeaderNames.ACCEPT, "text/event-stream")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    ctx.writeAndFlush(request, ctx.voidPromise());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse response) {
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (!HttpResponseStatus.OK.equals(response.status())
            || type == null
            || !type.startsWith("text/event-stream")) {
          fail(ctx, "event stream refused: " + response.status() + ", " + type);
          return;
        }
        streaming = true;
      }
      if (msg instanceof HttpContent content && streaming && !ended) {
        parser.feed(content.content());
        if (msg instanceof LastHttpContent) {
          ended = true; // the server ended the response: the stream is over
          ctx.close();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void onEvent(String type, ByteBuf data, int at, int length) {
    if (type == null) {
      sink.onMessage(data, at, length, receivedNanos);
    } else if (type.equals(OPEN_EVENT)) {
      token = data.toString(at, length, StandardCharsets.US_ASCII);
      opened.trySuccess();
    } else if (type.equals(CLOSE_EVENT)) {
      closeCode = closeCode(data, at, length);
    }
    // hubcast-text, hubcast-binary: not the load generator's messages (ASCII, no CR)
  }

  /** The code at the start of a {@code hubcast-close} event's data ({@code 1001 going away}). */
  static int closeCode(ByteBuf data, int at, int length) {
    int code = 0;
    int i = 0;
    for (; i < length && i < 4; i++) {
      int d = data.getByte(at + i) - '0';
      if (d < 0 || d > 9) {
        break;
      }
      code = code * 10 + d;
    }
    return i == 0 ? 1005 : code;
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    ended = true;
    opened.tryFailure(new IllegalStateException(why));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ended = true;
    opened.tryFailure(new IllegalStateException("connection closed before the stream opened"));
    sink.onClosed(closeCode);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ended = true;
    opened.tryFailure(cause);
    ctx.close();
  }

  /** Notes the time of each socket read, before the codec cuts it into parts. */
  private final class ReadClock extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      receivedNanos = System.nanoTime();
      ctx.fireChannelRead(msg);
    }
  }
}
