package dev.hubcast.core;

import dev.hubcast.core.backplane.Backplane;

/**
 * A snapshot of a hub's counters, taken by {@link Hub#metrics()}. Counters are monotonic from the
 * hub's creation; gauges ({@code connections}, {@code rooms}, {@code users}, {@code pendingFrames},
 * {@code pendingBytes}) are values at the time of the snapshot.
 *
 * <p>Immutable and thread-safe. Fields are read one by one, so a snapshot taken while traffic flows
 * is not atomic across fields.
 *
 * <p>Not constructed by applications: a hub makes it through {@link #builder()}. A class rather
 * than a record so that it can gain counters without breaking anyone (a new counter reads 0 where
 * it is not set).
 */
public final class HubMetrics {
  private final int connections;
  private final int rooms;
  private final int users;
  private final long connectionsOpened;
  private final long framesIn;
  private final long bytesIn;
  private final long framesOut;
  private final long bytesOut;
  private final long framesDropped;
  private final long sendFailures;
  private final long slowConsumerCloses;
  private final long refusedHandshakes;
  private final long decodeErrors;
  private final long handlerErrors;
  private final long rateLimited;
  private final long pendingFrames;
  private final long pendingBytes;
  private final long backplanePublished;
  private final long backplanePublishFailures;
  private final long backplaneReceived;
  private final long backplaneGaps;
  private final long roomGaps;
  private final long roomHealed;
  private final long framesReplayed;
  private final java.util.Map<Replay.Outcome, Long> resumes;
  private final java.util.Map<Integer, Long> closesByCode;
  private final java.util.Map<Refusal, Long> refusals;
  private final long deliveriesQueued;
  private final long deliveriesDropped;
  private final long deliveriesRefused;
  private final long maxPendingFrames;
  private final long fanOutsTimed;
  private final long fanOutNanos;
  private final long backplaneLagMillis;
  private final long backplaneUnreadable;
  private final java.util.Map<TransportViolation, Long> violations;
  private final long violationsTotal;

  /**
   * Why the hub refused a handshake, in {@link #refusedHandshakesByReason()}. Refusals a transport
   * makes before asking the hub (a malformed request, a missing upgrade header) are not counted.
   */
  public enum Refusal {
    /** The hub is shutting down (503). */
    SHUTTING_DOWN,
    /** The hub holds {@link HubConfig#maxConnections()} connections (503). */
    CONNECTION_LIMIT,
    /** The address holds {@link HubConfig#maxConnectionsPerAddress()} connections (429). */
    ADDRESS_LIMIT,
    /** The {@link OriginPolicy} refused the origin (403). */
    ORIGIN,
    /** The {@link Authenticator} refused the handshake (its status). */
    AUTHENTICATION,
    /** The {@link Authenticator} threw (500). */
    AUTHENTICATOR_ERROR
  }

  /**
   * A rule of the transport SPI ({@code dev.hubcast.core.spi}) that the hub saw an adapter break,
   * in {@link #transportViolationsByRule()}. Each is counted every time, and logged at WARN once
   * per connection. A correct adapter never causes any.
   */
  public enum TransportViolation {
    /** {@code Inbound.onClose} was reported a second time for one connection. */
    CLOSE_REPORTED_TWICE,
    /** {@code Inbound.onMessage} or {@code onError} was reported after {@code onClose}. */
    REPORT_AFTER_CLOSE,
    /**
     * {@code SendCompletion.complete} was called for a frame not in flight: completed a second
     * time, or never sent.
     */
    COMPLETION_NOT_IN_FLIGHT,
    /** {@code Connection.send} threw instead of failing the send through its completion. */
    SEND_THREW,
    /** {@code Connection.close} threw. */
    CLOSE_THREW,
    /** A message over {@code maxMessageBytes} reached {@code Inbound.onMessage}. */
    OVERSIZE_MESSAGE,
    /**
     * Sends were still not completed a close timeout after the connection's close was reported: the
     * adapter must fail every pending send when the connection ends.
     */
    SENDS_UNCOMPLETED_AFTER_CLOSE
  }

