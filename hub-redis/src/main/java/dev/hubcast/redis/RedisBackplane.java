package dev.hubcast.redis;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.RoomSequencer;
import dev.hubcast.redis.internal.EnvelopeCodec;
import dev.hubcast.redis.internal.LettuceClients;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} on Redis, through Lettuce: several hub nodes, each with its own transport,
 * act as one hub. Thread-safe; envelopes are handed to the hub on Lettuce's I/O thread, one at a
 * time.
 *
 * <pre>{@code
 * RedisBackplane redis = RedisBackplane.create("redis://127.0.0.1:6379");
 * Hub<String> hub = Hub.create(HubConfig.textBuilder().backplane(() -> redis).build());
 * }</pre>
 *
 * <ul>
 *   <li>One {@code PUBLISH} per broadcast on one channel ({@code <prefix>:bus}); every node
 *       subscribes to it and ignores its own envelopes. Publishes from one node go out in order on
 *       one connection, so one node's broadcasts reach the others in the order it made them.
 *   <li>Room numbers are shared: a Lua script {@code INCR}s {@code <prefix>:seq:<room>} (never
 *       below what the node has already seen), so a room's {@code seq} means the same on every
 *       node.
 *   <li>Nothing blocks: publishes and numbers are asynchronous; while Redis is unreachable they
 *       fail at once (the hub then delivers locally and counts them), and Lettuce reconnects in the
 *       background, resubscribing, within about a second of Redis coming back.
 *   <li>An envelope that cannot be read (garbage, another version) is logged and skipped.
 * </ul>
 *
 * <p>A backplane makes its own Lettuce client and shuts it down when it closes. An application that
 * talks to the same Redis for other things shares one client instead, and with it one set of
 * threads and one reconnect policy: it makes the client with {@link #newClient(String)}, gives it
 * to each backplane with {@link Builder#client}, and shuts it down itself once the hubs have shut
 * down (a hub closes its backplane at the end of its shutdown; the backplane then closes its own
 * connections and leaves the client running):
 *
 * <pre>{@code
 * RedisClient redis = RedisBackplane.newClient("redis://127.0.0.1:6379");
 * Hub<String> hub = Hub.create(HubConfig.textBuilder()
 *     .backplane(() -> RedisBackplane.builder("redis://127.0.0.1:6379").client(redis).build())
 *     .build());
 * // ... and when the application stops:
 * hub.shutdown(Duration.ofSeconds(2)).get();  // closes the backplane
 * redis.shutdown();                            // then the client, by whoever made it
 * }</pre>
 */
public final class RedisBackplane implements Backplane {

  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  /** INCR that never answers at or below what the asking node has seen (next-number.lua). */
  private static final String NEXT_NUMBER = script("next-number.lua");

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  private static final long BAD_ENVELOPE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisURI uri;
  private final String prefix;
  private final byte[] channel;
  private final RedisClient client;
  private final boolean ownsClient;
  private final ConnectionLog connectionLog = new ConnectionLog();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong badEnvelopes = new AtomicLong();
  private final AtomicLong lastBadLog = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
  private volatile String nodeId;
  private volatile Receiver receiver;
  private volatile StatefulRedisConnection<byte[], byte[]> commands;
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

  private RedisBackplane(Builder builder) {
    Duration timeout = builder.commandTimeout == null ? DEFAULT_TIMEOUT : builder.commandTimeout;
    this.uri = builder.uri;
    uri.setTimeout(timeout);
    this.prefix = builder.prefix;
    this.channel = (prefix + ":bus").getBytes(StandardCharsets.UTF_8);
    this.ownsClient = builder.client == null;
    this.client = ownsClient ? LettuceClients.create(uri, timeout) : builder.client;
    client.addListener(connectionLog);
  }

  /**
   * A backplane on the Redis at {@code uri} ({@code redis://host:port}), channel prefix "hubcast".
   */
  public static RedisBackplane create(String uri) {
    return builder(uri).build();
  }

  /** A builder for a backplane on the Redis at {@code uri}. */
  public static Builder builder(String uri) {
    return new Builder(RedisURI.create(requireNonNull(uri, "uri")));
  }

  /**
   * A Lettuce client for the Redis at {@code uri} ({@code redis://host:port}) with the backplane's
   * connection policy and a command timeout of 2 s; see {@link #newClient(String, Duration)}.
   */
  public static RedisClient newClient(String uri) {
    return newClient(uri, DEFAULT_TIMEOUT);
  }

  /**
   * A Lettuce client for the Redis at {@code uri} ({@code redis://host:port}) with the connection
   * policy every backplane uses, to share between backplanes ({@link Builder#client}) and whatever
   * else the application keeps in the same Redis:
   *
   * <ul>
   *   <li>it reconnects by itself, after 50 ms, then at most 1 s apart (equal jitter), and
   *       subscribes again;
   *   <li>while disconnected, commands fail at once instead of queueing;
   *   <li>a command, and an attempt to connect, fail after {@code commandTimeout} without an
   *       answer.
   * </ul>
   *
   * <p>The client has threads of its own; {@link RedisClient#shutdown()} stops them. Whoever calls
   * this shuts the client down, after everything that uses it (the hubs of its backplanes first).
   *
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI or {@code commandTimeout} is
   *     not positive
   */
  public static RedisClient newClient(String uri, Duration commandTimeout) {
    requireNonNull(uri, "uri");
    return LettuceClients.create(RedisURI.create(uri), positive(commandTimeout));
  }

  private static Duration positive(Duration commandTimeout) {
    requireNonNull(commandTimeout, "commandTimeout");
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException("commandTimeout: " + commandTimeout + " (expected: > 0)");
    }
    return commandTimeout;
  }

  /** A script from this package's resources, read once. */
  private static String script(String name) {
    try (InputStream in = RedisBackplane.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource dev/hubcast/redis/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dev/hubcast/redis/" + name, e);
    }
  }

  @Override
  public Optional<RoomSequencer> sequencer() {
    return Optional.of(this::nextNumber);
  }

  @Override
  public void start(String nodeId, Receiver receiver) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.receiver = requireNonNull(receiver, "receiver");
    connect();
  }

  /** Connects both connections; if Redis is not there yet, tries again in the background. */
  private void connect() {
    if (closed.get()) {
      return;
    }
    try {
      if (pubSub == null) {
        StatefulRedisPubSubConnection<byte[], byte[]> ps =
            client.connectPubSub(ByteArrayCodec.INSTANCE, uri);
        ps.addListener(new Listener());
        ps.sync().subscribe(channel);
        pubSub = ps;
      }
      if (commands == null) {
        commands = client.connect(ByteArrayCodec.INSTANCE, uri);
      }
      down.set(false);
      log.info("node {}: backplane on redis {}:{} ready", nodeId, uri.getHost(), uri.getPort());
    } catch (RuntimeException e) {
      if (down.compareAndSet(false, true)) {
        log.warn(
            "node {}: redis {}:{} unreachable, retrying in the background: {}",
            nodeId,
            uri.getHost(),
            uri.getPort(),
            e.toString());
      }
      try {
        client
            .getResources()
            .eventExecutorGroup()
            .schedule(this::connect, 500, TimeUnit.MILLISECONDS);
      } catch (RuntimeException rejected) {
        // the shared client was shut down first: nothing left to retry with
      }
    }
  }

  @Override
  public CompletionStage<Void> publish(Envelope envelope) {
    StatefulRedisConnection<byte[], byte[]> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    try {
      return c.async().publish(channel, EnvelopeCodec.encode(envelope)).thenApply(n -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<Long> nextNumber(String room, long atLeast) {
    StatefulRedisConnection<byte[], byte[]> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    try {
      byte[] key = (prefix + ":seq:" + room).getBytes(StandardCharsets.UTF_8);
      return c.async()
          .<Long>eval(
              NEXT_NUMBER,
              ScriptOutputType.INTEGER,
              new byte[][] {key},
              Long.toString(atLeast).getBytes(StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Envelopes that could not be read since this backplane started. */
  public long badEnvelopes() {
    return badEnvelopes.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    StatefulRedisPubSubConnection<byte[], byte[]> ps = pubSub;
    if (ps != null) {
      ps.close();
    }
    StatefulRedisConnection<byte[], byte[]> c = commands;
    if (c != null) {
      c.close();
    }
    client.removeListener(connectionLog);
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public String toString() {
    return "RedisBackplane[" + uri.getHost() + ":" + uri.getPort() + ", prefix=" + prefix + "]";
  }

  private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {
    @Override
    public void message(byte[] ch, byte[] message) {
      Envelope envelope;
      try {
        envelope = EnvelopeCodec.decode(message);
      } catch (IllegalArgumentException e) {
        long n = badEnvelopes.incrementAndGet();
        long now = System.nanoTime();
        long last = lastBadLog.get();
        if (now - last > BAD_ENVELOPE_LOG_INTERVAL_NANOS && lastBadLog.compareAndSet(last, now)) {
          log.warn(
              "node {}: skipped an unreadable envelope ({} bytes, {} so far): {}",
              nodeId,
              message.length,
              n,
              e.getMessage());
        }
        return;
      }
      if (envelope.originNode().equals(nodeId)) {
        return;
      }
      receiver.receive(envelope);
    }
  }

  /**
   * Logs an outage once when it starts and once when it ends; it hears every connection of the
   * client, which may be shared, and minds only this backplane's two.
   */
  private final class ConnectionLog implements RedisConnectionStateListener {
    private boolean ours(RedisChannelHandler<?, ?> connection) {
      return connection == pubSub || connection == commands;
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (ours(connection) && down.compareAndSet(true, false)) {
        log.info("node {}: redis {} reachable again", nodeId, address);
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (ours(connection) && !closed.get() && down.compareAndSet(false, true)) {
        log.warn("node {}: lost redis {}:{}; reconnecting", nodeId, uri.getHost(), uri.getPort());
      }
    }
  }

  /** Builds a {@link RedisBackplane}. Not thread-safe: one thread sets it up and builds. */
  public static final class Builder {
    private final RedisURI uri;
    private String prefix = "hubcast";
    private Duration commandTimeout; // null: 2 s, or the given client's
    private RedisClient client; // null: the backplane makes and owns one

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * The prefix of the channel and keys ({@code <prefix>:bus}, {@code <prefix>:seq:<room>}): nodes
     * with the same prefix form one hub. Default "hubcast".
     */
    public Builder prefix(String prefix) {
      requireNonNull(prefix, "prefix");
      if (prefix.isEmpty() || prefix.contains(" ")) {
        throw new IllegalArgumentException(
            "prefix: \"" + prefix + "\" (expected: no spaces, not empty)");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * How long a command may wait for Redis before it fails (&gt; 0). Default 2 s. For a backplane
     * on a {@link #client} of the application's, the client's own timeout applies instead.
     *
     * @throws IllegalStateException if a {@link #client} was given
     */
    public Builder commandTimeout(Duration commandTimeout) {
      positive(commandTimeout);
      if (client != null) {
        throw new IllegalStateException(
            "commandTimeout: the given client's own timeout applies (set it in newClient)");
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Connects through {@code client} (to this builder's URI) instead of a client of the
     * backplane's own. The backplane closes only its connections; the client stays open, for other
     * backplanes and for whatever else uses it, and whoever made it shuts it down after the hubs.
     * Make it with {@link RedisBackplane#newClient} to keep the backplane's connection policy
     * (reconnect, commands failing at once while disconnected, timeouts): a client with Lettuce's
     * defaults queues commands while disconnected and reconnects up to 30 s apart.
     *
     * @throws IllegalStateException if a {@link #commandTimeout} was given
     */
    public Builder client(RedisClient client) {
      requireNonNull(client, "client");
      if (commandTimeout != null) {
        throw new IllegalStateException(
            "client: the backplane uses the client's own timeout, not commandTimeout "
                + commandTimeout);
      }
      this.client = client;
      return this;
    }

    /** The backplane; it connects when a hub starts it. */
    public RedisBackplane build() {
      return new RedisBackplane(this);
    }
  }
}
