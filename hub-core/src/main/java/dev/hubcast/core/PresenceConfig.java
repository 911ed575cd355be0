package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Presence for a hub's rooms ({@link HubConfig.Builder#presence}): who is in each room, kept by the
 * hub as connections join and leave rooms, sent to the room's members on this node as messages the
 * application makes.
 *
 * <ul>
 *   <li>A connection that joins a room (with {@link Hub#join}, {@link Hub#joinAndReplay} or {@link
 *       Hub#joinAndResume}) is present there, under its user ({@link Client#user()}, or its id if
 *       anonymous), with one {@link PresenceEntry} per connection, until it leaves or closes.
 *   <li>It then gets the room's {@link PresenceSnapshot}, made into a message by {@code
 *       snapshotMessage}, after whatever the join itself queued (a replay, a resume's answer), and
 *       from then on every {@link PresenceDiff} of the room, made into a message by {@code
 *       diffMessage} once per diff and queued to every member on this node. The snapshot and the
 *       diffs after it are consistent: nothing is missed or doubled between them.
 *   <li>Presence runs on a thread of its own, a moment after the joins and leaves it hears of: a
 *       connection that joins and leaves again before that moment is never listed.
 *   <li>With a backplane that carries signals ({@link
 *       dev.hubcast.core.backplane.Backplane#supportsSignals()}), every node's entries are known on
 *       every node: each node publishes its own changes and a heartbeat every {@link #heartbeat()};
 *       a node not heard from for {@link #peerTimeout()} is dropped from every room (a killed
 *       process is gone from everyone's presence within that bound plus one heartbeat).
 * </ul>
 *
 * <p>Immutable and thread-safe; the functions are called on the hub's presence thread, one call at
 * a time, and must be quick and must not block. A function that throws is logged and its message is
 * not sent.
 *
 * @param <M> the application's message type
 */
public final class PresenceConfig<M> {
  /** Default {@link #maxListed()}. */
  public static final int DEFAULT_MAX_LISTED = 1000;

  private final Function<? super PresenceSnapshot, ? extends M> snapshotMessage;
  private final Function<? super PresenceDiff, ? extends M> diffMessage;
  private final Duration grace;
  private final Duration interval;
  private final int maxListed;
  private final Predicate<String> rooms;
  private final Function<? super Client, String> data;
  private final Duration heartbeat;
  private final Duration peerTimeout;

  private PresenceConfig(Builder<M> b) {
    this.snapshotMessage = b.snapshotMessage;
    this.diffMessage = b.diffMessage;
    this.grace = b.grace;
    this.interval = b.interval;
    this.maxListed = b.maxListed;
    this.rooms = b.rooms;
    this.data = b.data;
    this.heartbeat = b.heartbeat;
    this.peerTimeout = b.peerTimeout;
    if (peerTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "peerTimeout: "
              + peerTimeout
              + " (expected: at least twice the heartbeat, "
              + heartbeat.multipliedBy(2)
              + ")");
    }
  }

  /**
   * A builder.
   *
   * @param snapshotMessage makes the message a joiner gets: who is in the room (return {@code null}
   *     to send nothing)
   * @param diffMessage makes the message every member gets when the room's users change ({@code
   *     null}: nothing)
   */
  public static <M> Builder<M> builder(
      Function<? super PresenceSnapshot, ? extends M> snapshotMessage,
      Function<? super PresenceDiff, ? extends M> diffMessage) {
    return new Builder<>(snapshotMessage, diffMessage);
  }

  /** Makes a joiner's snapshot message. */
  public Function<? super PresenceSnapshot, ? extends M> snapshotMessage() {
    return snapshotMessage;
  }

  /** Makes the members' diff message. */
  public Function<? super PresenceDiff, ? extends M> diffMessage() {
    return diffMessage;
  }

  /**
   * How long a user's last connection in a room stays present after it left or closed: a reconnect
   * within it (a reload, a network blip) changes nothing. Default 0.
   */
  public Duration grace() {
    return grace;
  }

  /**
   * How often a room's diffs go out: 0 (the default) sends each change at once; longer merges the
   * changes of each interval into one diff, and a joiner gets its snapshot with the next one. In a
   * large room it turns a message per join to every member into one per interval.
   */
  public Duration interval() {
    return interval;
  }

  /** The most users a snapshot lists (its count says how many there are). Default 1000. */
  public int maxListed() {
    return maxListed;
  }

  /** Which rooms have presence. Default every room. */
  public Predicate<String> rooms() {
    return rooms;
  }

  /** What each connection's entry carries, from its handshake or identity. Default {@code ""}. */
  public Function<? super Client, String> data() {
    return data;
  }

  /** How often a node tells the others it is alive. Default 1 s. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** How long a silent node keeps its entries on the others. Default 3 s. */
  public Duration peerTimeout() {
    return peerTimeout;
  }

  @Override
  public String toString() {
    return "PresenceConfig[grace="
        + grace
        + ", interval="
        + interval
        + ", maxListed="
        + maxListed
        + ", heartbeat="
        + heartbeat
        + ", peerTimeout="
        + peerTimeout
        + "]";
  }

  /**
   * Builds a {@link PresenceConfig}; each setter checks its value at once.
   *
   * <p>Not thread-safe; use one builder from one thread.
   *
   * @param <M> the application's message type
   */
  public static final class Builder<M> {
    private final Function<? super PresenceSnapshot, ? extends M> snapshotMessage;
    private final Function<? super PresenceDiff, ? extends M> diffMessage;
    private Duration grace = Duration.ZERO;
    private Duration interval = Duration.ZERO;
    private int maxListed = DEFAULT_MAX_LISTED;
    private Predicate<String> rooms = room -> true;
    private Function<? super Client, String> data = client -> "";
    private Duration heartbeat = Duration.ofSeconds(1);
    private Duration peerTimeout = Duration.ofSeconds(3);

    private Builder(
        Function<? super PresenceSnapshot, ? extends M> snapshotMessage,
        Function<? super PresenceDiff, ? extends M> diffMessage) {
      this.snapshotMessage = requireNonNull(snapshotMessage, "snapshotMessage");
      this.diffMessage = requireNonNull(diffMessage, "diffMessage");
    }

    /** Sets {@link PresenceConfig#grace()}. */
    public Builder<M> grace(Duration grace) {
      this.grace = atLeastZero("grace", grace);
      return this;
    }

    /** Sets {@link PresenceConfig#interval()}. */
    public Builder<M> interval(Duration interval) {
      this.interval = atLeastZero("interval", interval);
      return this;
    }

    /** Sets {@link PresenceConfig#maxListed()}. */
    public Builder<M> maxListed(int maxListed) {
      if (maxListed < 0) {
        throw new IllegalArgumentException("maxListed: " + maxListed + " (expected: >= 0)");
      }
      this.maxListed = maxListed;
      return this;
    }

    /** Sets {@link PresenceConfig#rooms()}. */
    public Builder<M> rooms(Predicate<String> rooms) {
      this.rooms = requireNonNull(rooms, "rooms");
      return this;
    }

    /** Sets {@link PresenceConfig#data()}; a {@code null} result counts as {@code ""}. */
    public Builder<M> data(Function<? super Client, String> data) {
      this.data = requireNonNull(data, "data");
      return this;
    }

    /** Sets {@link PresenceConfig#heartbeat()}. */
    public Builder<M> heartbeat(Duration heartbeat) {
      this.heartbeat = positive("heartbeat", heartbeat);
      return this;
    }

    /** Sets {@link PresenceConfig#peerTimeout()} (at least twice the heartbeat). */
    public Builder<M> peerTimeout(Duration peerTimeout) {
      this.peerTimeout = positive("peerTimeout", peerTimeout);
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException if the peer timeout is under twice the heartbeat
     */
    public PresenceConfig<M> build() {
      return new PresenceConfig<>(this);
    }

    private static Duration atLeastZero(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
      }
      return d;
    }

    private static Duration positive(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