  private HubMetrics(Builder b) {
    this.connections = b.connections;
    this.rooms = b.rooms;
    this.users = b.users;
    this.connectionsOpened = b.connectionsOpened;
    this.framesIn = b.framesIn;
    this.bytesIn = b.bytesIn;
    this.framesOut = b.framesOut;
    this.bytesOut = b.bytesOut;
    this.framesDropped = b.framesDropped;
    this.sendFailures = b.sendFailures;
    this.slowConsumerCloses = b.slowConsumerCloses;
    this.refusedHandshakes = b.refusedHandshakes;
    this.decodeErrors = b.decodeErrors;
    this.handlerErrors = b.handlerErrors;
    this.rateLimited = b.rateLimited;
    this.pendingFrames = b.pendingFrames;
    this.pendingBytes = b.pendingBytes;
    this.backplanePublished = b.backplanePublished;
    this.backplanePublishFailures = b.backplanePublishFailures;
    this.backplaneReceived = b.backplaneReceived;
    this.backplaneGaps = b.backplaneGaps;
    this.roomGaps = b.roomGaps;
    this.roomHealed = b.roomHealed;
    this.framesReplayed = b.framesReplayed;
    java.util.EnumMap<Replay.Outcome, Long> r = new java.util.EnumMap<>(Replay.Outcome.class);
    for (Replay.Outcome o : Replay.Outcome.values()) {
      r.put(o, b.resumes.getOrDefault(o, 0L));
    }
    this.resumes = java.util.Collections.unmodifiableMap(r);
    this.closesByCode = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(b.closes));
    java.util.EnumMap<Refusal, Long> f = new java.util.EnumMap<>(Refusal.class);
    for (Refusal why : Refusal.values()) {
      f.put(why, b.refusals.getOrDefault(why, 0L));
    }
    this.refusals = java.util.Collections.unmodifiableMap(f);
    this.deliveriesQueued = b.deliveriesQueued;
    this.deliveriesDropped = b.deliveriesDropped;
    this.deliveriesRefused = b.deliveriesRefused;
    this.maxPendingFrames = b.maxPendingFrames;
    this.fanOutsTimed = b.fanOutsTimed;
    this.fanOutNanos = b.fanOutNanos;
    this.backplaneLagMillis = b.backplaneLagMillis;
    this.backplaneUnreadable = b.backplaneUnreadable;
    java.util.EnumMap<TransportViolation, Long> v =
        new java.util.EnumMap<>(TransportViolation.class);
    long total = 0;
    for (TransportViolation rule : TransportViolation.values()) {
      long n = b.violations.getOrDefault(rule, 0L);
      v.put(rule, n);
      total += n;
    }
    this.violations = java.util.Collections.unmodifiableMap(v);
    this.violationsTotal = total;
  }

  /** A builder, for hub implementations and tests. */
  public static Builder builder() {
    return new Builder();
  }

  /** Open connections on this node. */
  public int connections() {
    return connections;
  }

  /** Rooms with at least one member on this node. */
  public int rooms() {
    return rooms;
  }

  /** Distinct user names with at least one connection on this node. */
  public int users() {
    return users;
  }

  /** Connections ever registered. */
  public long connectionsOpened() {
    return connectionsOpened;
  }

  /** Client messages received. */
  public long framesIn() {
    return framesIn;
  }

  /** Client message bytes received. */
  public long bytesIn() {
    return bytesIn;
  }

  /** Frames completed by the transports (handed to the socket). */
  public long framesOut() {
    return framesOut;
  }

  /** Payload bytes completed by the transports. */
  public long bytesOut() {
    return bytesOut;
  }

  /**
   * Frames dropped by a slow-consumer policy or discarded from the outbox of a connection that
   * closed before they were sent.
   */
  public long framesDropped() {
    return framesDropped;
  }

  /** Sends the transport reported as failed. */
  public long sendFailures() {
    return sendFailures;
  }

  /** Connections closed by {@link SlowConsumerPolicy#DISCONNECT}. */
  public long slowConsumerCloses() {
    return slowConsumerCloses;
  }

  /** Handshakes refused (origin, authenticator, caps, shutdown). */
  public long refusedHandshakes() {
    return refusedHandshakes;
  }

  /** Client messages the codec could not decode. */
  public long decodeErrors() {
    return decodeErrors;
  }

  /** Exceptions thrown by application handlers. */
  public long handlerErrors() {
    return handlerErrors;
  }

  /** Client messages dropped by the rate limit. */
  public long rateLimited() {
    return rateLimited;
  }

  /** Frames queued or in flight over all outboxes. */
  public long pendingFrames() {
    return pendingFrames;
  }

  /** Payload bytes queued or in flight over all outboxes. */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** Envelopes published to the backplane. */
  public long backplanePublished() {
    return backplanePublished;
  }

  /** Envelopes the backplane failed to publish. */
  public long backplanePublishFailures() {
    return backplanePublishFailures;
  }

  /** Envelopes received from other nodes. */
  public long backplaneReceived() {
    return backplaneReceived;
  }

  /** Envelopes from other nodes known to be missing (gaps in their per-origin sequence). */
  public long backplaneGaps() {
    return backplaneGaps;
  }

  /**
   * Room broadcasts that never reached this node and could not be read back from the history store:
   * the sum of every {@link HubHandler#onRoomGap} count.
   */
  public long roomGaps() {
    return roomGaps;
  }

  /** Room broadcasts lost on the way to this node and read back from the history store instead. */
  public long roomHealed() {
    return roomHealed;
  }

  /** Broadcasts queued by {@link Hub#joinAndResume} (an answer message counts as one). */
  public long framesReplayed() {
    return framesReplayed;
  }

  /** Joins with {@link Hub#joinAndResume}, by outcome; every outcome is present. */
  public java.util.Map<Replay.Outcome, Long> resumes() {
    return resumes;
  }

  /**
   * Connections closed, by the close code {@link HubHandler#onClose} heard (the peer's, or the one
   * the hub sent); only codes seen are present, in ascending order.
   */
  public java.util.Map<Integer, Long> closesByCode() {
    return closesByCode;
  }

  /** {@link #refusedHandshakes()} by reason; every reason is present. */
  public java.util.Map<Refusal, Long> refusedHandshakesByReason() {
    return refusals;
  }

  /**
   * Offers to an outbox that queued the frame: the sum of every {@link BroadcastReceipt#queued}.
   */
  public long deliveriesQueued() {
    return deliveriesQueued;
  }

  /** Offers the slow-consumer policy dropped: the sum of every {@link BroadcastReceipt#dropped}. */
  public long deliveriesDropped() {
    return deliveriesDropped;
  }

  /** Offers an outbox refused: the sum of every {@link BroadcastReceipt#refused}. */
  public long deliveriesRefused() {
    return deliveriesRefused;
  }

  /** Frames queued or in flight in the fullest outbox of this node. */
  public long maxPendingFrames() {
    return maxPendingFrames;
  }

  /**
   * Fan-outs timed: one in {@value #FAN_OUT_SAMPLE} of this node's fan-outs (the loop that offers
   * one broadcast to its local recipients) is timed, so that timing costs nothing measurable.
   */
  public long fanOutsTimed() {
    return fanOutsTimed;
  }

  /** The total duration of the {@link #fanOutsTimed()} fan-outs, in nanoseconds. */
  public long fanOutNanos() {
    return fanOutNanos;
  }

  /**
   * The total, over the {@link #backplaneReceived()} envelopes, of the milliseconds from their
   * publication on the origin node to their arrival here (by the two nodes' clocks; a negative
   * difference counts as 0).
   */
  public long backplaneLagMillis() {
    return backplaneLagMillis;
  }

  /** What the backplane received and could not read ({@link Backplane#unreadable()}). */
  public long backplaneUnreadable() {
    return backplaneUnreadable;
  }

  /**
   * Times the hub saw a transport adapter break a rule of the transport SPI: the sum of {@link
   * #transportViolationsByRule()}. Always 0 with a correct adapter; the conformance kit fails a
   * test after which it is not.
   */
  public long transportViolations() {
    return violationsTotal;
  }

  /** {@link #transportViolations()} by rule; every rule is present. */
  public java.util.Map<TransportViolation, Long> transportViolationsByRule() {
    return violations;
  }

  /** One fan-out in this many is timed, for {@link #fanOutsTimed()}. */
  public static final int FAN_OUT_SAMPLE = 64;

  @Override
  public String toString() {
    return "HubMetrics[connections="
        + connections
        + ", rooms="
        + rooms
        + ", framesOut="
        + framesOut
        + ", framesDropped="
        + framesDropped
        + ", pendingFrames="
        + pendingFrames
        + "]";
  }

  /** Builds a {@link HubMetrics}; every value not set is 0. Not thread-safe. */
  public static final class Builder {
    private int connections;
    private int rooms;
    private int users;
    private long connectionsOpened;
    private long framesIn;
    private long bytesIn;
    private long framesOut;
    private long bytesOut;
    private long framesDropped;
    private long sendFailures;
    private long slowConsumerCloses;
    private long refusedHandshakes;
    private long decodeErrors;
    private long handlerErrors;
    private long rateLimited;
    private long pendingFrames;
    private long pendingBytes;
    private long backplanePublished;
    private long backplanePublishFailures;
    private long backplaneReceived;
    private long backplaneGaps;
    private long roomGaps;
    private long roomHealed;
    private long framesReplayed;
    private final java.util.Map<Replay.Outcome, Long> resumes =
        new java.util.EnumMap<>(Replay.Outcome.class);
    private final java.util.Map<Integer, Long> closes = new java.util.HashMap<>();
    private final java.util.Map<Refusal, Long> refusals = new java.util.EnumMap<>(Refusal.class);
    private long deliveriesQueued;
    private long deliveriesDropped;
    private long deliveriesRefused;
    private long maxPendingFrames;
    private long fanOutsTimed;
    private long fanOutNanos;
    private long backplaneLagMillis;
    private long backplaneUnreadable;
    private final java.util.Map<TransportViolation, Long> violations =
        new java.util.EnumMap<>(TransportViolation.class);

    private Builder() {}

    /** Sets {@link HubMetrics#connections()}. */
    public Builder connections(int value) {
      this.connections = value;
      return this;
    }

    /** Sets {@link HubMetrics#rooms()}. */
    public Builder rooms(int value) {
      this.rooms = value;
      return this;
    }

    /** Sets {@link HubMetrics#users()}. */
    public Builder users(int value) {
      this.users = value;
      return this;
    }

    /** Sets {@link HubMetrics#connectionsOpened()}. */
    public Builder connectionsOpened(long value) {
      this.connectionsOpened = value;
      return this;
    }

    /** Sets {@link HubMetrics#framesIn()}. */
    public Builder framesIn(long value) {
      this.framesIn = value;
      return this;
    }

    /** Sets {@link HubMetrics#bytesIn()}. */
    public Builder bytesIn(long value) {
      this.bytesIn = value;
      return this;
    }

    /** Sets {@link HubMetrics#framesOut()}. */
    public Builder framesOut(long value) {
      this.framesOut = value;
      return this;
    }

    /** Sets {@link HubMetrics#bytesOut()}. */
    public Builder bytesOut(long value) {
      this.bytesOut = value;
      return this;
    }

    /** Sets {@link HubMetrics#framesDropped()}. */
    public Builder framesDropped(long value) {
      this.framesDropped = value;
      return this;
    }

    /** Sets {@link HubMetrics#sendFailures()}. */
    public Builder sendFailures(long value) {
      this.sendFailures = value;
      return this;
    }

    /** Sets {@link HubMetrics#slowConsumerCloses()}. */
    public Builder slowConsumerCloses(long value) {
      this.slowConsumerCloses = value;
      return this;
    }

    /** Sets {@link HubMetrics#refusedHandshakes()}. */
    public Builder refusedHandshakes(long value) {
      this.refusedHandshakes = value;
      return this;
    }

    /** Sets {@link HubMetrics#decodeErrors()}. */
    public Builder decodeErrors(long value) {
      this.decodeErrors = value;
      return this;
    }

    /** Sets {@link HubMetrics#handlerErrors()}. */
    public Builder handlerErrors(long value) {
      this.handlerErrors = value;
      return this;
    }

    /** Sets {@link HubMetrics#rateLimited()}. */
    public Builder rateLimited(long value) {
      this.rateLimited = value;
      return this;
    }

    /** Sets {@link HubMetrics#pendingFrames()}. */
    public Builder pendingFrames(long value) {
      this.pendingFrames = value;
      return this;
    }

    /** Sets {@link HubMetrics#pendingBytes()}. */
    public Builder pendingBytes(long value) {
      this.pendingBytes = value;
      return this;
    }

    /** Sets {@link HubMetrics#backplanePublished()}. */
    public Builder backplanePublished(long value) {
      this.backplanePublished = value;
      return this;
    }

    /** Sets {@link HubMetrics#backplanePublishFailures()}. */
    public Builder backplanePublishFailures(long value) {
      this.backplanePublishFailures = value;
      return this;
    }

    /** Sets {@link HubMetrics#backplaneReceived()}. */
    public Builder backplaneReceived(long value) {
      this.backplaneReceived = value;
      return this;
    }

    /** Sets {@link HubMetrics#backplaneGaps()}. */
    public Builder backplaneGaps(long value) {
      this.backplaneGaps = value;
      return this;
    }

    /** Sets {@link HubMetrics#roomGaps()}. */
    public Builder roomGaps(long value) {
      this.roomGaps = value;
      return this;
    }

    /** Sets {@link HubMetrics#roomHealed()}. */
    public Builder roomHealed(long value) {
      this.roomHealed = value;
      return this;
    }

    /** Sets {@link HubMetrics#framesReplayed()}. */
    public Builder framesReplayed(long value) {
      this.framesReplayed = value;
      return this;
    }

    /** Sets one count of {@link HubMetrics#resumes()}. */
    public Builder resumes(Replay.Outcome outcome, long value) {
      this.resumes.put(java.util.Objects.requireNonNull(outcome, "outcome"), value);
      return this;
    }

    /** Sets one count of {@link HubMetrics#closesByCode()}. */
    public Builder closes(int code, long value) {
      this.closes.put(code, value);
      return this;
    }

    /** Sets one count of {@link HubMetrics#refusedHandshakesByReason()}. */
    public Builder refusals(Refusal reason, long value) {
      this.refusals.put(java.util.Objects.requireNonNull(reason, "reason"), value);
      return this;
    }

    /** Sets {@link HubMetrics#deliveriesQueued()}. */
    public Builder deliveriesQueued(long value) {
      this.deliveriesQueued = value;
      return this;
    }

    /** Sets {@link HubMetrics#deliveriesDropped()}. */
    public Builder deliveriesDropped(long value) {
      this.deliveriesDropped = value;
      return this;
    }

    /** Sets {@link HubMetrics#deliveriesRefused()}. */
    public Builder deliveriesRefused(long value) {
      this.deliveriesRefused = value;
      return this;
    }

    /** Sets {@link HubMetrics#maxPendingFrames()}. */
    public Builder maxPendingFrames(long value) {
      this.maxPendingFrames = value;
      return this;
    }

    /** Sets {@link HubMetrics#fanOutsTimed()} and {@link HubMetrics#fanOutNanos()}. */
    public Builder fanOuts(long timed, long nanos) {
      this.fanOutsTimed = timed;
      this.fanOutNanos = nanos;
      return this;
    }

    /** Sets {@link HubMetrics#backplaneLagMillis()}. */
    public Builder backplaneLagMillis(long value) {
      this.backplaneLagMillis = value;
      return this;
    }

    /** Sets {@link HubMetrics#backplaneUnreadable()}. */
    public Builder backplaneUnreadable(long value) {
      this.backplaneUnreadable = value;
      return this;
    }

    /** Sets one count of {@link HubMetrics#transportViolationsByRule()}. */
    public Builder transportViolations(TransportViolation rule, long value) {
      this.violations.put(java.util.Objects.requireNonNull(rule, "rule"), value);
      return this;
    }

    /** The snapshot. */
    public HubMetrics build() {
      return new HubMetrics(this);
    }
  }
}
