package dev.hubcast.redis;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import dev.hubcast.redis.internal.EnvelopeCodec;
import dev.hubcast.redis.internal.LettuceClients;
import dev.hubcast.redis.internal.RedisHistoryStore;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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
 * act as one hub, and any of them can resume a client from its room position. Thread-safe;
 * envelopes are handed to the hub on Lettuce's I/O thread, one at a time.
 *
 * <pre>{@code
 * RedisBackplane redis = RedisBackplane.builder("redis://127.0.0.1:6379")
 *     .history(1000)                    // each room's last 1,000 broadcasts
 *     .historyAge(Duration.ofHours(1))  // for at most an hour
 *     .build();
 * Hub<String> hub = Hub.create(HubConfig.textBuilder().backplane(() -> redis).build());
 * }</pre>
 *
 * <ul>
 *   <li>One channel, {@code <prefix>:bus}: every node subscribes to it and ignores its own
 *       envelopes. A broadcast that is not to a room is one {@code PUBLISH}; publishes from one
 *       node go out in order on one connection, so one node's broadcasts reach the others in the
 *       order it made them.
 *   <li>Room broadcasts go through the {@link #historyStore() history store}, always present so
 *       that a room's numbers mean the same on every node: one Lua script ({@code append.lua}, in
 *       this package's resources) numbers the broadcast in the room's hash {@code
 *       <prefix>:position:<room>} (fields {@code epoch} and {@code seq}), appends it to the room's
 *       stream {@code <prefix>:history:<room>} (entry ID {@code <seq>-0}, bounded by {@link
 *       Builder#history}, exact as read, and by {@link Builder#historyAge}) and publishes it,
 *       numbered, on the channel: a number is never handed out without its broadcast being stored.
 *       A room's epoch is minted by the same script (or by {@code read.lua}, when a node first asks
 *       about the room), so every node agrees on it; when Redis loses the room (flushed, restarted
 *       empty, expired), the next broadcast or read mints a new one and resumes across it answer
 *       {@code EPOCH_CHANGED}.
 *   <li>Signals (presence, {@link dev.hubcast.core.PresenceConfig}) go on a second channel, {@code
 *       <prefix>:signals}, one {@code PUBLISH} each, in order per node. Presence keeps no key in
 *       Redis: each node holds every node's entries, learnt from these signals and their
 *       heartbeats, so Redis Cluster needs nothing of it but its (cluster-wide) publish.
 *   <li>Expiry: every room broadcast renews the stream's expiry (the history age when set, else
 *       {@link Builder#roomIdleTtl}, 1 day) and the hash's, {@link Builder#metadataGrace} (1 day)
 *       longer, so a room whose history expired keeps its epoch and number for that long and
 *       resumes from before answer {@code TOO_OLD} rather than {@code EPOCH_CHANGED}.
 *   <li>Nothing blocks: publishes and scripts are asynchronous; while Redis is unreachable they
 *       fail at once, and Lettuce reconnects in the background, resubscribing, within about a
 *       second of Redis coming back. Meanwhile a node numbers its room broadcasts alone and
 *       delivers them to its own connections only (the hub counts them); Redis never holds them, so
 *       a resume across one of those numbers answers {@code MISSING}.
 *   <li>A room broadcast lost on its way to a node (a pub/sub message missed while its subscription
 *       reconnects) is read back from the room's stream by the hub; only what the stream no longer
 *       holds is a gap.
 *   <li>An envelope that cannot be read (garbage, another version) is logged and skipped.
 * </ul>
 *
 * <p>Needs Redis 6.2 or later (streams trimmed by {@code MINID}); one Redis, not a cluster.
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

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DEFAULT_ROOM_IDLE_TTL = Duration.ofDays(1);
  private static final Duration DEFAULT_METADATA_GRACE = Duration.ofDays(1);
  private static final Duration LONGEST = Duration.ofDays(365);
  private static final long BAD_ENVELOPE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisURI uri;
  private final String prefix;
  private final byte[] channel;
  private final byte[] signals;
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
  private final RedisHistoryStore store;

  private RedisBackplane(Builder builder) {
    Duration timeout = builder.commandTimeout == null ? DEFAULT_TIMEOUT : builder.commandTimeout;
    this.uri = builder.uri;
    uri.setTimeout(timeout);
    this.prefix = builder.prefix;
    this.channel = (prefix + ":bus").getBytes(StandardCharsets.UTF_8);
    this.signals = (prefix + ":signals").getBytes(StandardCharsets.UTF_8);
    this.ownsClient = builder.client == null;
    this.client =
        ownsClient
            ? LettuceClients.create(uri, timeout, builder.trustedCertificates)
            : builder.client;
    long streamTtl =
        (builder.historyAge.isZero() ? builder.roomIdleTtl : builder.historyAge).toMillis();
    this.store =
        new RedisHistoryStore(
            () -> closed.get() ? null : commands,
            prefix,
            channel,
            builder.history,
            builder.historyAge.toMillis(),
            streamTtl,
            streamTtl + builder.metadataGrace.toMillis(),
            this::badEnvelope,
            // one thread, so that answers reach the hub in the order Redis gave them
            client.getResources().eventExecutorGroup().next());
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

  /**
   * As {@link #newClient(String, Duration)}, for a {@code rediss://} Redis whose certificate is
   * checked against {@code trustedCertificates} (PEM: a private CA, or the server's own self-signed
   * certificate) instead of the JDK's trust store.
   */
  public static RedisClient newClient(
      String uri, Duration commandTimeout, Path trustedCertificates) {
    requireNonNull(uri, "uri");
    return LettuceClients.create(
        RedisURI.create(uri),
        positive(commandTimeout),
        checkReadable(requireNonNull(trustedCertificates, "trustedCertificates")));
  }

  private static Path checkReadable(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("trustedCertificates: " + file + " (not a readable file)");
    }
    return file;
  }

  private static Duration positive(Duration commandTimeout) {
    requireNonNull(commandTimeout, "commandTimeout");
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException("commandTimeout: " + commandTimeout + " (expected: > 0)");
    }
    return commandTimeout;
  }

  /**
   * The store that numbers, keeps and publishes room broadcasts in Redis; always present, so that
   * room numbers are shared (with {@link Builder#history} and {@link Builder#historyAge} both unset
   * it only numbers: {@link HistoryStore#keepsHistory()} is false). It {@link
   * HistoryStore#publishes() publishes} room broadcasts itself.
   */
  @Override
  public Optional<HistoryStore> historyStore() {
    return Optional.of(store);
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
        ps.sync().subscribe(channel, signals);
        pubSub = ps;
      }
      if (commands == null) {
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE, uri);
        try {
          RedisHistoryStore.loadScripts(c);
        } catch (RuntimeException e) {
          c.close();
          throw e;
        }
        commands = c;
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

  /** It does: on the channel {@code <prefix>:signals}, which every node subscribes to. */
  @Override
  public boolean supportsSignals() {
    return true;
  }

  @Override
  public CompletionStage<Void> signal(byte[] payload) {
    requireNonNull(payload, "payload");
    StatefulRedisConnection<byte[], byte[]> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    try {
      return c.async().publish(signals, payload).thenApply(n -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Envelopes that could not be read since this backplane started, from the channel or from a
   * room's history.
   */
  public long badEnvelopes() {
    return badEnvelopes.get();
  }

  /** The same as {@link #badEnvelopes()}, for the hub's metrics. */
  @Override
  public long unreadable() {
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

  /** Counts an envelope that cannot be read, and logs it at most once every 10 s. */
  private void badEnvelope(IllegalArgumentException e) {
    long n = badEnvelopes.incrementAndGet();
    long now = System.nanoTime();
    long last = lastBadLog.get();
    if (now - last > BAD_ENVELOPE_LOG_INTERVAL_NANOS && lastBadLog.compareAndSet(last, now)) {
      log.warn(
          "node {}: skipped an unreadable envelope ({} so far): {}", nodeId, n, e.getMessage());
    }
  }

  private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {
    @Override
    public void message(byte[] ch, byte[] message) {
      if (Arrays.equals(ch, signals)) {
        try {
          receiver.signal(message); // the receiver checks the bytes and skips its own
        } catch (RuntimeException e) {
          log.warn("node {}: a signal could not be handled: {}", nodeId, e.toString());
        }
        return;
      }
      Envelope envelope;
      try {
        envelope = EnvelopeCodec.decode(message);
      } catch (IllegalArgumentException e) {
        badEnvelope(e);
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
      StatefulRedisConnection<byte[], byte[]> c = commands;
      if (connection == c && !closed.get()) {
        RedisHistoryStore.loadScriptsLater(c); // Redis may have come back empty
      }
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
    private Path trustedCertificates; // null: the JDK's trust store, for rediss://
    private int history;
    private Duration historyAge = Duration.ZERO;
    private Duration roomIdleTtl = DEFAULT_ROOM_IDLE_TTL;
    private Duration metadataGrace = DEFAULT_METADATA_GRACE;

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * The prefix of the channel and keys ({@code <prefix>:bus}, {@code <prefix>:position:<room>},
     * {@code <prefix>:history:<room>}): nodes with the same prefix form one hub. Default "hubcast".
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

    /**
     * How many broadcasts each room's history keeps (0-1,000,000), exactly: a read answers the
     * room's last {@code size} numbers only (the stream itself is trimmed by whole nodes, which is
     * far cheaper, so it may hold a few more). With 0 and no {@link #historyAge}, the default, the
     * store only numbers room broadcasts, and a resume from an older position answers {@code
     * NO_HISTORY}. With 0 and an age, the age alone bounds the history. Every node of a hub should
     * keep the same.
     *
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    public Builder history(int size) {
      if (size < 0 || size > 1_000_000) {
        throw new IllegalArgumentException("history: " + size + " (expected: 0-1000000)");
      }
      this.history = size;
      return this;
    }

    /**
     * How long a broadcast stays in its room's stream (zero, the default: no bound by age; else 1
     * ms to 365 days). Older entries are trimmed as the room's broadcasts come and never answered;
     * the stream expires this long after the room's last broadcast. Usable alone or with {@link
     * #history}. Give the hub's {@code HubConfig.maxHistoryAge} the same, so that its memory in
     * front of the store agrees.
     *
     * @throws IllegalArgumentException if {@code age} is negative, below 1 ms or above 365 days
     */
    public Builder historyAge(Duration age) {
      requireNonNull(age, "age");
      if (!age.isZero()) {
        within("historyAge", age);
      }
      this.historyAge = age;
      return this;
    }

    /**
     * How long a room's stream lives after its last broadcast when no {@link #historyAge} is set (1
     * ms to 365 days). Default 1 day.
     *
     * @throws IllegalArgumentException if {@code ttl} is out of range
     */
    public Builder roomIdleTtl(Duration ttl) {
      this.roomIdleTtl = within("roomIdleTtl", ttl);
      return this;
    }

    /**
     * How much longer than its stream a room's epoch and number live after its last broadcast (1 ms
     * to 365 days), so that a client resuming from a position whose history has expired is told
     * {@code TOO_OLD}, and only after that {@code EPOCH_CHANGED}. Default 1 day.
     *
     * @throws IllegalArgumentException if {@code grace} is out of range
     */
    public Builder metadataGrace(Duration grace) {
      this.metadataGrace = within("metadataGrace", grace);
      return this;
    }

    private static Duration within(String name, Duration value) {
      requireNonNull(value, name);
      if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: 1ms-365d)");
      }
      return value;
    }

    /** The backplane; it connects when a hub starts it. */
    /**
     * For a {@code rediss://} URI: checks the server's certificate against {@code pem} (a private
     * CA's certificate, or the server's own self-signed one) instead of the JDK's trust store. A
     * password goes in the URI ({@code rediss://:secret@host:6380}, or {@code user:secret@} with an
     * ACL user); it is never logged.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     * @throws IllegalStateException if a {@link #client} was given (set it in {@link #newClient})
     */
    public Builder trustedCertificates(Path pem) {
      checkReadable(requireNonNull(pem, "pem"));
      if (client != null) {
        throw new IllegalStateException(
            "trustedCertificates: the given client's own TLS options apply (see newClient)");
      }
      this.trustedCertificates = pem;
      return this;
    }

    public RedisBackplane build() {
      return new RedisBackplane(this);
    }
  }
}
