package dev.hubcast.netty;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.core.spi.TlsIdentity;
import dev.hubcast.netty.internal.NotFoundHandler;
import dev.hubcast.netty.internal.UpgradeHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Netty server for a {@link Hub}: WebSocket at one path; every other HTTP request goes to a
 * handler of the application's ({@link Builder#httpHandler}), 404 by default. Thread-safe; its
 * connections run on its own event loops. It uses the native epoll transport when that is available
 * (Linux x86-64), and NIO otherwise; io_uring instead of epoll with {@link Builder#ioUring}.
 *
 * <pre>{@code
 * Hub<String> hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
 * NettyHubServer server = NettyHubServer.builder(hub)
 *     .port(8080)
 *     .path("/ws")
 *     .httpHandler(PageHandler::new)    // optional: answers the other requests
 *     .start();
 * // ...
 * hub.shutdown().join();               // 1001 to each client once its outbox drains
 * server.close();                      // then the sockets and threads go
 * }</pre>
 *
 * <p>{@link #close()} stops accepting and closes every connection (clients see 1006); close the hub
 * first for a graceful 1001 to each.
 */
public final class NettyHubServer implements HubServer {

  private static final Logger log = LoggerFactory.getLogger(NettyHubServer.class);

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final String io; // "io_uring", "epoll" or "nio"
  private final String host;
  private final String path;
  private final boolean secure;

  private NettyHubServer(
      EventLoopGroup boss,
      EventLoopGroup workers,
      Channel serverChannel,
      ChannelGroup connections,
      String io,
      String host,
      String path,
      boolean secure) {
    this.boss = boss;
    this.workers = workers;
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.io = io;
    this.host = host;
    this.path = path;
    this.secure = secure;
  }

  @Override
  public boolean isSecure() {
    return secure;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public String path() {
    return path;
  }

  /** A builder for a server of {@code hub}. */
  public static Builder builder(Hub<?> hub) {
    return new Builder(requireNonNull(hub, "hub"));
  }

  /** The port the server listens on (the one chosen when it was asked for port 0). */
  @Override
  public int port() {
    return address().getPort();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Whether the server runs on the native epoll transport. */
  public boolean isEpoll() {
    return io.equals("epoll");
  }

  /** The I/O transport the server runs on: {@code "io_uring"}, {@code "epoll"} or {@code "nio"}. */
  public String ioTransport() {
    return io;
  }

  /**
   * Stops accepting, closes every connection and stops the server's threads; waits up to a few
   * seconds for them. Idempotent.
   */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    // Closed while the loops still run, so each connection's close reaches the hub: a loop that
    // closes its channels as it stops may end before their handlers hear of it.
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    var b = boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    var w = workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    b.awaitUninterruptibly(5, TimeUnit.SECONDS);
    w.awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "NettyHubServer["
        + serverChannel.localAddress()
        + ", "
        + io
        + (secure ? ", tls" : "")
        + "]";
  }

  private static SslContext sslContext(TlsIdentity identity) {
    try {
      return SslContextBuilder.forServer(identity.keyManagerFactory())
          .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("tls: " + identity + " (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Configures and starts a {@link NettyHubServer}. Not thread-safe: use one builder from one
   * thread. Each setter checks its value at once.
   */
  public static final class Builder {
    private final Hub<?> hub;
    private String host = "0.0.0.0";
    private int port = 8080;
    private String path = "/ws";
    private Supplier<? extends ChannelHandler> httpHandler = () -> NotFoundHandler.INSTANCE;
    private Supplier<? extends ChannelHandler> streamingHttpHandler;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private boolean nativeTransport = true;
    private boolean ioUring;
    private TlsIdentity tls;

    private Builder(Hub<?> hub) {
      this.hub = hub;
    }

    /** The interface to listen on: a host name or address. Default {@code 0.0.0.0} (all). */
    public Builder host(String host) {
      this.host = HubServer.checkHost(host);
      return this;
    }

    /** The port to listen on (0-65535; 0 picks a free one, see {@link #port()}). Default 8080. */
    public Builder port(int port) {
      this.port = HubServer.checkPort(port);
      return this;
    }

    /** The WebSocket path, such as {@code /ws}. Default {@code /ws}. */
    public Builder path(String path) {
      this.path = HubServer.checkPath(path);
      return this;
    }

    /**
     * The handler for the HTTP requests that are not the hub's WebSocket upgrade: a page, its
     * script, a health check. {@code handlers} is called once per connection, on its event loop,
     * for the handler that goes last in the pipeline, after the hub's; return a new one, or the
     * same {@link ChannelHandler.Sharable @Sharable} instance each time. It receives each request
     * as one {@code FullHttpRequest} (bodies up to 64 KiB), must answer it and release it ({@code
     * SimpleChannelInboundHandler} does), and runs on the event loop: it must not block. A
     * connection that upgrades leaves it behind. Default: 404 for every request.
     */
    public Builder httpHandler(Supplier<? extends ChannelHandler> handlers) {
      this.httpHandler = requireNonNull(handlers, "handlers");
      return this;
    }

    /**
     * A handler that sees HTTP requests as they arrive, before they are joined into one message:
     * another transport on the same port, such as {@code hub-sse}'s event streams. {@code handlers}
     * is called once per connection, on its event loop, for the handler that goes right after the
     * HTTP codec, in front of the hub's WebSocket upgrade and the {@code httpHandler}. It receives
     * each request as an {@code HttpRequest} followed by {@code HttpContent} parts, and passes on
     * ({@code ctx.fireChannelRead}) whatever is not its own, untouched. When it takes a request it
     * fires {@link HubChannelHandlers#REQUEST_TAKEN}, so that the connection is not closed as one
     * that never finished a handshake. Default: none.
     */
    public Builder streamingHttpHandler(Supplier<? extends ChannelHandler> handlers) {
      this.streamingHttpHandler = requireNonNull(handlers, "handlers");
      return this;
    }

    /**
     * Serves TLS ({@code wss://}, and {@code https://} for the other requests) with {@code
     * identity}, through Netty's {@code SslHandler}: OpenSSL when {@code netty-tcnative} is on the
     * class path, the JDK's TLS otherwise. Default: plain TCP.
     */
    public Builder tls(TlsIdentity identity) {
      this.tls = requireNonNull(identity, "identity");
      return this;
    }

    /** I/O threads, each an event loop (&gt; 0). Default: one per processor. */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads <= 0) {
        throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: > 0)");
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /**
     * Whether to use a native transport (epoll, or io_uring) when available. Default {@code true}.
     */
    public Builder nativeTransport(boolean nativeTransport) {
      this.nativeTransport = nativeTransport;
      return this;
    }

    /**
     * Whether the native transport is io_uring rather than epoll, where the kernel allows it (else
     * epoll). Default {@code false}: see {@code docs/benchmarks.md} for the two measured side by
     * side.
     */
    public Builder ioUring(boolean ioUring) {
      this.ioUring = ioUring;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * <p>On failure every thread it started is stopped before the exception is thrown, so a failed
     * start never keeps the JVM alive.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound (the port is taken, say)
     * @throws IllegalStateException if interrupted while binding
     */
    public NettyHubServer start() {
      String ioName;
      IoHandlerFactory io;
      Class<? extends ServerChannel> channelType;
      if (nativeTransport && ioUring && IoUring.isAvailable()) {
        ioName = "io_uring";
        io = IoUringIoHandler.newFactory();
        channelType = IoUringServerSocketChannel.class;
      } else if (nativeTransport && Epoll.isAvailable()) {
        ioName = "epoll";
        io = EpollIoHandler.newFactory();
        channelType = EpollServerSocketChannel.class;
      } else {
        ioName = "nio";
        io = NioIoHandler.newFactory();
        channelType = NioServerSocketChannel.class;
      }
      EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
      EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
      Supplier<? extends ChannelHandler> http = httpHandler;
      Supplier<? extends ChannelHandler> streaming = streamingHttpHandler;
      SslContext ssl = tls == null ? null : sslContext(tls);
      String wsPath = path;
      ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
      try {
        Channel channel =
            new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (ssl != null) {
                          ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        if (streaming != null) {
                          ch.pipeline()
                              .addLast(
                                  requireNonNull(
                                      streaming.get(), "streamingHttpHandler supplied null"));
                        }
                        ch.pipeline()
                            .addLast(
                                new HttpObjectAggregator(64 * 1024),
                                new UpgradeHandler(Acceptor.of(hub), wsPath),
                                requireNonNull(http.get(), "httpHandler supplied null"));
                      }
                    })
                .bind(host, port)
                .sync()
                .channel();
        NettyHubServer server =
            new NettyHubServer(
                boss, workers, channel, connections, ioName, host, wsPath, ssl != null);
        log.info("serving hub {} on {}", hub.nodeId(), server);
        return server;
      } catch (Exception e) { // bind failures arrive as undeclared checked IOExceptions
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while binding " + host + ":" + port, e);
        }
        if (e instanceof IOException bind) {
          throw new UncheckedIOException(
              "cannot listen on " + host + ":" + port + ": " + bind, bind);
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("cannot listen on " + host + ":" + port, e);
      }
    }
  }
}
