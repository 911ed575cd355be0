package dev.hubcast.netty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.netty.EventLoopWriteRounds;
import dev.hubcast.netty.HttpRequests;
import dev.hubcast.netty.HubChannelHandlers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an HTTP upgrade request for one path into a hub connection: checks the request, asks the
 * hub's {@link Acceptor} (a refusal is answered with its HTTP status, before any upgrade), answers
 * {@code 101 Switching Protocols}, swaps the HTTP codec for the WebSocket handlers and a {@link
 * WebSocketSession}, and opens the session on the hub. Requests for other paths go on down the
 * pipeline untouched. One instance per channel, called by its event loop only.
 *
 * <p>The protocol parts are Netty's, through a {@link HubHandshaker} (a {@code
 * WebSocketServerHandshaker13}): the {@code 101} with its accept key and the hub's subprotocol, the
 * frame decoder and encoder. What stays here, and why:
 *
 * <ul>
 *   <li>Admission before the upgrade: the hub may refuse with a real HTTP status (401, 403, 429,
 *       503), and a request that is no upgrade gets 405, 426 or 400 instead of the exception
 *       Netty's handshaker throws.
 *   <li>The pipeline change: Netty's {@code handshake()} puts its decoder <em>before</em> an {@code
 *       HttpServerCodec} and removes the codec once the 101 is written, so the bytes the codec
 *       still holds (frames a client sends right behind its request) pass the decoder by and are
 *       lost. Here the decoder goes right after the codec's place, and the session is in place
 *       before the codec leaves.
 *   <li>The handshake timeout: Netty has one only inside {@code WebSocketServerProtocolHandler}.
 * </ul>
 *
 * <p>A request the HTTP codec could not decode is answered here, whatever its path (the codec
 * cannot tell it, and reads nothing more on the connection): 414 for a request line over its limit,
 * 431 for headers over it, 400 for the rest, then the connection is closed.
 *
 * <p>A connection that has neither upgraded nor sent a request for another path within the hub's
 * handshake timeout is closed.
 *
 * <p>Internal: use {@code dev.hubcast.netty.HubChannelHandlers}.
 */
