package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * How to run the chat server: transport, address, history size and, to run several servers as one
 * chat, the Redis they share; from command-line flags.
 *
 * <p>Immutable and thread-safe.
 *
 * @param transport the server underneath: Jetty or Netty
 * @param host the address to listen on
 * @param port the port to listen on (0 picks a free one)
 * @param history messages kept per room for newcomers (0-100,000)
 * @param redis the Redis that servers of one chat share ({@code redis://HOST:PORT}); empty for a
 *     chat in this process alone
 */
public record ChatOptions(
    Transport transport, String host, int port, int history, Optional<URI> redis) {

  /** Netty on localhost:8080, the last 50 messages per room, no Redis. */
  public static final ChatOptions DEFAULT = new ChatOptions(Transport.NETTY, "localhost", 8080, 50);

  /** What {@code --help} prints. */
  public static final String USAGE =
      String.join(
          "\n",
          "usage: ChatServer [--transport jetty|netty] [--host HOST] [--port PORT] [--history N]"
              + " [--redis redis://HOST:PORT]",
          "  --transport  the server underneath (default netty)",
          "  --host       the address to listen on (default localhost; 0.0.0.0 for every"
              + " interface)",
          "  --port       the port (default 8080; 0 picks a free one)",
          "  --history    messages kept per room and shown to newcomers (default 50)",
          "  --redis      share rooms, presence and private messages with the other chat servers"
              + " on this Redis (default: none, this server alone)");

  /** The servers the chat runs on. Immutable and thread-safe, as enums are. */
  public enum Transport {
    /** Jetty 12, through hub-jetty. */
    JETTY,
    /** Netty 4.2, through hub-netty. */
    NETTY
  }

  /** Checks every value. */
  public ChatOptions {
    requireNonNull(transport, "transport");
    requireNonNull(redis, "redis");
    redis.ifPresent(ChatOptions::checkRedis);
    requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("--host: \"" + host + "\" (expected: a host name or IP)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port: " + port + " (expected: 0-65535)");
    }
    if (history < 0 || history > 100_000) {
      throw new IllegalArgumentException("--history: " + history + " (expected: 0-100000)");
    }
  }

  /** Options for a chat in this process alone (no Redis). */
  public ChatOptions(Transport transport, String host, int port, int history) {
    this(transport, host, port, history, Optional.empty());
  }

  /** These options with {@code redis} as the Redis to share ({@code redis://HOST:PORT}). */
  public ChatOptions withRedis(URI redis) {
    return new ChatOptions(transport, host, port, history, Optional.of(redis));
  }

  /**
   * Reads flags as {@code --name value} or {@code --name=value}; what is not given keeps its {@link
   * #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the flag or value that is wrong
   */
  public static ChatOptions parse(String... args) {
    Transport transport = DEFAULT.transport;
    String host = DEFAULT.host;
    int port = DEFAULT.port;
    int history = DEFAULT.history;
    Optional<URI> redis = DEFAULT.redis;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String value;
      int eq = flag.indexOf('=');
      if (eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(flag + ": missing value");
      }
      switch (flag) {
        case "--transport":
          transport = transport(value);
          break;
        case "--host":
          host = value;
          break;
        case "--port":
          port = number(flag, value);
          break;
        case "--history":
          history = number(flag, value);
          break;
        case "--redis":
          redis = Optional.of(redis(value));
          break;
        default:
          throw new IllegalArgumentException("unknown flag: " + flag);
      }
    }
    return new ChatOptions(transport, host, port, history, redis);
  }

  private static URI redis(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "--redis: \"" + shown(value) + "\" (expected: redis://HOST:PORT)", e);
    }
    checkRedis(uri);
    return uri;
  }

  /** A Redis address: {@code redis://} or {@code rediss://} (TLS), a host, an optional port. */
  private static void checkRedis(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean ok =
        (scheme.equals("redis") || scheme.equals("rediss"))
            && uri.getHost() != null
            && (uri.getPort() == -1 || (uri.getPort() > 0 && uri.getPort() <= 65535))
            && (uri.getRawPath() == null || uri.getRawPath().matches("(/[0-9]{0,2})?"))
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
    if (!ok) {
      throw new IllegalArgumentException(
          "--redis: \"" + shown(uri.toString()) + "\" (expected: redis://HOST:PORT)");
    }
  }

  /** A Redis address without its password, if it has one, for messages and logs. */
  static String shown(String uri) {
    return uri.replaceAll("//[^/@]*@", "//***@");
  }

  /** The options, with a Redis password (if any) left out. */
  @Override
  public String toString() {
    return "ChatOptions[transport="
        + transport
        + ", host="
        + host
        + ", port="
        + port
        + ", history="
        + history
        + ", redis="
        + redis.map(r -> shown(r.toString())).orElse("none")
        + "]";
  }

  private static Transport transport(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "jetty":
        return Transport.JETTY;
      case "netty":
        return Transport.NETTY;
      default:
        throw new IllegalArgumentException(
            "--transport: \"" + value + "\" (expected: jetty or netty)");
    }
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": \"" + value + "\" (expected: a number)", e);
    }
  }
}
