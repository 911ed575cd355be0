package dev.hubcast.netty;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

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

  /** README: "Or let hub-netty run the server". */
  static NettyHubServer embedded(int port) throws InterruptedException {
    // --- snippet: embedded
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
    NettyHubServer server =
        NettyHubServer.builder(hub)
            .port(port) // 0 picks a free port: server.port()
            .path("/ws")
            .staticResources("/public") // optional: src/main/resources/public/index.html at /
            .start(); // native epoll when available, else NIO
    // ... later: hub.shutdown().join(); server.close();
    // --- end
    return server;
  }

  static EventLoopGroup group() {
    return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }
}
