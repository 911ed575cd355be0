package dev.hubcast.netty.internal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves files from a classpath folder: {@code GET /app.js} is the resource {@code
 * <folder>/app.js}, and a path ending in {@code /} serves its {@code index.html}. Paths that climb
 * out of the folder are refused. Found files are cached (the classpath does not change).
 *
 * <p>Internal. Sharable and thread-safe.
 */
@ChannelHandler.Sharable
public final class StaticResourceHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("htm", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("map", "application/json"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("wasm", "application/wasm"),
          Map.entry("woff2", "font/woff2"));

  private final String folder;
  private final ClassLoader loader;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /**
   * Serves the resources under {@code folder} (such as {@code /public}) of {@code loader}.
   *
   * @param folder a classpath folder; leading and trailing slashes are optional
   */
  public StaticResourceHandler(String folder, ClassLoader loader) {
    String f = requireNonNull(folder, "folder").replaceAll("^/+|/+$", "");
    this.folder = f.isEmpty() ? "" : f + "/";
    this.loader = requireNonNull(loader, "loader");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean head = HttpMethod.HEAD.equals(request.method());
    if (!head && !HttpMethod.GET.equals(request.method())) {
      NotFoundHandler.respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    if (path.endsWith("/")) {
      path += "index.html";
    }
    byte[] content = load(path);
    if (content == null) {
      NotFoundHandler.respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found");
      return;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, typeOf(path))
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private byte[] load(String path) {
    if (!path.startsWith("/")
        || path.contains("..")
        || path.contains("\\")
        || path.contains("//")
        || path.indexOf('\0') >= 0) {
      return null;
    }
    byte[] cached = cache.get(path);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = loader.getResourceAsStream(folder + path.substring(1))) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readAllBytes();
      cache.putIfAbsent(path, bytes);
      return bytes;
    } catch (IOException e) {
      return null; // a folder, or unreadable: not found
    }
  }

  private static String typeOf(String path) {
    int dot = path.lastIndexOf('.');
    String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }
}
