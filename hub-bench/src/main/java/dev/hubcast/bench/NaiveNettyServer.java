package dev.hubcast.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The baseline a Netty user writes without a hub: Netty's own WebSocket server handlers, a {@link
 * ChannelGroup} of the open channels and, for every text message, a loop that calls {@code
 * writeAndFlush(new TextWebSocketFrame(text))} on each. Same event loops as {@code NettyHubServer}
 * (epoll when available, one boss thread, one worker per processor).
 *
 * <p>Thread-safe; Netty calls the handlers on its event loops.
 */
final class NaiveNettyServer implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private Channel channel;

  private NaiveNettyServer(EventLoopGroup boss, EventLoopGroup workers) {
    this.boss = boss;
    this.workers = workers;
  }

  static NaiveNettyServer start(String host, int port, boolean others) throws Exception {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    NaiveNettyServer naive = new NaiveNettyServer(boss, workers);
    naive.channel =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(64 * 1024),
                            new WebSocketServerProtocolHandler("/"),
                            naive.new Relay(others));
                  }
                })
            .bind(host, port)
            .sync()
            .channel();
    return naive;
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  int connections() {
    return clients.size();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** One channel's handler. */
  final class Relay extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final boolean others;

    Relay(boolean others) {
      this.others = others;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        clients.add(ctx.channel());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      String text = frame.text();
      for (Channel c : clients) {
        if (others && c == ctx.channel()) {
          continue;
        }
        c.writeAndFlush(new TextWebSocketFrame(text));
      }
    }
  }
}
