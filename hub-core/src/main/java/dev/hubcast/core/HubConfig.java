package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.spi.Backplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything a {@link Hub} is made of: its codec, its handler or broadcast policy, its limits and
 * its handshake checks. Every value has a safe default, listed with its setter; {@link #toString()}
 * shows only what differs from them.
 *
 * <pre>{@code
 * HubConfig<String> config = HubConfig.text()
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

  /** Default drain timeout for {@link Hub#close()}: 5 s. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private static final HubConfig<Frame> DEFAULTS = new Builder<>(MessageCodec.frames()).build0();

  private final MessageCodec<M> codec;
  private final HubHandler<M> handler;
  private final BroadcastPolicy policy;
  private final Executor handlerExecutor;
  private final String nodeId;
  private final Backplane backplane;
  private final OriginPolicy originPolicy;
  private final Authenticator authenticator;
  private final int maxMessageBytes;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final long maxOutboxBytes;
  private final int maxOutboxFrames;
  private final SlowConsumerPolicy slowConsumerPolicy;
  private final Duration idleTimeout;
  private final Duration handshakeTimeout;
  private final Duration closeTimeout;
  private final Duration drainTimeout;
  private final int historySize;
  private final int maxRooms;
  private final RateLimit rateLimit;

  private HubConfig(Builder<M> b) {
    this.codec = b.codec;
    this.handler = b.handler;
    this.policy = b.policy;
    this.handlerExecutor = b.handlerExecutor;
    this.nodeId = b.nodeId != null ? b.nodeId : randomNodeId();
    this.backplane = b.backplane;
    this.originPolicy = b.originPolicy;
    this.authenticator = b.authenticator;
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.maxOutboxBytes = b.maxOutboxBytes;
    this.maxOutboxFrames = b.maxOutboxFrames;
    this.slowConsumerPolicy = b.slowConsumerPolicy;
    this.idleTimeout = b.idleTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.closeTimeout = b.closeTimeout;
    this.drainTimeout = b.drainTimeout;
    this.historySize = b.historySize;
    this.maxRooms = b.maxRooms;
    this.rateLimit = b.rateLimit;
  }

  /** A builder for a hub of messages encoded by {@code codec}. */
  public static <M> Builder<M> builder(MessageCodec<M> codec) {
    return new Builder<>(requireNonNull(codec, "codec"));
  }

  /** A builder for a hub of UTF-8 text messages: {@code builder(MessageCodec.text())}. */
  public static Builder<String> text() {
    return builder(MessageCodec.text());
  }

  /** The codec. */
  public MessageCodec<M> codec() {
    return codec;
  }

  /** The application's handler, if one is installed (it replaces the policy). */
  public Optional<HubHandler<M>> handler() {
    return Optional.ofNullable(handler);
  }

  /** What happens to client messages when no handler is installed. Default {@code ALL}. */
  public BroadcastPolicy policy() {
    return policy;
  }

  /** Where handlers run; empty means on the transport's I/O thread (the default). */
  public Optional<Executor> handlerExecutor() {
    return Optional.ofNullable(handlerExecutor);
  }

  /** This node's id (random unless set). */
  public String nodeId() {
    return nodeId;
  }

  /** The backplane. Default {@link Backplane#local()}. */
  public Backplane backplane() {
    return backplane;
  }

  /** The origin check. Default {@link OriginPolicy#sameOrigin()}. */
  public OriginPolicy originPolicy() {
    return originPolicy;
  }

  /** The authenticator. Default {@link Authenticator#anonymous()}. */
  public Authenticator authenticator() {
    return authenticator;
  }

  /** Largest inbound message in bytes; larger ones close with 1009. Default 64 KiB. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Cap on open connections on this node. Default 50,000. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Cap on open connections from one remote IP address. Default unlimited. */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** Outbox byte limit per connection. Default 1 MiB. */
  public long maxOutboxBytes() {
    return maxOutboxBytes;
  }

  /** Outbox frame limit per connection. Default 1,000. */
  public int maxOutboxFrames() {
    return maxOutboxFrames;
  }

  /** What an outbox does past its limits. Default {@link SlowConsumerPolicy#DISCONNECT}. */
  public SlowConsumerPolicy slowConsumerPolicy() {
    return slowConsumerPolicy;
  }

  /** Idle timeout; pings go out after half of it. Default 60 s. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How long a TCP connection may take to complete its upgrade. Default 10 s. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** How long a close handshake may wait for the peer. Default 5 s. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** How long {@link Hub#close()} lets outboxes drain. Default 5 s. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /**
   * Broadcasts kept per room for replay; {@code 0} keeps none (rooms still number their
   * broadcasts). Default 0.
   */
  public int historySize() {
    return historySize;
  }

  /** Cap on rooms on this node. Default 10,000. */
  public int maxRooms() {
    return maxRooms;
  }

  /** The per-connection inbound rate limit, if any. Default: none. */
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  /** A builder holding this config's values. */
  public Builder<M> toBuilder() {
    Builder<M> b = new Builder<>(codec);
    b.handler = handler;
    b.policy = policy;
    b.handlerExecutor = handlerExecutor;
    b.nodeId = nodeId;
    b.backplane = backplane;
    b.originPolicy = originPolicy;
    b.authenticator = authenticator;
    b.maxMessageBytes = maxMessageBytes;
    b.maxConnections = maxConnections;
    b.maxConnectionsPerAddress = maxConnectionsPerAddress;
    b.maxOutboxBytes = maxOutboxBytes;
    b.maxOutboxFrames = maxOutboxFrames;
    b.slowConsumerPolicy = slowConsumerPolicy;
    b.idleTimeout = idleTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.closeTimeout = closeTimeout;
    b.drainTimeout = drainTimeout;
    b.historySize = historySize;
    b.maxRooms = maxRooms;
    b.rateLimit = rateLimit;
    return b;
  }

  /** The codec, the node id and every value that differs from its default. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add("codec=" + codec);
    parts.add("nodeId=" + nodeId);
    diff(parts, "handler", handler, DEFAULTS.handler);
    diff(parts, "policy", policy, DEFAULTS.policy);
    diff(parts, "handlerExecutor", handlerExecutor, DEFAULTS.handlerExecutor);
    diff(parts, "backplane", backplane, DEFAULTS.backplane);
    diff(parts, "originPolicy", originPolicy, DEFAULTS.originPolicy);
    diff(parts, "authenticator", authenticator, DEFAULTS.authenticator);
    diff(parts, "maxMessageBytes", maxMessageBytes, DEFAULTS.maxMessageBytes);
    diff(parts, "maxConnections", maxConnections, DEFAULTS.maxConnections);
    diff(
        parts,
        "maxConnectionsPerAddress",
        maxConnectionsPerAddress,
        DEFAULTS.maxConnectionsPerAddress);
    diff(parts, "maxOutboxBytes", maxOutboxBytes, DEFAULTS.maxOutboxBytes);
    diff(parts, "maxOutboxFrames", maxOutboxFrames, DEFAULTS.maxOutboxFrames);
    diff(parts, "slowConsumerPolicy", slowConsumerPolicy, DEFAULTS.slowConsumerPolicy);
    diff(parts, "idleTimeout", idleTimeout, DEFAULTS.idleTimeout);
    diff(parts, "handshakeTimeout", handshakeTimeout, DEFAULTS.handshakeTimeout);
    diff(parts, "closeTimeout", closeTimeout, DEFAULTS.closeTimeout);
    diff(parts, "drainTimeout", drainTimeout, DEFAULTS.drainTimeout);
    diff(parts, "historySize", historySize, DEFAULTS.historySize);
    diff(parts, "maxRooms", maxRooms, DEFAULTS.maxRooms);
    diff(parts, "rateLimit", rateLimit, DEFAULTS.rateLimit);
    return "HubConfig" + parts;
  }

  private static void diff(List<String> parts, String name, Object value, Object defaultValue) {
    if (value == null ? defaultValue != null : !value.equals(defaultValue)) {
      parts.add(name + "=" + value);
    }
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
    private HubHandler<M> handler;
    private BroadcastPolicy policy = BroadcastPolicy.ALL;
    private Executor handlerExecutor;
    private String nodeId;
    private Backplane backplane = Backplane.local();
    private OriginPolicy originPolicy = OriginPolicy.sameOrigin();
    private Authenticator authenticator = Authenticator.anonymous();
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = Integer.MAX_VALUE;
    private long maxOutboxBytes = DEFAULT_MAX_OUTBOX_BYTES;
    private int maxOutboxFrames = DEFAULT_MAX_OUTBOX_FRAMES;
    private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.DISCONNECT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private int historySize;
    private int maxRooms = DEFAULT_MAX_ROOMS;
    private RateLimit rateLimit;

    private Builder(MessageCodec<M> codec) {
      this.codec = codec;
    }

    /** Installs the application's handler; it replaces the broadcast policy. */
    public Builder<M> handler(HubHandler<M> handler) {
      this.handler = requireNonNull(handler, "handler");
      return this;
    }

    /** What happens to client messages when no handler is installed. Default {@code ALL}. */
    public Builder<M> policy(BroadcastPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Runs handlers on {@code executor} instead of the transport's I/O threads (still one at a time
     * and in order per connection). Use it when handlers may block.
     */
    public Builder<M> handlerExecutor(Executor executor) {
      this.handlerExecutor = requireNonNull(executor, "executor");
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
      this.nodeId = nodeId;
      return this;
    }

    /** The backplane that joins this node to others. Default {@link Backplane#local()}. */
    public Builder<M> backplane(Backplane backplane) {
      this.backplane = requireNonNull(backplane, "backplane");
      return this;
    }

    /** The origin check. Default {@link OriginPolicy#sameOrigin()}. */
    public Builder<M> originPolicy(OriginPolicy originPolicy) {
      this.originPolicy = requireNonNull(originPolicy, "originPolicy");
      return this;
    }

    /** The authenticator. Default {@link Authenticator#anonymous()}. */
    public Builder<M> authenticator(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** Largest inbound message in bytes (&gt; 0). Default 64 KiB. */
    public Builder<M> maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = positive("maxMessageBytes", maxMessageBytes);
      return this;
    }

    /** Cap on open connections on this node (&gt; 0). Default 50,000. */
    public Builder<M> maxConnections(int maxConnections) {
      this.maxConnections = positive("maxConnections", maxConnections);
      return this;
    }

    /** Cap on open connections from one remote IP address (&gt; 0). Default unlimited. */
    public Builder<M> maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress =
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
      this.maxOutboxBytes = maxBytes;
      this.maxOutboxFrames = positive("maxOutboxFrames", maxFrames);
      return this;
    }

    /** What an outbox does past its limits. Default {@link SlowConsumerPolicy#DISCONNECT}. */
    public Builder<M> slowConsumerPolicy(SlowConsumerPolicy policy) {
      this.slowConsumerPolicy = requireNonNull(policy, "slowConsumerPolicy");
      return this;
    }

    /** Idle timeout (&ge; 1 ms); pings go out after half of it. Default 60 s. */
    public Builder<M> idleTimeout(Duration idleTimeout) {
      this.idleTimeout = atLeastOneMilli("idleTimeout", idleTimeout);
      return this;
    }

    /** How long a TCP connection may take to complete its upgrade (&ge; 1 ms). Default 10 s. */
    public Builder<M> handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = atLeastOneMilli("handshakeTimeout", handshakeTimeout);
      return this;
    }

    /** How long a close handshake may wait for the peer (&ge; 1 ms). Default 5 s. */
    public Builder<M> closeTimeout(Duration closeTimeout) {
      this.closeTimeout = atLeastOneMilli("closeTimeout", closeTimeout);
      return this;
    }

    /** How long {@link Hub#close()} lets outboxes drain (&ge; 0). Default 5 s. */
    public Builder<M> drainTimeout(Duration drainTimeout) {
      requireNonNull(drainTimeout, "drainTimeout");
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
      }
      this.drainTimeout = drainTimeout;
      return this;
    }

    /** Broadcasts kept per room for replay (0-1,000,000; 0 keeps none). Default 0. */
    public Builder<M> historySize(int historySize) {
      if (historySize < 0 || historySize > 1_000_000) {
        throw new IllegalArgumentException(
            "historySize: " + historySize + " (expected: 0-1000000)");
      }
      this.historySize = historySize;
      return this;
    }

    /** Cap on rooms on this node (&gt; 0). Default 10,000. */
    public Builder<M> maxRooms(int maxRooms) {
      this.maxRooms = positive("maxRooms", maxRooms);
      return this;
    }

    /**
     * Limits each connection's inbound messages; past it, {@link HubHandler#onRateLimited} (close
     * 1008 by default). Default: no limit.
     */
    public Builder<M> rateLimit(RateLimit rateLimit) {
      this.rateLimit = requireNonNull(rateLimit, "rateLimit");
      return this;
    }

    /** The config. */
    public HubConfig<M> build() {
      return build0();
    }

    private HubConfig<M> build0() {
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