public final class UpgradeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpgradeHandler.class);

  private final Acceptor acceptor;
  private final String path;
  private Future<?> timer;
  private boolean settled; // upgraded, refused, or handed a request for another path on
  private boolean swallowContent; // the body of a request answered here

  /**
   * A handler for one channel that upgrades requests for {@code path}.
   *
   * @param acceptor the hub's acceptor
   * @param path the exact request path, such as {@code /ws}
   */
  public UpgradeHandler(Acceptor acceptor, String path) {
    this.acceptor = requireNonNull(acceptor, "acceptor");
    this.path = requireNonNull(path, "path");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      startTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startTimer(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopTimer();
  }

  private void startTimer(ChannelHandlerContext ctx) {
    if (timer == null && !settled) {
      long nanos = acceptor.settings().handshakeTimeout().toNanos();
      timer =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!settled) {
                      log.debug("{}: no upgrade within the handshake timeout", ctx.channel());
                      ctx.close();
                    }
                  },
                  nanos,
                  TimeUnit.NANOSECONDS);
    }
  }

  private void stopTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == HubChannelHandlers.REQUEST_TAKEN) {
      settled = true; // a handler in front took a request: its transport from now on
      stopTimer();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      HttpRequest request = (HttpRequest) msg;
      if (request.decoderResult().isFailure()) {
        // Whatever its path: a request line over the codec's limit reaches here as Netty's
        // stand-in "GET /bad-request" (which would get the application's 404), and the codec
        // reads nothing more on this connection.
        swallowContent = !(msg instanceof LastHttpContent);
        settled = true;
        stopTimer();
        try {
          refuseMalformed(ctx, request.decoderResult().cause());
        } finally {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      HttpRequests.Target target = HttpRequests.target(request.uri());
      if (target.path().equals(path)) {
        swallowContent = !(msg instanceof LastHttpContent);
        try {
          handle(ctx, request, target.path(), target.query());
        } finally {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      swallowContent = false;
      settled = true; // the application's HTTP from now on
      stopTimer();
    } else if (swallowContent && msg instanceof HttpContent) {
      swallowContent = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest request, String path, String query) {
    settled = true;
    stopTimer();
    if (!HttpMethod.GET.equals(request.method())) {
      refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "expected GET", null);
      return;
    }
    if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
      // RFC 6455 4.1: an upgrade is HTTP/1.1; the 101 answers in the request's version.
      refuse(ctx, HttpResponseStatus.BAD_REQUEST, "expected HTTP/1.1", null);
      return;
    }
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    if (upgrade == null
        || !upgrade.trim().equalsIgnoreCase("websocket")
        || !request.headers().containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
      refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "expected a WebSocket upgrade", "websocket");
      return;
    }
    if (!"13".equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "expected WebSocket version 13", "13");
      return;
    }
    String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (!isValidKey(key)) {
      refuse(ctx, HttpResponseStatus.BAD_REQUEST, "missing or bad Sec-WebSocket-Key", null);
      return;
    }
    Admission admission;
    try {
      admission =
          acceptor.admit(
              Handshake.of(
                  path,
                  query,
                  HttpRequests.headers(request),
                  HttpRequests.remoteAddress(ctx.channel())));
    } catch (RuntimeException e) {
      log.warn("{}: handshake could not be admitted", ctx.channel(), e);
      refuse(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", null);
      return;
    }
    if (!admission.isAdmitted()) {
      refuse(ctx, HttpResponseStatus.valueOf(admission.status()), admission.reason(), null);
      return;
    }
    upgrade(ctx, request, admission);
  }

  /** 414 or 431 for a request over the codec's limits, as Jetty answers; 400 for the rest. */
  private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "{}: malformed request ({})",
        ctx.channel(),
        cause == null ? "no cause" : cause.getClass().getSimpleName());
    if (cause instanceof TooLongHttpLineException) {
      refuse(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long", null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      refuse(
          ctx,
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers too large",
          null);
    } else {
      refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request", null);
    }
  }

  private static boolean isValidKey(String key) {
    if (key == null) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void refuse(
      ChannelHandlerContext ctx, HttpResponseStatus status, String reason, String upgradeWith) {
    ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), reason + "\n");
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if ("13".equals(upgradeWith)) {
      response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    } else if (upgradeWith != null) {
      response.headers().set(HttpHeaderNames.UPGRADE, upgradeWith);
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private void upgrade(ChannelHandlerContext ctx, HttpRequest request, Admission admission) {
    ChannelPipeline pipeline = ctx.pipeline();
    ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
    if (codec == null) {
      codec = pipeline.context(HttpRequestDecoder.class);
    }
    if (codec == null) {
      log.error(
          "{}: no HttpServerCodec or HttpRequestDecoder before the hub handler", ctx.channel());
      refuse(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "server misconfigured", null);
      return;
    }
    TransportSettings settings = acceptor.settings();
    HubHandshaker handshaker =
        new HubHandshaker(path, admission.subprotocol().orElse(null), settings.maxMessageBytes());
    // Encoded by the HTTP codec now, before it leaves the pipeline; flushed once the hub has
    // opened the connection, so a client that sees 101 is already reachable by a broadcast.
    ctx.write(handshaker.switchingProtocols(request), ctx.voidPromise());

    WebSocketSession session =
        new WebSocketSession(
            admission.connectionId(),
            admission.handshake(),
            ctx.channel(),
            settings,
            EventLoopWriteRounds.of(ctx.executor()),
            ctx.channel().config().getWriteBufferHighWaterMark());
    // Frames are decoded right after the HTTP codec's place, so that the bytes it still holds
    // (a client may send frames right behind its request) reach the WebSocket decoder.
    ChannelHandler decoder = handshaker.newWebsocketDecoder();
    pipeline.addAfter(codec.name(), null, decoder);
    // Text that is not UTF-8 is found as its bytes arrive, not once the whole frame is in.
    pipeline.addBefore(pipeline.context(decoder).name(), null, new EarlyUtf8Check());
    pipeline.addAfter(pipeline.context(decoder).name(), null, new Utf8FrameValidator(false));
    long ping = settings.pingInterval().toNanos();
    pipeline.addBefore(ctx.name(), null, new IdleStateHandler(ping, 0, 0, TimeUnit.NANOSECONDS));
    // Fragments count as traffic for the idle timeout, so they are joined after it.
    pipeline.addBefore(ctx.name(), null, new WebSocketFrameAggregator(settings.maxMessageBytes()));
    // Right before the session: it encodes the control frames, and passes the session's
    // pre-framed data (ByteBufs, not WebSocketFrames) through untouched.
    pipeline.addBefore(ctx.name(), null, handshaker.newWebSocketEncoder());
    pipeline.replace(this, null, session);

    Inbound inbound;
    try {
      inbound = acceptor.open(session);
    } catch (RuntimeException e) {
      log.warn("{}: the hub could not open connection {}", ctx.channel(), session.id(), e);
      ctx.channel().close();
      return;
    }
    session.start(inbound);

    removeIfPresent(pipeline, HttpObjectAggregator.class);
    removeIfPresent(pipeline, HttpContentCompressor.class);
    removeIfPresent(pipeline, HttpServerKeepAliveHandler.class);
    removeIfPresent(pipeline, HttpResponseEncoder.class);
    pipeline.remove(codec.handler());
    ctx.channel().flush();
  }

  private static void removeIfPresent(
      ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
    if (pipeline.get(type) != null) {
      pipeline.remove(type);
    }
  }
}
