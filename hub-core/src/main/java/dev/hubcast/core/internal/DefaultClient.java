package dev.hubcast.core.internal;

import dev.hubcast.core.Client;
import dev.hubcast.core.Frame;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;

/**
 * The hub's bookkeeping for one connection: its outbox, rooms and state. It is also the {@link
 * Inbound} its adapter reports to. Thread-safe; membership changes and the move out of OPEN happen
 * under this object's monitor, so a join can never race a close and leave a closed client in a
 * room.
 */
final class DefaultClient<M> implements Client, Inbound {
  static final int OPEN = 0;
  static final int CLOSING = 1; // unregistered; the transport has not reported the close yet
  static final int CLOSED = 2;

  final DefaultHub<M> hub;
  final Connection connection;
  final Outbox outbox;
  // Both created on first use: most connections of a large hub never join a room or keep state,
  // and an empty concurrent map per connection is memory for nothing.
  private Set<String> rooms; // guarded by this
  final Executor handlerExecutor; // null: run handlers inline
  private final String id;
  private final Handshake handshake;
  private volatile ConcurrentMap<String, Object> attributes;
  volatile int state = OPEN;
  volatile boolean warnedBadInput;

  // Token bucket; touched only by the connection's inbound thread (one report at a time).
  private double tokens = -1; // -1: full on first use
  private long refilledAt;

  /** Takes one token from the bucket; false if it is empty. */
  boolean tryAcquire(dev.hubcast.core.RateLimit limit) {
    long now = System.nanoTime();
    if (tokens < 0) {
      tokens = limit.burst();
    } else {
      double refill = (now - refilledAt) / 1e9 * limit.messagesPerSecond();
      tokens = Math.min(limit.burst(), tokens + refill);
    }
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  DefaultClient(DefaultHub<M> hub, Connection connection, Counters counters, HubConfig<M> config) {
    this.hub = hub;
    this.connection = connection;
    this.id = connection.id();
    this.handshake = connection.handshake();
    this.outbox =
        new Outbox(
            this,
            connection,
            counters,
            config.maxOutboxBytes(),
            config.maxOutboxFrames(),
            config.slowConsumerPolicy());
    this.handlerExecutor = config.handlerExecutor().map(SerialExecutor::new).orElse(null);
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

  @Override
  public boolean isOpen() {
    return state == OPEN;
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

  // Inbound: the adapter's reports.

  @Override
  public void onMessage(Frame frame) {
    hub.onMessage(this, frame);
  }

  @Override
  public void onClose(int code, String reason) {
    hub.onTransportClose(this, code, reason);
  }

  @Override
  public void onError(Throwable cause) {
    hub.onTransportError(this, cause);
  }

  // Outbox callbacks.

  void slowConsumer(long maxBytes, int maxFrames) {
    hub.slowConsumer(this, maxBytes, maxFrames);
  }

  void sendFailed(Throwable failure) {
    hub.sendFailed(this, failure);
  }

  @Override
  public String toString() {
    return "Client[" + id + "]";
  }
}
