package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat app: a hub with the {@link ChatHandler}, served by Jetty or Netty, with the web page at
 * {@code /} and the chat WebSocket at {@code /ws}. Everything is in this process: no database, no
 * broker.
 *
 * <pre>{@code
 * mvn -q -B -pl examples exec:java -Dexec.args="--transport jetty --port 8080"
 * }</pre>
 *
 * <p>Thread-safe. {@link #start} returns once the server listens; {@link #close()} shuts the hub
 * down (clients get 1001, going away) and stops the server.
 */
public final class ChatServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final Duration DRAIN = Duration.ofSeconds(2);

  private final ChatOptions options;
  private final Hub<ChatMessage> hub;
  private final AutoCloseable server;
  private final int port;

  private ChatServer(ChatOptions options, Hub<ChatMessage> hub, AutoCloseable server, int port) {
    this.options = options;
    this.hub = hub;
    this.server = server;
    this.port = port;
  }

  /** Runs the chat until the process is stopped; {@code --help} lists the flags. */
  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(ChatOptions.USAGE);
      return;
    }
    ChatOptions options;
    try {
      options = ChatOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(ChatOptions.USAGE);
      System.exit(2);
      return;
    }
    ChatServer chat = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "chat-shutdown"));
    System.out.println(
        "Chat on "
            + options.transport().name().toLowerCase(java.util.Locale.ROOT)
            + ", open "
            + chat.pageUri()
            + " (Ctrl+C stops it)");
  }

  /** The hub config of the chat: JSON messages, names checked at the handshake, room history. */
  public static HubConfig<ChatMessage> hubConfig(int history) {
    return HubConfig.builder(new ChatCodec())
        .handler(new ChatHandler())
        .authenticator(ChatHandler::authenticate)
        .historySize(history)
        .build();
  }

  /**
   * Starts the chat.
   *
   * @throws Exception if the server cannot start (the port is taken, say)
   */
  public static ChatServer start(ChatOptions options) throws Exception {
    requireNonNull(options, "options");
    Hub<ChatMessage> hub = Hub.create(hubConfig(options.history()));
    try {
      if (options.transport() == ChatOptions.Transport.JETTY) {
        JettyHubServer jetty =
            JettyHubServer.builder(hub)
                .host(options.host())
                .port(options.port())
                .path("/ws")
                .staticResources("/public")
                .start();
        return new ChatServer(options, hub, jetty, jetty.port());
      }
      NettyHubServer netty =
          NettyHubServer.builder(hub)
              .host(options.host())
              .port(options.port())
              .path("/ws")
              .staticResources("/public")
              .start();
      return new ChatServer(options, hub, netty, netty.port());
    } catch (Exception | Error e) {
      hub.shutdown(Duration.ZERO);
      throw e;
    }
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

  /** The page's address, such as {@code http://localhost:8080/}. */
  public URI pageUri() {
    String host = options.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "localhost";
    } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port + "/");
  }

  /** Shuts the hub down (clients see 1001) and stops the server. Idempotent. */
  @Override
  public void close() {
    try {
      hub.shutdown(DRAIN).get(DRAIN.toMillis() + 8000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      log.warn("chat hub shutdown did not complete cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.close();
    } catch (Exception e) {
      log.warn("stopping the chat server failed", e);
    }
  }

  @Override
  public String toString() {
    return "ChatServer[" + options.transport() + ", " + pageUri() + "]";
  }
}
