package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * How to run the chat server: transport, address and history size, from command-line flags.
 *
 * <p>Immutable and thread-safe.
 *
 * @param transport the server underneath: Jetty or Netty
 * @param host the address to listen on
 * @param port the port to listen on (0 picks a free one)
 * @param history messages kept per room for newcomers (0-100,000)
 */
public record ChatOptions(Transport transport, String host, int port, int history) {

  /** Netty on localhost:8080, the last 50 messages per room. */
  public static final ChatOptions DEFAULT = new ChatOptions(Transport.NETTY, "localhost", 8080, 50);

  /** What {@code --help} prints. */
  public static final String USAGE =
      String.join(
          "\n",
          "usage: ChatServer [--transport jetty|netty] [--host HOST] [--port PORT] [--history N]",
          "  --transport  the server underneath (default netty)",
          "  --host       the address to listen on (default localhost; 0.0.0.0 for every"
              + " interface)",
          "  --port       the port (default 8080; 0 picks a free one)",
          "  --history    messages kept per room and shown to newcomers (default 50)");

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
        default:
          throw new IllegalArgumentException("unknown flag: " + flag);
      }
    }
    return new ChatOptions(transport, host, port, history);
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
