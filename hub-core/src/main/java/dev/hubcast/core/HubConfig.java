package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.backplane.Backplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Everything a {@link Hub} is made of: its codec, its handler or broadcast policy, its limits and
 * its handshake checks. Every value has a safe default, listed with its setter; {@link #toString()}
 * shows only what differs from them.
 *
 * <pre>{@code
 * HubConfig<String> config = HubConfig.textBuilder()
 *     .policy(BroadcastPolicy.ALL_EXCEPT_SENDER)
 *     .maxMessageBytes(16 * 1024)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. The builder is not thread-safe; each setter checks its value at
 * once and throws {@link IllegalArgumentException} naming it.
 *
 * @param <M> the application's message type
 */
public final class HubConfig<M> {

  /** Default largest inbound message: 64 KiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

  /** Default outbox byte limit per connection: 1 MiB. */
  public static final long DEFAULT_MAX_OUTBOX_BYTES = 1024 * 1024;

  /** Default outbox frame limit per connection: 1,000. */
  public static final int DEFAULT_MAX_OUTBOX_FRAMES = 1000;

  /** Default cap on open connections per node: 50,000. */
  public static final int DEFAULT_MAX_CONNECTIONS = 50_000;

  /** Default cap on rooms per node: 10,000. */
  public static final int DEFAULT_MAX_ROOMS = 10_000;

  /** Default idle timeout: 60 s. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** Default handshake timeout: 10 s. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /** Default close-handshake timeout: 5 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** Default drain timeout for {@link Hub#shutdown()}: 5 s. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final MessageCodec<M> codec;
  private final ConfigGroups.Wiring<M> wiring;
  private final ConfigGroups.Limits limits;
  private final ConfigGroups.Timeouts timeouts;
  private final ConfigGroups.Gate gate;

  private HubConfig(Builder<M> b) {
    this.codec = b.codec;
    this.wiring = b.wiring.copy();
    if (wiring.nodeId == null) {
      wiring.nodeId = randomNodeId();
    }
    this.limits = b.limits.copy();
    if (limits.replayLimit >= limits.maxOutboxFrames) {
      throw new IllegalArgumentException(
          "replayLimit: "
              + limits.replayLimit
              + " (expected: below maxOutboxFrames, "
              + limits.maxOutboxFrames
              + ", so that a replay never trips the slow-consumer policy)");
    }
    this.timeouts = b.timeouts.copy();
    this.gate = b.gate.copy();
  }

  /** A builder for a hub of messages encoded by {@code codec}. */
  public static <M> Builder<M> builder(MessageCodec<M> codec) {
    return new Builder<>(requireNonNull(codec, "codec"));
  }

  /** A builder for a hub of UTF-8 text messages: {@code builder(MessageCodec.text())}. */
  public static Builder<String> textBuilder() {
    return builder(MessageCodec.text());
  }

  /** The codec. */
  public MessageCodec<M> codec() {
    return codec;
  }

  /** The application's handler, if one is installed (it replaces the policy). */
  public Optional<HubHandler<M>> handler() {
    return Optional.ofNullable(wiring.handler);
  }

  /** What happens to client messages when no handler is installed. Default {@code ALL}. */
  public BroadcastPolicy policy() {
    return wiring.policy;
  }

  /** Where handlers run; empty means on the transport's I/O thread (the default). */
  public Optional<Executor> handlerExecutor() {
    return Optional.ofNullable(wiring.handlerExecutor);
  }

  /** This node's id (random unless set). */
  public String nodeId() {
    return wiring.nodeId;
  }

  /**
   * Makes the backplane of each hub built from this config; the hub starts it after it is built and
   * closes it at the end of its shutdown. Default: {@link Backplane#local()}.
   */
  public Supplier<? extends Backplane> backplane() {
    return wiring.backplane;
  }

  /** The rooms' presence, if the hub keeps it ({@link Builder#presence}). Default: none. */
  public Optional<PresenceConfig<M>> presence() {
    return Optional.ofNullable(wiring.presence);
  }

  /** The subprotocols this hub speaks, in its order of preference. Default: none. */
  public List<String> subprotocols() {
    return wiring.subprotocols;
  }

  /** The origin check. Default {@link OriginPolicy#sameOrigin()}. */
  public OriginPolicy originPolicy() {
    return gate.originPolicy;
  }

  /** The authenticator. Default {@link Authenticator#anonymous()}. */
  public Authenticator authenticator() {
    return gate.authenticator;
  }

  /** The per-connection inbound rate limit, if any. Default: none. */
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(gate.rateLimit);
  }

  /** Largest inbound message in bytes; larger ones close with 1009. Default 64 KiB. */
  public int maxMessageBytes() {
    return limits.maxMessageBytes;
  }

  /** Cap on open connections on this node. Default 50,000. */
  public int maxConnections() {
    return limits.maxConnections;
  }

  /** Cap on open connections from one remote IP address. Default unlimited. */
  public int maxConnectionsPerAddress() {
    return limits.maxConnectionsPerAddress;
  }

  /** Outbox byte limit per connection. Default 1 MiB. */
  public long maxOutboxBytes() {
    return limits.maxOutboxBytes;
  }

  /** Outbox frame limit per connection. Default 1,000. */
  public int maxOutboxFrames() {
    return limits.maxOutboxFrames;
  }

  /** What an outbox does past its limits. Default {@link SlowConsumerPolicy#DISCONNECT}. */
  public SlowConsumerPolicy slowConsumerPolicy() {
    return limits.slowConsumerPolicy;
  }

  /**
   * Broadcasts kept per room for replay; {@code 0} keeps none (rooms still number their
   * broadcasts). Default 0.
   */
  public int historySize() {
    return limits.historySize;
  }

  /**
   * How long a broadcast stays in a room's history; {@link Duration#ZERO} keeps it until the room's
   * {@link #historySize()} pushes it out. Default zero.
   */
  public Duration maxHistoryAge() {
    return limits.maxHistoryAge;
  }

  /**
   * The most broadcasts one resume replays ({@link Hub#joinAndResume}); a client further behind is
   * told {@link Replay.Outcome#TOO_MANY}. Below {@link #maxOutboxFrames()}, so that a replay never
   * trips the slow-consumer policy. Default half of {@link #maxOutboxFrames()}.
   */
  public int replayLimit() {
    return limits.replayLimit > 0 ? limits.replayLimit : Math.max(1, limits.maxOutboxFrames / 2);
  }

  /** Cap on rooms on this node. Default 10,000. */
  public int maxRooms() {
    return limits.maxRooms;
  }

  /** Idle timeout; pings go out after half of it. Default 60 s. */
  public Duration idleTimeout() {
    return timeouts.idleTimeout;
  }

  /** How long a TCP connection may take to complete its upgrade. Default 10 s. */
  public Duration handshakeTimeout() {
    return timeouts.handshakeTimeout;
  }

  /** How long a close handshake may wait for the peer. Default 5 s. */
  public Duration closeTimeout() {
    return timeouts.closeTimeout;
  }

  /** How long {@link Hub#shutdown()} lets outboxes drain. Default 5 s. */
  public Duration drainTimeout() {
    return timeouts.drainTimeout;
  }

  /** A builder holding this config's values (the same backplane supplier, the same node id). */
  public Builder<M> toBuilder() {
    Builder<M> b = new Builder<>(codec);
    b.wiring = wiring.copy();
    b.limits = limits.copy();
    b.timeouts = timeouts.copy();
    b.gate = gate.copy();
    return b;
  }

  /** The codec, the node id and every value that differs from its default. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add("codec=" + codec);
    parts.add("nodeId=" + wiring.nodeId);
    ConfigGroups.Group.diff(parts, wiring, new ConfigGroups.Wiring<>());
    ConfigGroups.Group.diff(parts, gate, new ConfigGroups.Gate());
    ConfigGroups.Group.diff(parts, limits, new ConfigGroups.Limits());
    ConfigGroups.Group.diff(parts, timeouts, new ConfigGroups.Timeouts());
    return "HubConfig" + parts;
  }

  private static String randomNodeId() {
    // 8 base-36 characters: about 2.8e12 values, ample for the nodes of one deployment.
    long n = ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36 * 36 * 36);
    StringBuilder s = new StringBuilder(Long.toString(n, 36));
    while (s.length() < 8) {
      s.insert(0, '0');
    }
    return s.toString();
  }

  /**
   * Builds a {@link HubConfig}. Each setter validates its value at once.
   *
   * <p>Not thread-safe; use one builder from one thread.
   *
   * @param <M> the application's message type
   */
  public static final class Builder<M> {
    private final MessageCodec<M> codec;
    private ConfigGroups.Wiring<M> wiring = new ConfigGroups.Wiring<>();
    private ConfigGroups.Gate gate = new ConfigGroups.Gate();
    private ConfigGroups.Limits limits = new ConfigGroups.Limits();
    private ConfigGroups.Timeouts timeouts = new ConfigGroups.Timeouts();

    private Builder(MessageCodec<M> codec) {
      this.codec = codec;
    }

    /**
     * Installs the application's handler, which decides where each message goes.
     *
     * @throws IllegalStateException if a {@link #policy} was set: a handler replaces it, so the two
     *     together are a mistake
     */
    public Builder<M> handler(HubHandler<M> handler) {
      requireNonNull(handler, "handler");
      if (wiring.policySet) {
        throw new IllegalStateException(
            "handler: policy was already set to "
                + wiring.policy
                + " (expected: a handler or a policy, not both)");
      }
      wiring.handler = handler;
      return this;
    }

    /**
     * What happens to client messages when no handler is installed. Default {@code ALL}.
     *
     * @throws IllegalStateException if a {@link #handler} was set
     */
    public Builder<M> policy(BroadcastPolicy policy) {
      requireNonNull(policy, "policy");
      if (wiring.handler != null) {
        throw new IllegalStateException(
            "policy: a handler was already set (expected: a handler or a policy, not both)");
      }
      wiring.policy = policy;
      wiring.policySet = true;
      return this;
    }

    /**
     * Runs handlers on {@code executor} instead of the transport's I/O threads (still one at a time
     * and in order per connection). Use it when handlers may block.
     */
    public Builder<M> handlerExecutor(Executor executor) {
      wiring.handlerExecutor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * This node's id: 1-32 letters, digits, {@code _} or {@code .}, unique among the nodes sharing
     * a backplane. Default: 8 random base-36 characters.
     */
    public Builder<M> nodeId(String nodeId) {
      requireNonNull(nodeId, "nodeId");
      if (!nodeId.matches("[A-Za-z0-9_.]{1,32}")) {
        throw new IllegalArgumentException(
            "nodeId: \"" + nodeId + "\" (expected: 1-32 letters, digits, '_' or '.')");
      }
      wiring.nodeId = nodeId;
      return this;
    }

    /**
     * Makes the backplane that joins this node to others: called once by each hub built from this
     * config, which then owns what it returns (starts it, closes it). A supplier rather than a
     * backplane, so that two hubs built from one config never share one. Default {@link
     * Backplane#local()}.
     *
     * <pre>{@code
     * builder.backplane(() -> RedisBackplane.create("redis://127.0.0.1:6379"));
     * }</pre>
     */
    public Builder<M> backplane(Supplier<? extends Backplane> backplane) {
      wiring.backplane = requireNonNull(backplane, "backplane");
      return this;
    }

    /**
     * The subprotocols this hub speaks, in its order of preference: a client that offers some in
     * {@code Sec-WebSocket-Protocol} gets the first of these it offered ({@link
     * dev.hubcast.core.spi.Admission#subprotocol()}), one that offers only others is upgraded
     * without one (RFC 6455 leaves it to the client to go on). Default: none.
     *
     * @throws IllegalArgumentException if a name is empty or not an HTTP token
     */
    public Builder<M> subprotocols(String... subprotocols) {
      List<String> list = List.of(subprotocols);
      for (String p : list) {
        if (!p.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
          throw new IllegalArgumentException(
              "subprotocol: \"" + p + "\" (expected: an HTTP token, such as chat.v1)");
        }
      }
      wiring.subprotocols = list;
      return this;
    }

    /**
     * Keeps the rooms' presence and sends it to their members as {@code presence} says: who is in
     * each room, on every node whose backplane carries signals. Default: none.
     */
    public Builder<M> presence(PresenceConfig<M> presence) {
      wiring.presence = requireNonNull(presence, "presence");
      return this;
    }

    /** The origin check. Default {@link OriginPolicy#sameOrigin()}. */
    public Builder<M> originPolicy(OriginPolicy originPolicy) {
      gate.originPolicy = requireNonNull(originPolicy, "originPolicy");
      return this;
    }

    /** The authenticator. Default {@link Authenticator#anonymous()}. */
    public Builder<M> authenticator(Authenticator authenticator) {
      gate.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** Largest inbound message in bytes (&gt; 0). Default 64 KiB. */
    public Builder<M> maxMessageBytes(int maxMessageBytes) {
      limits.maxMessageBytes = positive("maxMessageBytes", maxMessageBytes);
      return this;
    }

    /** Cap on open connections on this node (&gt; 0). Default 50,000. */
    public Builder<M> maxConnections(int maxConnections) {
      limits.maxConnections = positive("maxConnections", maxConnections);
      return this;
    }

    /** Cap on open connections from one remote IP address (&gt; 0). Default unlimited. */
    public Builder<M> maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      limits.maxConnectionsPerAddress =
          positive("maxConnectionsPerAddress", maxConnectionsPerAddress);
      return this;
    }

    /**
     * Per-connection outbox limits: bytes and frames queued or in flight. Defaults 1 MiB and 1,000.
     */
    public Builder<M> outboxLimits(long maxBytes, int maxFrames) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("maxOutboxBytes: " + maxBytes + " (expected: > 0)");
      }
      limits.maxOutboxBytes = maxBytes;
      limits.maxOutboxFrames = positive("maxOutboxFrames", maxFrames);
      return this;
    }

    /** What an outbox does past its limits. Default {@link SlowConsumerPolicy#DISCONNECT}. */
    public Builder<M> slowConsumerPolicy(SlowConsumerPolicy policy) {
      limits.slowConsumerPolicy = requireNonNull(policy, "slowConsumerPolicy");
      return this;
    }

    /** Idle timeout (&ge; 1 ms); pings go out after half of it. Default 60 s. */
    public Builder<M> idleTimeout(Duration idleTimeout) {
      timeouts.idleTimeout = atLeastOneMilli("idleTimeout", idleTimeout);
      return this;
    }

    /** How long a TCP connection may take to complete its upgrade (&ge; 1 ms). Default 10 s. */
    public Builder<M> handshakeTimeout(Duration handshakeTimeout) {
      timeouts.handshakeTimeout = atLeastOneMilli("handshakeTimeout", handshakeTimeout);
      return this;
    }

    /** How long a close handshake may wait for the peer (&ge; 1 ms). Default 5 s. */
    public Builder<M> closeTimeout(Duration closeTimeout) {
      timeouts.closeTimeout = atLeastOneMilli("closeTimeout", closeTimeout);
      return this;
    }

    /** How long {@link Hub#shutdown()} lets outboxes drain (&ge; 0). Default 5 s. */
    public Builder<M> drainTimeout(Duration drainTimeout) {
      requireNonNull(drainTimeout, "drainTimeout");
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
      }
      timeouts.drainTimeout = drainTimeout;
      return this;
    }

    /** Broadcasts kept per room for replay (0-1,000,000; 0 keeps none). Default 0. */
    public Builder<M> historySize(int historySize) {
      if (historySize < 0 || historySize > 1_000_000) {
        throw new IllegalArgumentException(
            "historySize: " + historySize + " (expected: 0-1000000)");
      }
      limits.historySize = historySize;
      return this;
    }

    /**
     * How long a broadcast stays in a room's history (&ge; 0; {@link Duration#ZERO}: no age limit,
     * only {@link #historySize}). Default zero.
     */
    public Builder<M> maxHistoryAge(Duration maxHistoryAge) {
      requireNonNull(maxHistoryAge, "maxHistoryAge");
      if (maxHistoryAge.isNegative()) {
        throw new IllegalArgumentException("maxHistoryAge: " + maxHistoryAge + " (expected: >= 0)");
      }
      limits.maxHistoryAge = maxHistoryAge;
      return this;
    }

    /**
     * The most broadcasts one resume replays (&gt; 0, and below the outbox's frame limit, checked
     * by {@link #build()}). Default half of the outbox's frame limit.
     */
    public Builder<M> replayLimit(int replayLimit) {
      limits.replayLimit = positive("replayLimit", replayLimit);
      return this;
    }

    /** Cap on rooms on this node (&gt; 0). Default 10,000. */
    public Builder<M> maxRooms(int maxRooms) {
      limits.maxRooms = positive("maxRooms", maxRooms);
      return this;
    }

    /**
     * Limits each connection's inbound messages; past it, {@link HubHandler#onRateLimited} (close
     * 1008 by default). Default: no limit.
     */
    public Builder<M> rateLimit(RateLimit rateLimit) {
      gate.rateLimit = requireNonNull(rateLimit, "rateLimit");
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException if the {@link #replayLimit} is not below the outbox's frame
     *     limit
     */
    public HubConfig<M> build() {
      return new HubConfig<>(this);
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    private static Duration atLeastOneMilli(String name, Duration value) {
      requireNonNull(value, name);
      if (value.toMillis() < 1) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1ms)");
      }
      return value;
    }
  }
}
