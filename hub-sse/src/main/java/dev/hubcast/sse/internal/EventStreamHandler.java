package dev.hubcast.sse.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.netty.HttpRequests;
import dev.hubcast.netty.HubChannelHandlers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-stream endpoint on one channel: a {@code GET} for its path opens a stream (after the
 * hub admits the request, exactly as a WebSocket upgrade), a {@code POST} brings one message for
 * the stream whose token it carries. Requests for other paths, and everything on a channel that is
 * neither, pass on untouched. It sits right after the HTTP codec, so it sees a request's body in
 * parts and refuses one over the hub's {@code maxMessageBytes} before reading it in full.
 *
 * <p>One instance per channel, called by its event loop only.
 */
public final class EventStreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(EventStreamHandler.class);

  /** The request header that carries a stream's token on its {@code POST}s. */
  public static final String TOKEN_HEADER = "Hubcast-Token";

  private final Acceptor acceptor;
  private final OriginPolicy origins;
  private final String path;
  private final StreamRegistry registry;

  private SseConnection stream; // this channel carries an event stream
  private Post post; // a POST whose body is being read
  private boolean swallow; // the rest of a request answered already
  private ScheduledFuture<?> timer; // a POST's body, or the wait for the next request
  private boolean tookRequests; // this channel carried requests for the path

  /**
   * A handler for one channel that serves event streams at {@code path}, checking the origin of
   * their {@code POST}s with {@code origins} (the hub's policy).
   */
  public EventStreamHandler(
      Acceptor acceptor, OriginPolicy origins, String path, StreamRegistry registry) {
    this.acceptor = requireNonNull(acceptor, "acceptor");
    this.origins = requireNonNull(origins, "origins");
    this.path = requireNonNull(path, "path");
    this.registry = requireNonNull(registry, "registry");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (stream != null) {
      // A client sends nothing more on an event stream's connection: ignore what it does.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (post != null && msg instanceof HttpContent content) {
      try {
        post.add(ctx, content);
      } finally {
        content.release();
      }
      return;
    }
    if (msg instanceof HttpRequest request) {
      cancelTimer();
      swallow = false;
      HttpRequests.Target target = HttpRequests.target(request.uri());
      if (request.decoderResult().isFailure() || !target.path().equals(path)) {
        ctx.fireChannelRead(msg); // the hub's upgrade handler answers malformed requests
        return;
      }
      ctx.fireUserEventTriggered(HubChannelHandlers.REQUEST_TAKEN);
      tookRequests = true;
      swallow = !(msg instanceof LastHttpContent);
      try {
        if (HttpMethod.GET.equals(request.method())) {
          openStream(ctx, request, target.query());
        } else if (HttpMethod.POST.equals(request.method())) {
          beginPost(ctx, request);
        } else {
          respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "expected GET or POST");
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (swallow && msg instanceof HttpContent) {
      swallow = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    if (post != null) {
      post.discard();
      post = null;
    }
    if (stream != null) {
      stream.ended();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
    if (post != null) {
      post.discard();
      post = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (stream != null) {
      log.debug("{}: stream failed ({})", stream, cause.getClass().getSimpleName());
      ctx.close();
      return;
    }
    if (tookRequests && cause instanceof java.io.IOException) {
      // A client that reset the connection its POSTs came on: nothing to report.
      log.debug("{}: connection lost ({})", ctx.channel(), cause.getClass().getSimpleName());
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  // ------------------------------------------------------------------ GET: the stream

  private void openStream(ChannelHandlerContext ctx, HttpRequest request, String query) {
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
      log.warn("{}: event stream could not be admitted", ctx.channel(), e);
      refuse(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
      return;
    }
    if (!admission.isAdmitted()) {
      refuse(ctx, HttpResponseStatus.valueOf(admission.status()), admission.reason());
      return;
    }
    HttpResponse response =
        new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set("X-Accel-Buffering", "no");
    if (HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    // The connection closes when the stream ends. Saying so keeps a client from pooling it for its
    // next request, which would then meet a closed socket (the JDK's HttpClient does, for a POST).
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    String token = StreamRegistry.newToken();
    SseConnection connection =
        new SseConnection(
            admission.connectionId(),
            admission.handshake(),
            token,
            ctx.channel(),
            acceptor.settings(),
            registry);
    stream = connection;
    registry.add(connection);
    ctx.write(response, ctx.voidPromise());
    // Flushed once the hub has opened the stream: a client that has its open event is already
    // reached by every broadcast.
    ctx.write(EventFrames.open(token), ctx.voidPromise());
    Inbound inbound;
    try {
      inbound = acceptor.open(connection);
    } catch (RuntimeException e) {
      log.warn("{}: the hub could not open connection {}", ctx.channel(), connection.id(), e);
      registry.remove(connection);
      ctx.close();
      return;
    }
    connection.start(inbound);
    ctx.flush();
  }

  // ------------------------------------------------------------------ POST: a message

  private void beginPost(ChannelHandlerContext ctx, HttpRequest request) {
    String token = request.headers().get(TOKEN_HEADER);
    if (token == null || token.isEmpty()) {
      respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "missing " + TOKEN_HEADER);
      return;
    }
    Optional<SseConnection> found = registry.byToken(token);
    if (found.isEmpty()
        || !sameClient(
            found.get().handshake(), request, HttpRequests.remoteAddress(ctx.channel()))) {
      // One answer for both: a token that is wrong and one used from elsewhere look the same.
      respond(ctx, request, HttpResponseStatus.FORBIDDEN, "token not valid here");
      return;
    }
    SseConnection target = found.get();
    Message.Type type = typeOf(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
    if (type == null) {
      respond(
          ctx,
          request,
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "expected text/plain (UTF-8) or application/octet-stream");
      return;
    }
    int max = acceptor.settings().maxMessageBytes();
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > max) {
      tooLarge(ctx, target, max);
      return;
    }
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.CONTINUE),
          ctx.voidPromise());
    }
    swallow = false;
    post = new Post(request, target, type, max, declared);
    // The body must come within the handshake timeout: a client that trickles it holds nothing.
    arm(
        ctx,
        acceptor.settings().handshakeTimeout(),
        () -> {
          if (post != null) {
            post.discard();
            post = null;
          }
          refuse(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "request body not received in time");
        });
    if (request instanceof HttpContent content) { // an aggregated request: its body is here
      post.add(ctx, content);
    }
  }

  /** The body passed {@code maxMessageBytes}: 413, and the stream closes with 1009. */
  private void tooLarge(ChannelHandlerContext ctx, SseConnection target, int max) {
    target.refuse(CloseCodes.MESSAGE_TOO_BIG, "message over " + max + " bytes");
    refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "message over " + max + " bytes");
  }

  /**
   * The credentials of a POST must be those of its stream, and so must its origin when the stream
   * had one. A browser sends no {@code Origin} with a same-origin {@code EventSource} request but
   * always one with a {@code POST}: then the POST's origin must pass the hub's origin policy, as a
   * stream from it would have.
   */
  private boolean sameClient(Handshake stream, HttpRequest request, InetSocketAddress remote) {
    String origin = request.headers().get("Origin");
    boolean originOk;
    if (stream.origin().isPresent()) {
      originOk = stream.origin().get().equals(origin);
    } else if (origin == null) {
      originOk = true;
    } else {
      Handshake post = Handshake.of(path, "", HttpRequests.headers(request), remote);
      originOk = origins.allows(post.origin(), post);
    }
    return originOk
        && Objects.equals(
            stream.header("Authorization").orElse(null), request.headers().get("Authorization"));
  }

  /** TEXT for text/plain in UTF-8 (or no type), BINARY for application/octet-stream, else null. */
  static Message.Type typeOf(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return Message.Type.TEXT;
    }
    String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
    String mime = parts[0].trim();
    if (mime.equals("application/octet-stream")) {
      return Message.Type.BINARY;
    }
    if (!mime.equals("text/plain")) {
      return null;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
        return null;
      }
    }
    return Message.Type.TEXT;
  }

  /** One POST body being read, within the limit. */
  private final class Post {
    private final HttpRequest request;
    private final SseConnection target;
    private final Message.Type type;
    private final int max;
    private ByteBuf body;

    Post(HttpRequest request, SseConnection target, Message.Type type, int max, long declared) {
      this.request = request;
      this.target = target;
      this.type = type;
      this.max = max;
      this.body = Unpooled.buffer((int) Math.max(0, Math.min(declared, 4096)));
    }

    void add(ChannelHandlerContext ctx, HttpContent content) {
      ByteBuf part = content.content();
      if (body.readableBytes() + part.readableBytes() > max) {
        cancelTimer();
        discard();
        post = null;
        swallow = !(content instanceof LastHttpContent);
        tooLarge(ctx, target, max);
        return;
      }
      body.writeBytes(part);
      if (content instanceof LastHttpContent) {
        post = null;
        cancelTimer();
        finish(ctx);
      }
    }

    private void finish(ChannelHandlerContext ctx) {
      try {
        if (type == Message.Type.TEXT && !ByteBufUtil.isText(body, StandardCharsets.UTF_8)) {
          target.refuse(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8");
          respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text is not UTF-8");
          return;
        }
        byte[] bytes = ByteBufUtil.getBytes(body);
        Message message =
            type == Message.Type.TEXT ? Message.textUtf8(bytes) : Message.binary(bytes);
        // Reported on the stream's loop, in the order the POSTs arrived.
        target.channel().eventLoop().execute(() -> target.receive(message));
        respond(ctx, request, HttpResponseStatus.NO_CONTENT, null);
      } finally {
        discard();
      }
    }

    void discard() {
      if (body != null) {
        body.release();
        body = null;
      }
    }
  }

  // ------------------------------------------------------------------ answers

  /**
   * Answers a request on a connection that stays open if the client wants it, until the hub's idle
   * timeout passes without another request.
   */
  private void respond(
      ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String reason) {
    FullHttpResponse response = response(request.protocolVersion(), status, reason);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && status.code() < 400;
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive) {
      long idle = acceptor.settings().idleTimeout().toSeconds();
      if (idle > 1) {
        // Tells clients that read it to stop reusing the connection before the server drops it.
        response.headers().set(HttpHeaderNames.KEEP_ALIVE, "timeout=" + (idle - 1));
      }
      ctx.writeAndFlush(response, ctx.voidPromise());
      arm(ctx, acceptor.settings().idleTimeout(), ctx::close);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void arm(ChannelHandlerContext ctx, Duration after, Runnable action) {
    cancelTimer();
    timer =
        ctx.executor()
            .schedule(
                () -> {
                  timer = null;
                  action.run();
                },
                after.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Answers and closes the connection (the rest of the request is not read). */
  private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
    FullHttpResponse response = response(HttpVersion.HTTP_1_1, status, reason);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse response(
      HttpVersion version, HttpResponseStatus status, String reason) {
    ByteBuf body =
        reason == null
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(version, status, body);
    if (reason != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    if (status.code() != 204) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }
}
