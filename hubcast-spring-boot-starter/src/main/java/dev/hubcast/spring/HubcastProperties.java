package dev.hubcast.spring;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.SlowConsumerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code hubcast.*} properties: where the hub is served and every plain value of {@link
 * HubConfig.Builder}. Not thread-safe: Spring Boot binds it once at start-up, on one thread.
 *
 * <p>A setting left unset is not passed to the builder, so it keeps {@link HubConfig}'s own default
 * (named in each property's description): the defaults live in one place and never drift.
 */
@ConfigurationProperties("hubcast")
public class HubcastProperties {

  /** Whether to create the hub and serve it; false turns the whole auto-configuration off. */
  private boolean enabled = true;

  /**
   * The exact path the hub is served at, relative to the servlet context, such as /ws (no
   * wildcards).
   */
  private String path = "/ws";

  /**
   * How the hub is served: jakarta-websocket, through the container's Jakarta WebSocket
   * implementation (JakartaHub.install); servlet-upgrade, the servlet HTTP upgrade with Hubcast's
   * own WebSocket framing (JakartaHub.installUpgrade: 2.6 times the deliveries per second on
   * Tomcat, but a peer that vanishes keeps its socket after its close times out; tested on Tomcat
   * only); or auto, servlet-upgrade on Tomcat and jakarta-websocket elsewhere.
   */
  private Transport transport = Transport.JAKARTA_WEBSOCKET;

  /** How the hub is served on the servlet container. */
  public enum Transport {
    /** servlet-upgrade on Tomcat, jakarta-websocket on any other container. */
    AUTO,
    /** The servlet HTTP upgrade, with Hubcast's own WebSocket framing. */
    SERVLET_UPGRADE,
    /** The container's Jakarta WebSocket implementation. */
    JAKARTA_WEBSOCKET
  }

  /**
   * What happens to client messages when the application defines no HubHandler bean: ALL,
   * ALL_EXCEPT_SENDER or NONE. Default ALL. Setting it together with a HubHandler bean is an error.
   */
  private BroadcastPolicy policy;

  /**
   * This node's id: 1-32 letters, digits, '_' or '.', unique among the nodes sharing a backplane.
   * Default: 8 random base-36 characters.
   */
  private String nodeId;

  /** The subprotocols the hub speaks, in its order of preference. Default: none. */
  private List<String> subprotocols = new ArrayList<>();

  /**
   * The browser origins allowed to connect, such as https://chat.example.com
   * (scheme://host[:port]). Default: none listed, which keeps the same-origin policy. Handshakes
   * without an Origin header are always let through. Setting it together with an OriginPolicy bean
   * is an error.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  /**
   * Largest inbound message in bytes; a larger one closes the connection with 1009. Default 65536.
   */
  private Integer maxMessageBytes;

  /** Cap on open connections on this node; past it, handshakes get 503. Default 50000. */
  private Integer maxConnections;

  /** Cap on open connections from one remote IP address. Default unlimited. */
  private Integer maxConnectionsPerAddress;

  /** Outbox byte limit per connection: bytes queued or in flight. Default 1048576 (1 MiB). */
  private Long maxOutboxBytes;

  /** Outbox frame limit per connection: frames queued or in flight. Default 1000. */
  private Integer maxOutboxFrames;

  /**
   * What an outbox does past its limits: DISCONNECT (close 1008), DROP_NEWEST or DROP_OLDEST.
   * Default DISCONNECT.
   */
  private SlowConsumerPolicy slowConsumerPolicy;

  /**
   * Idle timeout: pings go out after half of it, a silent connection closes at its end. Default
   * 60s.
   */
  private Duration idleTimeout;

  /** How long a TCP connection may take to complete its upgrade. Default 10s. */
  private Duration handshakeTimeout;

  /** How long a close handshake may wait for the peer. Default 5s. */
  private Duration closeTimeout;

  /**
   * How long the shutdown, when the application stops, lets outboxes drain before closing every
   * connection with 1001. Default 5s.
   */
  private Duration drainTimeout;

  /** Broadcasts kept per room for replay (0-1000000); 0 keeps none. Default 0. */
  private Integer historySize;

  /**
   * How long a broadcast stays in a room's history; 0 keeps it until history-size pushes it out.
   * Default 0.
   */
  private Duration maxHistoryAge;

  /**
   * The most broadcasts one resume replays; must be below max-outbox-frames. Default half of
   * max-outbox-frames.
   */
  private Integer replayLimit;

  /** Cap on rooms on this node. Default 10000. */
  private Integer maxRooms;

  /** Per-connection inbound rate limit. Default: none. */
  private final RateLimit rateLimit = new RateLimit();

  /**
   * A per-connection token bucket on inbound messages: set both values or neither. A message past
   * it closes the connection with 1008, unless a HubHandler overrides onRateLimited. Not
   * thread-safe, like {@link HubcastProperties}.
   */
  public static class RateLimit {

    /** The sustained rate allowed, in messages per second (> 0). */
    private Double messagesPerSecond;

    /** How many messages may arrive at once after a quiet spell (>= 1). */
    private Integer burst;

    public Double getMessagesPerSecond() {
      return messagesPerSecond;
    }

    public void setMessagesPerSecond(Double messagesPerSecond) {
      this.messagesPerSecond = messagesPerSecond;
    }

    public Integer getBurst() {
      return burst;
    }

    public void setBurst(Integer burst) {
      this.burst = burst;
    }
  }

  /**
   * Passes every property that is set to {@code builder}, whose setters validate it.
   *
   * @throws IllegalArgumentException naming the property, if a value is out of range or only one of
   *     a pair is set
   */
  void applyTo(HubConfig.Builder<?> builder) {
    if (policy != null) {
      builder.policy(policy);
    }
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    if (!subprotocols.isEmpty()) {
      builder.subprotocols(subprotocols.toArray(String[]::new));
    }
    if (!allowedOrigins.isEmpty()) {
      builder.originPolicy(OriginPolicy.allow(allowedOrigins.toArray(String[]::new)));
    }
    if (maxMessageBytes != null) {
      builder.maxMessageBytes(maxMessageBytes);
    }
    if (maxConnections != null) {
      builder.maxConnections(maxConnections);
    }
    if (maxConnectionsPerAddress != null) {
      builder.maxConnectionsPerAddress(maxConnectionsPerAddress);
    }
    if (maxOutboxBytes != null || maxOutboxFrames != null) {
      builder.outboxLimits(
          maxOutboxBytes != null ? maxOutboxBytes : HubConfig.DEFAULT_MAX_OUTBOX_BYTES,
          maxOutboxFrames != null ? maxOutboxFrames : HubConfig.DEFAULT_MAX_OUTBOX_FRAMES);
    }
    if (slowConsumerPolicy != null) {
      builder.slowConsumerPolicy(slowConsumerPolicy);
    }
    if (idleTimeout != null) {
      builder.idleTimeout(idleTimeout);
    }
    if (handshakeTimeout != null) {
      builder.handshakeTimeout(handshakeTimeout);
    }
    if (closeTimeout != null) {
      builder.closeTimeout(closeTimeout);
    }
    if (drainTimeout != null) {
      builder.drainTimeout(drainTimeout);
    }
    if (historySize != null) {
      builder.historySize(historySize);
    }
    if (maxHistoryAge != null) {
      builder.maxHistoryAge(maxHistoryAge);
    }
    if (replayLimit != null) {
      builder.replayLimit(replayLimit);
    }
    if (maxRooms != null) {
      builder.maxRooms(maxRooms);
    }
    Double rate = rateLimit.getMessagesPerSecond();
    Integer burst = rateLimit.getBurst();
    if ((rate == null) != (burst == null)) {
      throw new IllegalArgumentException(
          "hubcast.rate-limit: messages-per-second "
              + rate
              + ", burst "
              + burst
              + " (expected: both set, or neither)");
    }
    if (rate != null) {
      builder.rateLimit(dev.hubcast.core.RateLimit.of(rate, burst));
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPath() {
    return path;
  }

  public Transport getTransport() {
    return transport;
  }

  public void setTransport(Transport transport) {
    this.transport = transport;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public BroadcastPolicy getPolicy() {
    return policy;
  }

  public void setPolicy(BroadcastPolicy policy) {
    this.policy = policy;
  }

  public String getNodeId() {
    return nodeId;
  }

  public void setNodeId(String nodeId) {
    this.nodeId = nodeId;
  }

  public List<String> getSubprotocols() {
    return subprotocols;
  }

  public void setSubprotocols(List<String> subprotocols) {
    this.subprotocols = subprotocols;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public Integer getMaxMessageBytes() {
    return maxMessageBytes;
  }

  public void setMaxMessageBytes(Integer maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  public Integer getMaxConnections() {
    return maxConnections;
  }

  public void setMaxConnections(Integer maxConnections) {
    this.maxConnections = maxConnections;
  }

  public Integer getMaxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  public void setMaxConnectionsPerAddress(Integer maxConnectionsPerAddress) {
    this.maxConnectionsPerAddress = maxConnectionsPerAddress;
  }

  public Long getMaxOutboxBytes() {
    return maxOutboxBytes;
  }

  public void setMaxOutboxBytes(Long maxOutboxBytes) {
    this.maxOutboxBytes = maxOutboxBytes;
  }

  public Integer getMaxOutboxFrames() {
    return maxOutboxFrames;
  }

  public void setMaxOutboxFrames(Integer maxOutboxFrames) {
    this.maxOutboxFrames = maxOutboxFrames;
  }

  public SlowConsumerPolicy getSlowConsumerPolicy() {
    return slowConsumerPolicy;
  }

  public void setSlowConsumerPolicy(SlowConsumerPolicy slowConsumerPolicy) {
    this.slowConsumerPolicy = slowConsumerPolicy;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  public void setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  public void setDrainTimeout(Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
  }

  public Integer getHistorySize() {
    return historySize;
  }

  public void setHistorySize(Integer historySize) {
    this.historySize = historySize;
  }

  public Duration getMaxHistoryAge() {
    return maxHistoryAge;
  }

  public void setMaxHistoryAge(Duration maxHistoryAge) {
    this.maxHistoryAge = maxHistoryAge;
  }

  public Integer getReplayLimit() {
    return replayLimit;
  }

  public void setReplayLimit(Integer replayLimit) {
    this.replayLimit = replayLimit;
  }

  public Integer getMaxRooms() {
    return maxRooms;
  }

  public void setMaxRooms(Integer maxRooms) {
    this.maxRooms = maxRooms;
  }

  public RateLimit getRateLimit() {
    return rateLimit;
  }
}
