package dev.hubcast.examples.web;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;

/**
 * Serves the files of a classpath folder over HTTP on Netty: {@code GET /chat.js} is the resource
 * {@code <folder>/chat.js}, and a path ending in {@code /} serves that folder's {@code index.html}.
 * Sharable and thread-safe; it runs on the event loop of each connection it serves.
 *
 * <p>The chat gives it to {@code NettyHubServer} as the handler of the requests that are not the
 * WebSocket upgrade:
 *
 * <pre>{@code
 * StaticFiles page = new StaticFiles("/public", ChatServer.class.getClassLoader());
 * NettyHubServer.builder(hub).path("/ws").httpHandler(() -> page).start();
 * }</pre>
 *
 * <p>Small on purpose: GET and HEAD only, content types from the JDK's table ({@link
 * URLConnection#guessContentTypeFromName}), each file read once, on first request, and kept (the
 * classpath does not change); no ranges, no ETag. The request path is decoded, then normalised
 * segment by segment ({@code .} and {@code ..} resolved); a path that climbs out of the folder, or
 * holds a backslash or NUL, is not found. On Jetty, {@code JettyHubServer.staticResources} does
 * this with Jetty's own {@code ResourceHandler}.
 */
@ChannelHandler.Sharable
public final class StaticFiles extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final String folder;
  private final ClassLoader loader;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /**
   * Serves the resources under {@code folder} (such as {@code /public}) of {@code loader}.
   *
   * @param folder a classpath folder; leading and trailing slashes are optional
   */
  public StaticFiles(String folder, ClassLoader loader) {
    String f = requireNonNull(folder, "folder").replaceAll("^/+|/+$", "");
    this.folder = f.isEmpty() ? "" : f + "/";
    this.loader = requireNonNull(loader, "loader");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean head = HttpMethod.HEAD.equals(request.method());
    if (!head && !HttpMethod.GET.equals(request.method())) {
      respond(ctx, request, text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only"));
      return;
    }
    String name;
    try {
      name = resourceName(new QueryStringDecoder(request.uri()).path());
    } catch (IllegalArgumentException badEscape) {
      respond(ctx, request, text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request"));
      return;
    }
    byte[] content = name == null ? null : load(folder + name);
    if (content == null) {
      respond(ctx, request, text(ctx, HttpResponseStatus.NOT_FOUND, "not found"));
      return;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, typeOf(name))
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    respond(ctx, request, response);
  }

  /**
   * The resource name, relative to the folder, for a decoded request path: its segments with {@code
   * .} and {@code ..} resolved, {@code index.html} for a folder; {@code null} if the path climbs
   * above the folder or holds a backslash or NUL.
   */
  static String resourceName(String path) {
    if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      return null;
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        if (segments.pollLast() == null) {
          return null; // above the folder
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        segments.addLast(segment);
      }
    }
    boolean folder =
        segments.isEmpty() || path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
    if (folder) {
      segments.addLast("index.html");
    }
    return String.join("/", segments);
  }

  /** The bytes of a file on the classpath, or {@code null} if there is none (or a folder). */
  private byte[] load(String resource) {
    byte[] cached = cache.get(resource);
    if (cached != null) {
      return cached;
    }
    URL url = loader.getResource(resource);
    if (url == null) {
      return null;
    }
    try {
      URLConnection connection = url.openConnection();
      if (connection instanceof JarURLConnection) {
        JarEntry entry = ((JarURLConnection) connection).getJarEntry();
        if (entry == null || entry.isDirectory()) {
          return null; // a folder in a jar
        }
      }
      if (url.getProtocol().equals("file") && !Files.isRegularFile(Path.of(url.toURI()))) {
        return null; // a folder: its URL would read as a listing
      }
      byte[] bytes;
      try (InputStream in = connection.getInputStream()) {
        bytes = in.readAllBytes();
      }
      cache.putIfAbsent(resource, bytes);
      return bytes;
    } catch (IOException | URISyntaxException e) {
      return null; // unreadable: not found
    }
  }

  /** The JDK's content type for a file name; text is UTF-8. */
  static String typeOf(String name) {
    String type = URLConnection.guessContentTypeFromName(name);
    if (type == null) {
      return "application/octet-stream";
    }
    return type.startsWith("text/") ? type + "; charset=utf-8" : type;
  }

  private static FullHttpResponse text(
      ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), text + "\n");
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  /** Writes {@code response}, keeping the connection open if the request asked to. */
  private static void respond(
      ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
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
