package dev.hubcast.netty;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

/** The code of hub-netty's README section, kept compiling (and run by ReadmeSnippetsTest). */
final class ReadmeSnippets {

  private ReadmeSnippets() {}

  /** README: "Add the hub to your own Netty server". */
  static Channel ownPipeline(Hub<String> hub, EventLoopGroup group, int port)
      throws InterruptedException {
    // --- snippet: own pipeline
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(65536),
                            HubChannelHandlers.forPath(hub, "/ws")); // then your own handlers
                  }
                });
    Channel server = bootstrap.bind(port).sync().channel();
    // --- end
    return server;
  }

  /** The embedded server and its hub, so a test can wait for the hub to see its clients. */
  record Embedded(Hub<String> hub, NettyHubServer server) {}

  /** README: "Or let hub-netty run the server". */
  static Embedded embedded(int port) throws InterruptedException {
    // --- snippet: embedded
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
    NettyHubServer server =
        NettyHubServer.builder(hub)
            .port(port) // 0 picks a free port: server.port()
            .path("/ws")
            .httpHandler(StatusPage::new) // optional: your handler for other requests (else 404)
            .start(); // native epoll when available, else NIO
    // ... later: hub.shutdown().join(); server.close();
    // --- end
    return new Embedded(hub, server);
  }

  /** The README's handler for the requests that are not the WebSocket: a one-line page. */
  static final class StatusPage extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse page =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              ByteBufUtil.writeUtf8(ctx.alloc(), "hub is up\n"));
      page.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, page.content().readableBytes());
      ctx.writeAndFlush(page);
    }
  }

  static EventLoopGroup group() {
    return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  /** docs/transports.md: "TLS (wss://)". */
  static NettyHubServer tls(Hub<String> hub, java.nio.file.Path chain, java.nio.file.Path key) {
    // --- snippet: tls
    dev.hubcast.core.spi.TlsIdentity id = dev.hubcast.core.spi.TlsIdentity.pem(chain, key);
    return NettyHubServer.builder(hub).port(0).tls(id).start(); // wss://host:PORT/ws
  }
}
