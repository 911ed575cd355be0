package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.RateLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How to run the chat server: transport, address, history size and, to run several servers as one
 * chat, the Redis they share; from command-line flags, read by picocli ({@link #commandLine}).
 * Immutable and thread-safe.
 *
 * @param transport the server underneath: Jetty or Netty
 * @param host the address to listen on
 * @param port the port to listen on (0 picks a free one)
 * @param history messages kept per room for newcomers (0-100,000)
 * @param redis the Redis that servers of one chat share ({@code redis://HOST:PORT}); empty for a
 *     chat in this process alone
 * @param rateLimit messages a connection may send per second, with bursts of twice as many
 *     (0-10,000; 0 for no limit)
 * @param metricsPort the port of a {@code /metrics} endpoint in Prometheus text format, on {@code
 *     host} (0 picks a free one); empty for none
 * @param tls the certificate chain and private key (PEM) to serve {@code https://} and {@code
 *     wss://} with; empty for plain HTTP
 */
public record ChatOptions(
    Transport transport,
    String host,
    int port,
    int history,
    Optional<URI> redis,
    int rateLimit,
    OptionalInt metricsPort,
    Optional<Tls> tls) {

  /**
   * The server's TLS identity, as PEM files: the certificate chain (the server's first) and its
   * unencrypted PKCS#8 private key. Immutable.
   *
   * @param certificateChain the chain, PEM
   * @param privateKey the key, PEM ({@code BEGIN PRIVATE KEY})
   */
  public record Tls(Path certificateChain, Path privateKey) {
    /** Checks that both are given. */
    public Tls {
      requireNonNull(certificateChain, "certificateChain");
      requireNonNull(privateKey, "privateKey");
    }
  }

  /** Messages a connection may send per second by default ({@code --rate-limit}). */
  public static final int DEFAULT_RATE_LIMIT = 20;

  /** Netty on localhost:8080, the last 50 messages per room, no Redis, 20 messages/s. */
  public static final ChatOptions DEFAULT = new ChatOptions(Transport.NETTY, "localhost", 8080, 50);

  /** The servers the chat runs on. Immutable and thread-safe, as enums are. */
  public enum Transport {
    /** Jetty 12, through hub-jetty: WebSocket only, no {@code /sse}. */
    JETTY,
    /** Netty 4.2, through hub-netty, with hub-sse's event streams at {@code /sse}. */
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
    if (rateLimit < 0 || rateLimit > 10_000) {
      throw new IllegalArgumentException(
          "--rate-limit: " + rateLimit + " (expected: 0-10000, 0 for no limit)");
    }
    requireNonNull(tls, "tls");
    requireNonNull(metricsPort, "metricsPort");
    if (metricsPort.isPresent() && (metricsPort.getAsInt() < 0 || metricsPort.getAsInt() > 65535)) {
      throw new IllegalArgumentException(
          "--metrics: " + metricsPort.getAsInt() + " (expected: 0-65535)");
    }
  }

  /** Options without TLS. */
  public ChatOptions(
      Transport transport,
      String host,
      int port,
      int history,
      Optional<URI> redis,
      int rateLimit,
      OptionalInt metricsPort) {
    this(transport, host, port, history, redis, rateLimit, metricsPort, Optional.empty());
  }

  /** Options without a metrics endpoint. */
  public ChatOptions(
      Transport transport, String host, int port, int history, Optional<URI> redis, int rateLimit) {
    this(transport, host, port, history, redis, rateLimit, OptionalInt.empty());
  }

  /** Options with the default rate limit. */
  public ChatOptions(Transport transport, String host, int port, int history, Optional<URI> redis) {
    this(transport, host, port, history, redis, DEFAULT_RATE_LIMIT);
  }

  /** Options for a chat in this process alone (no Redis), with the default rate limit. */
  public ChatOptions(Transport transport, String host, int port, int history) {
    this(transport, host, port, history, Optional.empty());
  }

  /** These options with {@code redis} as the Redis to share ({@code redis://HOST:PORT}). */
  public ChatOptions withRedis(URI redis) {
    return new ChatOptions(
        transport, host, port, history, Optional.of(redis), rateLimit, metricsPort, tls);
  }

  /** These options with {@code perSecond} as the rate limit (0 for none). */
  public ChatOptions withRateLimit(int perSecond) {
    return new ChatOptions(transport, host, port, history, redis, perSecond, metricsPort, tls);
  }

  /** These options with a {@code /metrics} endpoint on {@code port} (0 picks a free one). */
  public ChatOptions withMetrics(int port) {
    return new ChatOptions(
        transport, host, this.port, history, redis, rateLimit, OptionalInt.of(port), tls);
  }

  /** These options serving {@code https://} and {@code wss://} with {@code tls}. */
  public ChatOptions withTls(Tls tls) {
    return new ChatOptions(
        transport, host, port, history, redis, rateLimit, metricsPort, Optional.of(tls));
  }

  /**
   * The hub's limit on each connection's messages: {@link #rateLimit()} a second with bursts of
   * twice as many; empty with {@code --rate-limit 0}.
   */
  public Optional<RateLimit> hubRateLimit() {
    return rateLimit == 0 ? Optional.empty() : Optional.of(RateLimit.of(rateLimit, 2 * rateLimit));
  }

  /**
   * Reads flags as {@code --name value} or {@code --name=value}; what is not given keeps its {@link
   * #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the flag and the value that are wrong
   */
  public static ChatOptions parse(String... args) {
    Flags flags = new Flags(options -> {});
    try {
      commandLine(flags).parseArgs(args);
      return flags.options();
    } catch (ParameterException e) {
      throw new IllegalArgumentException(hinted(e).getMessage(), e);
    }
  }

  /**
   * {@code e}, or for a bare number (the port, as other servers take it) the same with a hint:
   * {@code Unmatched argument at index 0: '8080' (to listen on port 8080, use --port 8080)}.
   */
  private static ParameterException hinted(ParameterException e) {
    if (e instanceof UnmatchedArgumentException) {
      for (String arg : ((UnmatchedArgumentException) e).getUnmatched()) {
        if (arg.matches("[0-9]{1,5}")) {
          return new ParameterException(
              e.getCommandLine(),
              e.getMessage() + " (to listen on port " + arg + ", use --port " + arg + ")",
              e);
        }
      }
    }
    return e;
  }

  /** What the command line does with the options it read: start the chat. */
  @FunctionalInterface
  interface Start {
    /** Starts the chat with {@code options}; returns once it runs. */
    void start(ChatOptions options) throws Exception;
  }

  /**
   * The chat's command line: {@link CommandLine#execute} reads the flags and calls {@code start}
   * with the options, or prints the help ({@code --help}), the version ({@code --version}), or what
   * is wrong and the help (exit code 2).
   */
  static CommandLine commandLine(Start start) {
    return commandLine(new Flags(requireNonNull(start, "start")));
  }

  private static CommandLine commandLine(Flags flags) {
    CommandLine cli = new CommandLine(flags).setCaseInsensitiveEnumValuesAllowed(true);
    IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
    return cli.setParameterExceptionHandler(
        (e, args) -> standard.handleParseException(hinted(e), args));
  }

  /** The flags, as picocli fills them in; a bad value names its flag and itself. */
  @Command(
      name = "ChatServer",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      sortOptions = false,
      description = {
        "The Hubcast example chat: its page at / and its WebSocket at /ws; on Netty also",
        "Server-Sent Events with POST at /sse, the page's fallback when WebSockets are blocked."
      })
  private static final class Flags implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = "--transport",
        paramLabel = "jetty|netty",
        defaultValue = "netty",
        description =
            "the server underneath (default: ${DEFAULT-VALUE}); only netty serves the page's SSE"
                + " fallback at /sse, so with jetty a page that cannot open a WebSocket stays"
                + " offline")
    private Transport transport;

    @Option(
        names = "--host",
        paramLabel = "HOST",
        defaultValue = "localhost",
        description =
            "the address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface)")
    private String host;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "8080",
        description = "the port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    private int port;

    @Option(
        names = "--history",
        paramLabel = "N",
        defaultValue = "50",
        description = "messages kept per room, shown to newcomers (default: ${DEFAULT-VALUE})")
    private int history;

    // No ${DEFAULT-VALUE} here: a given address may hold a password.
    @Option(
        names = "--redis",
        paramLabel = "redis://HOST:PORT",
        converter = RedisAddress.class,
        description =
            "share rooms, presence and private messages with the other chat servers on this Redis"
                + " (default: none, this server alone)")
    private URI redis;

    @Option(
        names = "--rate-limit",
        paramLabel = "N",
        defaultValue = "20",
        description =
            "messages a connection may send per second, in bursts of up to 2N; more are dropped"
                + " and answered \"slow down\" (default: ${DEFAULT-VALUE}; 0 for no limit)")
    private int rateLimit;

    @Option(
        names = "--metrics",
        paramLabel = "PORT",
        description =
            "serve the hub's and the JVM's meters at http://HOST:PORT/metrics, in Prometheus text"
                + " format (default: none)")
    private Integer metrics;

    @Option(
        names = "--tls-cert",
        paramLabel = "FILE",
        description =
            "serve https:// and wss:// with this certificate chain (PEM, the server's first);"
                + " give --tls-key too (default: plain http)")
    private Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "FILE",
        description = "the private key of --tls-cert (unencrypted PKCS#8 PEM, BEGIN PRIVATE KEY)")
    private Path tlsKey;

    private final Start start;

    Flags(Start start) {
      this.start = start;
    }

    /** The options read, checked together. */
    ChatOptions options() {
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new ParameterException(
            spec.commandLine(),
            "--tls-cert and --tls-key go together (given: "
                + (tlsCert == null ? "--tls-key" : "--tls-cert")
                + " alone)");
      }
      try {
        return new ChatOptions(
            transport,
            host,
            port,
            history,
            Optional.ofNullable(redis),
            rateLimit,
            metrics == null ? OptionalInt.empty() : OptionalInt.of(metrics),
            tlsCert == null ? Optional.empty() : Optional.of(new Tls(tlsCert, tlsKey)));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }

    @Override
    public Integer call() throws Exception {
      start.start(options());
      return 0;
    }
  }

  /** Reads {@code --redis}; the message of a bad one shows it without its password. */
  private static final class RedisAddress implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      try {
        URI uri = new URI(value);
        checkRedis(uri);
        return uri;
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new TypeConversionException("\"" + shown(value) + "\" (expected: redis://HOST:PORT)");
      }
    }
  }

  /** {@code --version}: the version the build wrote into {@code chat.properties}. */
  private static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = ChatOptions.class.getResourceAsStream("chat.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"Hubcast chat " + p.getProperty("version", "(version unknown)")};
    }
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
        + ", rateLimit="
        + rateLimit
        + ", metrics="
        + (metricsPort.isPresent() ? Integer.toString(metricsPort.getAsInt()) : "none")
        + ", tls="
        + tls.map(t -> t.certificateChain().toString()).orElse("none")
        + "]";
  }
}
