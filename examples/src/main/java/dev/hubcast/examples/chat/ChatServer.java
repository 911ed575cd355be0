package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.PresenceConfig;
import dev.hubcast.core.PresenceUser;
import dev.hubcast.core.spi.TlsIdentity;
import dev.hubcast.examples.web.StaticFiles;
import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.redis.RedisBackplane;
import dev.hubcast.sse.HubEventStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The chat app: a hub with the {@link ChatHandler}, served by Jetty or Netty, with the web page at
 * {@code /} and the chat WebSocket at {@code /ws}. On Netty (the default) the same hub is also
 * served as Server-Sent Events with POST at {@code /sse} ({@link HubEventStream}), on the same
 * port: the page falls back to it when its WebSocket cannot be opened. Jetty has no {@code /sse}.
 * By default everything is in this process: no database, no broker. With {@code --redis}, every
 * chat server started with the same Redis is one chat: room messages cross over the {@link
 * RedisBackplane} (numbered by Redis), and presence, the rooms list and private messages through a
 * {@link ChatDirectory} in Redis.
 *
 * <pre>{@code
 * mvn -q -B -pl examples exec:java -Dexec.args="--transport jetty --port 8080"
 * mvn -q -B -pl examples exec:java -Dexec.args="--port 8081 --redis redis://127.0.0.1:6379"
 * }</pre>
 *
 * <p>Thread-safe. {@link #start} returns once the server listens; {@link #close()} shuts the hub
 * down (clients get 1001, going away) and stops the server.
 */
public final class ChatServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final Duration DRAIN = Duration.ofSeconds(2);
  private static final Duration REDIS_CONNECT = Duration.ofSeconds(2);

  /** Where the chat serves its event streams on Netty: the page's fallback from {@code /ws}. */
  public static final String SSE_PATH = "/sse";

  private final ChatOptions options;
  private final Hub<ChatMessage> hub;
  private final ChatDirectory directory;
  private final AutoCloseable server;
  private final int port;
  private final MetricsEndpoint metrics; // null without --metrics

  private ChatServer(
      ChatOptions options,
      Hub<ChatMessage> hub,
      ChatDirectory directory,
      AutoCloseable server,
      int port) {
    this.options = options;
    this.hub = hub;
    this.directory = directory;
    this.server = server;
    this.port = port;
    try {
      this.metrics =
          options.metricsPort().isPresent()
              ? MetricsEndpoint.start(hub, options.host(), options.metricsPort().getAsInt())
              : null;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Runs the chat until the process is stopped; {@code --help} lists the flags, {@code --version}
   * prints the version. A bad flag exits with 2, a chat that cannot start with 1.
   */
  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * The command line of {@link #main}: a chat that cannot start (Redis unreachable, the port taken)
   * is one line on standard error and exit code 1, not a stack trace.
   */
  static CommandLine commandLine() {
    return ChatOptions.commandLine(ChatServer::run)
        .setExecutionExceptionHandler(
            (e, cli, parsed) -> {
              if (!(e instanceof IllegalStateException || e instanceof UncheckedIOException)) {
                throw e;
              }
              cli.getErr().println(cli.getColorScheme().errorText("chat: " + e.getMessage()));
              return 1;
            });
  }

  private static void run(ChatOptions options) throws Exception {
    ChatServer chat = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "chat-shutdown"));
    System.out.println(
        "Chat on "
            + options.transport().name().toLowerCase(java.util.Locale.ROOT)
            + options.redis().map(r -> " with redis " + ChatOptions.shown(r.toString())).orElse("")
            + ", open "
            + chat.pageUri()
            + " (Ctrl+C stops it)");
    chat.metricsUri().ifPresent(uri -> System.out.println("Metrics at " + uri));
  }

  /**
   * The hub config of the chat: JSON messages, names checked at the handshake, room history, the
   * rate limit, and the directory's backplane (with {@code --redis}, a Redis backplane on the
   * directory's client).
   */
  private static HubConfig<ChatMessage> hubConfig(
      ChatOptions options, ChatHandler handler, ChatDirectory directory) {
    HubConfig.Builder<ChatMessage> builder = HubConfig.builder(new ChatCodec());
    // Past the limit a message is dropped and answered "slow down" (ChatHandler.onRateLimited):
    // one client's flood never fills the other members' outboxes, nor closes them.
    options.hubRateLimit().ifPresent(builder::rateLimit);
    return builder
        .handler(handler)
        .authenticator(ChatHandler::authenticate)
        .historySize(options.history())
        // A resume replays one history message, so any number of messages fits the outbox.
        .replayLimit(
            Math.max(1, Math.min(options.history(), HubConfig.DEFAULT_MAX_OUTBOX_FRAMES - 1)))
        .backplane(directory::backplane)
        // Who is in each room and who is online: the hub's presence, on every server.
        .presence(
            PresenceConfig.<ChatMessage>builder(
                    s ->
                        ChatHandler.presenceMessage(
                            s.room(), s.users().stream().map(PresenceUser::user).toList()),
                    d -> ChatHandler.presenceMessage(d.room(), d.members()))
                .build())
        .build();
  }

  /**
   * Starts the chat.
   *
   * @throws Exception if the server cannot start (the port is taken, say)
   * @throws IllegalStateException if {@code --redis} names a Redis that cannot be reached
   */
  public static ChatServer start(ChatOptions options) throws Exception {
    requireNonNull(options, "options");
    options.redis().ifPresent(ChatServer::checkReachable);
    ChatDirectory directory =
        options
            .redis()
            .map(uri -> ChatDirectory.redis(uri, options.history()))
            .orElseGet(ChatDirectory::inMemory);
    ChatHandler handler = new ChatHandler(Clock.systemUTC(), directory);
    Hub<ChatMessage> hub = Hub.create(hubConfig(options, handler, directory));
    try {
      handler.start(hub);
      if (options.transport() == ChatOptions.Transport.JETTY) {
        JettyHubServer.Builder builder =
            JettyHubServer.builder(hub)
                .host(options.host())
                .port(options.port())
                .path("/ws")
                .staticResources("/public");
        options.tls().map(ChatServer::identity).ifPresent(builder::tls);
        JettyHubServer jetty = builder.start();
        return new ChatServer(options, hub, directory, jetty, jetty.port());
      }
      StaticFiles page = new StaticFiles("/public", ChatServer.class.getClassLoader());
      // The same hub as event streams at /sse, for networks that break WebSockets: the same
      // admission (name, origin), the same messages, the same ChatHandler.
      HubEventStream sse = HubEventStream.create(hub, SSE_PATH);
      NettyHubServer.Builder builder =
          NettyHubServer.builder(hub)
              .host(options.host())
              .port(options.port())
              .path("/ws")
              .streamingHttpHandler(sse::newHandler)
              .httpHandler(() -> page);
      options.tls().map(ChatServer::identity).ifPresent(builder::tls);
      NettyHubServer netty = builder.start();
      return new ChatServer(options, hub, directory, netty, netty.port());
    } catch (Exception | Error e) {
      hub.shutdown(Duration.ZERO);
      directory.close();
      throw e;
    }
  }

  /**
   * Fails at once, and says what to do, when nothing takes a TCP connection at the Redis address,
   * before the hub and its backplane start (which would retry it in the background).
   */
  private static void checkReachable(URI redis) {
    String host = redis.getHost();
    int port = redis.getPort() == -1 ? 6379 : redis.getPort();
    String why;
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(host, port), (int) REDIS_CONNECT.toMillis());
      return;
    } catch (UnknownHostException e) {
      why = "unknown host";
    } catch (ConnectException e) {
      why = "connection refused";
    } catch (SocketTimeoutException e) {
      why = "no answer within " + REDIS_CONNECT.toSeconds() + " s";
    } catch (IOException e) {
      why = e.getClass().getSimpleName();
    }
    throw new IllegalStateException(
        "cannot reach Redis at "
            + host
            + ":"
            + port
            + " ("
            + why
            + "): start Redis there, or check the address given to --redis");
  }

  /** The port the chat listens on. */
  public int port() {
    return port;
  }

  /** The hub, to look at or to broadcast from. */
  public Hub<ChatMessage> hub() {
    return hub;
  }

  /** The options it was started with. */
  public ChatOptions options() {
    return options;
  }

  /** The {@code --metrics} endpoint's address, such as {@code http://localhost:9090/metrics}. */
  public java.util.Optional<URI> metricsUri() {
    return metrics == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            URI.create("http://" + pageUri().getHost() + ":" + metrics.port() + "/metrics"));
  }

  /** The page's address, such as {@code http://localhost:8080/}. */
  public URI pageUri() {
    String host = options.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "localhost";
    } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create(
        (options.tls().isPresent() ? "https://" : "http://") + host + ":" + port + "/");
  }

  /** The server's TLS identity from {@code --tls-cert} and {@code --tls-key}. */
  private static TlsIdentity identity(ChatOptions.Tls tls) {
    try {
      return TlsIdentity.pem(tls.certificateChain(), tls.privateKey());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e); // one line on stderr, exit 1
    }
  }

  /**
   * Shuts the hub down (clients see 1001), takes this server's users out of the shared directory
   * and stops the server. Idempotent.
   */
  @Override
  public void close() {
    try {
      hub.shutdown(DRAIN).get(DRAIN.toMillis() + 8000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      log.warn("chat hub shutdown did not complete cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    directory.close();
    try {
      server.close();
    } catch (Exception e) {
      log.warn("stopping the chat server failed", e);
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  @Override
  public String toString() {
    return "ChatServer[" + options.transport() + ", " + pageUri() + "]";
  }
}
