package dev.hubcast.netty.autobahn;

import dev.hubcast.netty.HubChannelHandlers;
import dev.hubcast.testkit.autobahn.AutobahnEcho;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The application the Autobahn TestSuite checks: a hub of raw frames whose handler sends each
 * client message back to its sender as it is (text as text, binary as binary), served by
 * hub-netty's handlers in a plain Netty bootstrap. Everything else Autobahn probes (pings,
 * fragments, UTF-8, close codes, protocol errors) is the adapter's.
 *
 * <p>The Maven plugin calls {@link #main} with the port; the server listens on {@code 127.0.0.1} at
 * {@code /} on daemon threads, so it ends with the build.
 */
public final class AutobahnEchoServer {

  private AutobahnEchoServer() {}

  /**
   * Starts the echo server.
   *
   * @param args the port
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> type =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("autobahn-echo", true), io);
    new ServerBootstrap()
        .group(group)
        .channel(type)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(HubChannelHandlers.initializer(AutobahnEcho.hub(), "/"))
        .bind("127.0.0.1", port)
        .sync();
    System.out.println(
        "Autobahn echo server on ws://127.0.0.1:" + port + "/ (" + (epoll ? "epoll" : "nio") + ")");
  }
}
