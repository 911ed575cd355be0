package dev.hubcast.jetty;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.core.spi.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small embedded Jetty server for a {@link Hub}: WebSocket at one path and, if asked, static
 * files from a classpath folder (for the page that opens the socket), served by Jetty's {@code
 * ResourceHandler}. Thread-safe: its methods may be called from any thread.
 *
 * <pre>{@code
 * Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
 * try (JettyHubServer server =
 *     JettyHubServer.builder(hub).port(8080).path("/ws").staticResources("/public").start()) {
 *   System.out.println("listening on " + server.uri());
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server, which drops its connections (the hub sees each one close);
 * it does not shut the hub down. For a graceful stop, shut the hub down first: it closes every
 * client with 1001 after draining their outboxes.
 */
public final class JettyHubServer implements HubServer {

  private static final Logger log = LoggerFactory.getLogger(JettyHubServer.class);

  /** The listening socket's accept backlog. */
  static final int ACCEPT_QUEUE = 1024;

  private final Server server;
  private final ServerConnector connector;
  private final String host;
  private final String path;
  private final boolean secure;

  private JettyHubServer(
      Server server, ServerConnector connector, String host, String path, boolean secure) {
    this.server = server;
    this.connector = connector;
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

  /** The port the server listens on (the one chosen by the system when built with port 0). */
  @Override
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * The WebSocket address, such as {@code ws://127.0.0.1:8080/ws} ({@code wss://} with TLS), with
   * {@code 127.0.0.1} standing for a wildcard host.
   */
  @Override
  public URI uri() {
    return HubServer.super.uri();
  }

  /** The Jetty server, for what this helper does not configure. */
  public Server server() {
    return server;
  }

  /** Stops the server and releases its threads and port. Idempotent. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("stopping the Jetty server on port {} failed", port(), e);
    }
  }

  @Override
  public String toString() {
    return "JettyHubServer[" + (server.isStarted() ? uri() : "stopped") + "]";
  }

  /**
   * Configures a {@link JettyHubServer}. Not thread-safe: use one builder from one thread.
   *
   * <p>Each setter validates its value at once.
   */
  public static final class Builder {
    private final Hub<?> hub;
    private String host = "0.0.0.0";
    private int port = 8080;
    private String path = "/ws";
    private String staticResources;
    private int maxThreads = 200;
    private TlsIdentity tls;

    private Builder(Hub<?> hub) {
      this.hub = hub;
    }

    /** The address to listen on; default {@code 0.0.0.0} (all interfaces). */
    public Builder host(String host) {
      this.host = HubServer.checkHost(host);
      return this;
    }

    /** The port; {@code 0} lets the system choose one. Default 8080. */
    public Builder port(int port) {
      this.port = HubServer.checkPort(port);
      return this;
    }

    /** The WebSocket path, such as {@code "/ws"}; default {@code "/ws"}. */
    public Builder path(String path) {
      this.path = HubServer.checkPath(path);
      return this;
    }

    /**
     * Serves the files of a classpath folder, such as {@code "/public"}, at the root (with {@code
     * index.html} for {@code /}). Default: no static files.
     */
    public Builder staticResources(String classpathFolder) {
      requireNonNull(classpathFolder, "classpathFolder");
      if (classpathFolder.isBlank()) {
        throw new IllegalArgumentException(
            "classpathFolder: \"" + classpathFolder + "\" (expected: a folder such as /public)");
      }
      this.staticResources = classpathFolder;
      return this;
    }

    /**
     * Serves TLS ({@code wss://}, and {@code https://} for the static files) with {@code identity},
     * through Jetty's {@code SslContextFactory}. Default: plain TCP.
     */
    public Builder tls(TlsIdentity identity) {
      this.tls = requireNonNull(identity, "identity");
      return this;
    }

    /** The most threads Jetty's pool may run (&ge; 8). Default 200. */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads: " + maxThreads + " (expected: >= 8)");
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalArgumentException if the static resources folder is not on the classpath
     * @throws java.io.UncheckedIOException if the address cannot be bound (the port is taken, say)
     * @throws IllegalStateException if Jetty cannot start for another reason
     */
    public JettyHubServer start() {
      QueuedThreadPool threads = new QueuedThreadPool(maxThreads);
      threads.setName("hubcast-jetty");
      Server server = new Server(threads);
      ServerConnector connector;
      if (tls == null) {
        connector = new ServerConnector(server);
      } else {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(tls.keyStore());
        ssl.setKeyStorePassword(new String(tls.password()));
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer(false)); // no SNI host check: IPs too
        connector =
            new ServerConnector(
                server,
                new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
      }
      connector.setHost(host);
      connector.setPort(port);
      // The accept backlog, as NettyHubServer's. Jetty's default (0) leaves it to the JDK, which
      // asks for 50: a burst of connections (a reconnect storm, a flood of half-open ones)
      // overflows it, and the kernel drops their SYNs, so clients wait a second or more to
      // retransmit. One acceptor thread drains it.
      connector.setAcceptQueueSize(ACCEPT_QUEUE);
      // Before the upgrade the connection is plain HTTP under the connector's idle timeout: this
      // bounds a silent handshake (and an idle keep-alive). After it, the hub's idle timeout
      // applies. An idle timeout restarts with every byte, so a deadline bounds the request's
      // head as well, however slowly it trickles in.
      long handshakeMillis = hub.config().handshakeTimeout().toMillis();
      connector.setIdleTimeout(handshakeMillis);
      connector
          .getConnectionFactory(HttpConnectionFactory.class)
          .addEventListener(new HandshakeDeadline(connector, handshakeMillis));
      server.addConnector(connector);

      WebSocketUpgradeHandler ws = HubWebSocket.handler(hub, path);
      if (staticResources != null) {
        ws.setHandler(resourceHandler(server, staticResources));
      }
      server.setHandler(ws);
      server.setStopTimeout(hub.config().closeTimeout().toMillis());
      try {
        server.start();
      } catch (Exception e) {
        try {
          server.stop();
        } catch (Exception stopFailure) {
          e.addSuppressed(stopFailure);
        }
        if (e instanceof IOException io) {
          throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + io, io);
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("Jetty did not start on " + host + ":" + port, e);
      }
      JettyHubServer started = new JettyHubServer(server, connector, host, path, tls != null);
      log.info("hub {} serving WebSocket at {}", hub.nodeId(), started.uri());
      return started;
    }

    private static Handler resourceHandler(Server server, String folder) {
      Resource base = ResourceFactory.of(server).newClassLoaderResource(folder);
      if (base == null) {
        throw new IllegalArgumentException(
            "staticResources: \"" + folder + "\" (not found on the classpath)");
      }
      ResourceHandler files = new ResourceHandler();
      files.setBaseResource(base);
      files.setDirAllowed(false);
      files.setWelcomeFiles(List.of("index.html"));
      return files;
    }
  }

  /**
   * Closes an HTTP connection that has not sent a whole request head within the handshake timeout,
   * however steadily it sends bytes: the connector's idle timeout alone lets a client that sends a
   * byte a second hold its connection as long as it likes. A connection that sent a request (its
   * upgrade, or one for a static file) is left to the idle timeout, and an upgraded one is no
   * longer the connection watched here. Thread-safe: Jetty reports opens and closes on its threads,
   * and the deadlines run on the connector's scheduler.
   */
  private static final class HandshakeDeadline implements Connection.Listener {
    private final ServerConnector connector;
    private final long timeoutMillis;
    private final Map<Connection, Scheduler.Task> pending = new ConcurrentHashMap<>();

    HandshakeDeadline(ServerConnector connector, long timeoutMillis) {
      this.connector = connector;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void onOpened(Connection connection) {
      pending.put(
          connection,
          connector
              .getScheduler()
              .schedule(() -> expire(connection), timeoutMillis, TimeUnit.MILLISECONDS));
    }

    @Override
    public void onClosed(Connection connection) {
      Scheduler.Task deadline = pending.remove(connection);
      if (deadline != null) {
        deadline.cancel();
      }
    }

    private void expire(Connection connection) {
      pending.remove(connection);
      EndPoint endPoint = connection.getEndPoint();
      if (connection.getMessagesIn() == 0
          && endPoint.isOpen()
          && endPoint.getConnection() == connection) {
        log.debug("{}: no request within the handshake timeout", endPoint);
        endPoint.close();
      }
    }
  }
}
