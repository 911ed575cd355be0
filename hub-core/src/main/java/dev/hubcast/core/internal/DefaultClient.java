package dev.hubcast.core.internal;

import dev.hubcast.core.Client;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.spi.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;

/**
 * The hub's bookkeeping for one connection: its outbox, rooms, state and handler executor. Data
 * only: it calls nothing in the hub. Thread-safe; membership changes and the move out of {@link
 * State#OPEN} happen under this object's monitor, so a join can never race a close and leave a
 * closed client in a room.
 */
final class DefaultClient implements Client {

  /** Where a connection is in its life. */
  enum State {
    /** Registered: in the registry, its rooms and its user. */
    OPEN,
    /** Unregistered; the transport has not reported the close yet. */
    CLOSING,
    /** The transport reported the close. */
    CLOSED
  }

  final Connection connection;
  final Outbox outbox;
  final Executor handlerExecutor; // null: run handlers inline
  final TokenBucket rateLimit; // null: none
  private final String id;
  private final Handshake handshake;
  // Made on first use: most connections of a large hub never join a room or keep state, and an
  // empty concurrent map per connection is memory for nothing.
  private Set<String> rooms; // guarded by this
  private volatile ConcurrentMap<String, Object> attributes;
  volatile State state = State.OPEN;
  volatile boolean warnedBadInput;
  private int violationsWarned; // one bit per TransportViolation; guarded by this

  DefaultClient(
      Connection connection, OutboxEvents events, Counters counters, HubConfig<?> config) {
    this.connection = connection;
    this.id = connection.id();
    this.handshake = connection.handshake();
    this.outbox =
        new Outbox(
            this,
            connection,
            events,
            counters,
            config.maxOutboxBytes(),
            config.maxOutboxFrames(),
            config.slowConsumerPolicy());
    this.handlerExecutor = config.handlerExecutor().map(SerialExecutor::new).orElse(null);
    this.rateLimit = config.rateLimit().map(TokenBucket::new).orElse(null);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  @Override
  public synchronized Set<String> rooms() {
    return rooms == null ? Set.of() : Set.copyOf(rooms);
  }

  // Room membership as the client sees it; callers hold this client's monitor.

  boolean inRoom(String room) {
    return rooms != null && rooms.contains(room);
  }

  void addRoom(String room) {
    if (rooms == null) {
      rooms = new HashSet<>(4);
    }
    rooms.add(room);
  }

  boolean removeRoom(String room) {
    return rooms != null && rooms.remove(room);
  }

  /** Empties the client's rooms, returning what they were. */
  List<String> clearRooms() {
    if (rooms == null) {
      return List.of();
    }
    List<String> was = new ArrayList<>(rooms);
    rooms = null;
    return was;
  }

  /** Whether this is the first time {@code rule} is broken on this connection, to warn once. */
  synchronized boolean firstViolation(HubMetrics.TransportViolation rule) {
    int bit = 1 << rule.ordinal();
    boolean first = (violationsWarned & bit) == 0;
    violationsWarned |= bit;
    return first;
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN;
  }

  @Override
  public int pendingFrames() {
    return outbox.pendingFrames();
  }

  @Override
  public long pendingBytes() {
    return outbox.pendingBytes();
  }

  @Override
  public ConcurrentMap<String, Object> attributes() {
    ConcurrentMap<String, Object> a = attributes;
    if (a == null) {
      synchronized (this) {
        a = attributes;
        if (a == null) {
          a = new ConcurrentHashMap<>();
          attributes = a;
        }
      }
    }
    return a;
  }

  @Override
  public String toString() {
    return "Client[" + id + "]";
  }
}
