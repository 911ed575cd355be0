package dev.hubcast.redis;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.RoomSequencer;
import dev.hubcast.redis.internal.EnvelopeCodec;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
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
 * act as one hub.
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
 * <p>Thread-safe. Envelopes are handed to the hub on Lettuce's I/O thread, one at a time.
 */
public final class RedisBackplane implements Backplane {

  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  /**
   * INCR that never answers at or below ARGV[1]: after an outage, when nodes numbered on their own,
   * the shared counter jumps past what the asking node has seen.
   */
  private static final String NEXT_NUMBER =
      "local n = redis.call('INCR', KEYS[1]) "
          + "local floor = tonumber(ARGV[1]) "
          + "if n <= floor then n = floor + 1 redis.call('SET', KEYS[1], n) end "
          + "return n";

  private static final long BAD_ENVELOPE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisURI uri;
  private final String prefix;
  private final byte[] channel;
  private final ClientResources resources;
  private final RedisClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong badEnvelopes = new AtomicLong();
  private final AtomicLong lastBadLog = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
  private volatile String nodeId;
  private volatile Receiver receiver;
  private volatile StatefulRedisConnection<byte[], byte[]> commands;
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

  private RedisBackplane(RedisURI uri, String prefix, Duration commandTimeout) {
    this.uri = uri;
    this.prefix = prefix;
    this.channel = (prefix + ":bus").getBytes(StandardCharsets.UTF_8);
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.equalJitter(
                    Duration.ofMillis(50), Duration.ofMillis(1000), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
            .build());
    client.addListener(new ConnectionLog());
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
            client.connectPubSub(ByteArrayCodec.INSTANCE);
        ps.addListener(new Listener());
        ps.sync().subscribe(channel);
        pubSub = ps;
      }
      if (commands == null) {
        commands = client.connect(ByteArrayCodec.INSTANCE);
      }
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
      resources.eventExecutorGroup().schedule(this::connect, 500, TimeUnit.MILLISECONDS);
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
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
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

  /** Logs an outage once when it starts and once when it ends. */
  private final class ConnectionLog implements RedisConnectionStateListener {
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (down.compareAndSet(true, false)) {
        log.info("node {}: redis {} reachable again", nodeId, address);
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (!closed.get() && down.compareAndSet(false, true)) {
        log.warn("node {}: lost redis {}:{}; reconnecting", nodeId, uri.getHost(), uri.getPort());
      }
    }
  }

  /**
   * Builds a {@link RedisBackplane}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final RedisURI uri;
    private String prefix = "hubcast";
    private Duration commandTimeout = Duration.ofSeconds(2);

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

    /** How long a command may wait for Redis before it fails (&gt; 0). Default 2 s. */
    public Builder commandTimeout(Duration commandTimeout) {
      requireNonNull(commandTimeout, "commandTimeout");
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException(
            "commandTimeout: " + commandTimeout + " (expected: > 0)");
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /** The backplane; it connects when a hub starts it. */
    public RedisBackplane build() {
      return new RedisBackplane(uri, prefix, commandTimeout);
    }
  }
}
