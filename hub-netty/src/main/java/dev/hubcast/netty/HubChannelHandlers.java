package dev.hubcast.netty;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.netty.internal.NotFoundHandler;
import dev.hubcast.netty.internal.UpgradeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Binds a {@link Hub} into your own Netty server: a handler that upgrades WebSocket requests for
 * one path into hub connections, and a whole channel initializer for servers that serve nothing
 * else. Thread-safe (static factories); each handler they return belongs to one channel and runs on
 * its event loop.
 *
 * <pre>{@code
 * protected void initChannel(SocketChannel ch) {
 *   ch.pipeline().addLast(
 *       new HttpServerCodec(),
 *       new HttpObjectAggregator(65536),
 *       HubChannelHandlers.forPath(hub, "/ws"),   // upgrades GET /ws
 *       new MyHttpHandler());                      // everything else
 * }
 * }</pre>
 */
public final class HubChannelHandlers {

  /**
   * The user event a handler in front of the hub's ({@link
   * NettyHubServer.Builder#streamingHttpHandler}) fires with {@code ctx.fireUserEventTriggered}
   * when it has taken a request for itself: the hub's handler then treats the connection as
   * settled, as after a request for another path, and no longer closes it for not finishing a
   * WebSocket handshake in time. Immutable.
   */
  public static final Object REQUEST_TAKEN =
      new Object() {
        @Override
        public String toString() {
          return "HubChannelHandlers.REQUEST_TAKEN";
        }
      };

  private HubChannelHandlers() {}

  /**
   * A new handler, for one channel, that turns WebSocket upgrade requests for {@code path} into
   * connections of {@code hub}. Put it after the {@code HttpServerCodec} (or {@code
   * HttpRequestDecoder} and {@code HttpResponseEncoder}) and the optional {@code
   * HttpObjectAggregator}; requests for other paths go on to the handlers after it.
   *
   * <p>An upgrade is refused with the hub's HTTP status (401, 403, 429, 503, ...) before anything
   * is upgraded; a request for {@code path} that is not an upgrade gets 426. A request the HTTP
   * codec could not decode is answered here whatever its path, since the codec cannot tell it: 414
   * for a request line over the codec's limit, 431 for headers over it, 400 for the rest. On
   * upgrade the handler replaces the HTTP handlers with its WebSocket ones (the codec, the
   * aggregator and any {@code HttpContentCompressor} leave the pipeline). The hub's limits apply on
   * the wire: {@code maxMessageBytes} (1009), UTF-8 (1007), protocol errors (1002), the idle
   * timeout (a ping after half of it, then 1001), the handshake timeout and the close timeout.
   *
   * <p>After the upgrade the pipeline is an early UTF-8 check that reads the raw bytes as they
   * arrive (so text that is not UTF-8 closes 1007 before the rest of its frame comes), Netty's
   * WebSocket frame decoder (where the HTTP codec was), its UTF-8 validator, then, in front of the
   * connection, an idle handler, Netty's {@code WebSocketFrameAggregator} and its frame encoder.
   * Handlers between the codec and this one stay, and see inbound {@code WebSocketFrame}s but
   * outbound only {@code ByteBuf}s: data frames are framed once per broadcast, as bytes, and
   * control frames are encoded right in front of the connection.
   *
   * @param path the exact request path, starting with {@code /}; the query is ignored for matching
   */
  public static ChannelHandler forPath(Hub<?> hub, String path) {
    requireNonNull(hub, "hub");
    return new UpgradeHandler(Acceptor.of(hub), checkPath(path));
  }

  /**
   * A channel initializer for a server that serves {@code hub} at {@code path} and nothing else
   * (404 for other paths): {@code HttpServerCodec}, {@code HttpObjectAggregator} and {@link
   * #forPath}. Sharable: pass it to {@code ServerBootstrap.childHandler}.
   */
  public static ChannelInitializer<Channel> initializer(Hub<?> hub, String path) {
    requireNonNull(hub, "hub");
    String p = checkPath(path);
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(64 * 1024),
                new UpgradeHandler(Acceptor.of(hub), p),
                NotFoundHandler.INSTANCE);
      }
    };
  }

  static String checkPath(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "path: \"" + path + "\" (expected: an absolute path such as \"/ws\", no query)");
    }
    return path;
  }
}
