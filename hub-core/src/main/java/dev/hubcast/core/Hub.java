package dev.hubcast.core;

import dev.hubcast.core.internal.DefaultHub;
import dev.hubcast.core.spi.Acceptor;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * A broadcast hub: it keeps track of connected clients and fans each message out to a {@link
 * Target} &mdash; everyone, everyone but the sender, a room, one user's connections, or one
 * connection &mdash; over whatever transport the connections come from.
 *
 * <pre>{@code
 * Hub<String> hub = Hub.create(HubConfig.text().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
 * // bind it to a transport (hub-jetty, hub-netty), then from anywhere:
 * hub.broadcast(Target.all(), "server restarting in 5 minutes");
 * }</pre>
 *
 * <h2>Threading</h2>
 *
 * <p>Thread-safe: every method may be called from any thread, and none blocks on I/O. A broadcast
 * encodes its message once, then makes one non-blocking enqueue per recipient into that recipient's
 * outbox; a slow or stalled client never delays the others ({@link SlowConsumerPolicy}).
 *
 * <ul>
 *   <li>Frames to one connection are delivered in the order the calls that queued them returned
 *       (FIFO per connection). There is no order across connections, except within a room: a room
 *       numbers its broadcasts (1, 2, 3, ...) and every member receives them in that order.
 *   <li>{@link HubHandler} methods run on the transport's I/O thread for the connection, or on the
 *       config's handler executor; one at a time per connection.
 *   <li>Broadcasting from a handler is fine; it does not wait for delivery.
 * </ul>
 *
 * @param <M> the application's message type
 */
public interface Hub<M> extends AutoCloseable {

  /** Creates a hub from a config, and starts its backplane. */
  static <M> Hub<M> create(HubConfig<M> config) {
    return new DefaultHub<>(config);
  }

  /** The config this hub was created with. */
  HubConfig<M> config();

  /** This node's id; connection ids start with it. */
  String nodeId();

  /**
   * Encodes {@code message} once and queues it for every connection of {@code target}, on this node
   * and, through the backplane, on the others. Never throws halfway: each recipient's outcome is
   * counted in the receipt (this node's recipients only).
   *
   * @throws IllegalStateException if the hub is shut down
   * @throws RuntimeException whatever the codec throws for {@code message}, before any recipient
   */
  BroadcastReceipt broadcast(Target target, M message);

  /** As {@link #broadcast(Target, Object)}, for a frame that is already encoded. */
  BroadcastReceipt broadcastFrame(Target target, Frame frame);

  /**
   * Broadcasts to a room a message that carries its own sequence number: the hub numbers the room's
   * next broadcast, asks {@code messageForSequence} for the message with that number, then encodes
   * and delivers it as {@link #broadcast} does. Use it when clients must see the number inside the
   * message (to resume after a reconnect, say).
   *
   * <pre>{@code
   * hub.broadcastSequenced(Target.room("lobby"), seq -> new ChatMessage("lobby", from, text, seq));
   * }</pre>
   *
   * <p>The function and the codec run while the room's broadcasts are held back (that is what keeps
   * the numbers in order), so they must be quick and must not block.
   *
   * @param target {@link Target#room} or {@link Target#roomExcept}
   * @throws IllegalArgumentException if the target is not a room
   * @throws IllegalStateException if the hub is shut down, or the room would pass {@link
   *     HubConfig#maxRooms()}
   */
  BroadcastReceipt broadcastSequenced(Target target, LongFunction<? extends M> messageForSequence);

  /** Queues {@code message} for one connection: {@code broadcast(Target.connection(id), m)}. */
  default BroadcastReceipt send(String connectionId, M message) {
    return broadcast(Target.connection(connectionId), message);
  }

  /**
   * Puts a connection of this node into a room (created on first use).
   *
   * @return {@code false} if the connection is not open on this node or already in the room
   * @throws IllegalStateException if the room would pass {@link HubConfig#maxRooms()}
   */
  boolean join(String connectionId, String room);

  /**
   * Puts a connection into a room and, atomically with respect to broadcasts to that room, queues
   * the room's history after {@code afterSequence} for it: it sees every broadcast once and in
   * sequence order, held history first. Pass {@code 0} for all the history held.
   *
   * @return what was replayed, and whether some of it was no longer held ({@link
   *     HistoryRead#gap()}); {@link HistoryRead#EMPTY} if the connection is not open on this node
   */
  HistoryRead joinAndReplay(String connectionId, String room, long afterSequence);

  /**
   * Takes a connection out of a room; an empty room without history is forgotten.
   *
   * @return {@code false} if it was not in the room
   */
  boolean leave(String connectionId, String room);

  /** What a room's history holds after {@code afterSequence} (pass {@code 0} for all of it). */
  HistoryRead history(String room, long afterSequence);

  /** An open connection of this node by id. */
  Optional<Client> client(String connectionId);

  /** The open connections of this node; a snapshot. */
  Collection<Client> clients();

  /** The rooms with members on this node; a snapshot. */
  Set<String> rooms();

  /** The members of a room on this node; a snapshot, empty for an unknown room. */
  Collection<Client> members(String room);

  /** The user names with connections on this node; a snapshot. */
  Set<String> users();

  /** The connections of one user on this node; a snapshot. */
  Collection<Client> userClients(String user);

  /**
   * Closes a connection of this node: it leaves the registry, its rooms and its user now; the
   * transport sends the close frame after what is already handed to it. Idempotent.
   *
   * @return {@code false} if no such connection is open on this node
   */
  boolean close(String connectionId, int code, String reason);

  /** A snapshot of this hub's counters. */
  HubMetrics metrics();

  /**
   * The door for transport adapters; see {@link dev.hubcast.core.spi}. Applications do not need it.
   */
  Acceptor acceptor();

  /**
   * Shuts down gracefully: new handshakes are refused (503) at once; every connection is closed
   * with 1001 (going away) as soon as its outbox has drained, or at the deadline whatever is left
   * (counted as dropped); then the backplane is closed. Idempotent: later calls return the same
   * future.
   *
   * @return completes when every connection is closed, at the latest shortly after the deadline
   */
  CompletableFuture<Void> shutdown(Duration drainTimeout);

  /** Whether {@link #shutdown} has been called. */
  boolean isShutdown();

  /** {@link #shutdown} with {@link HubConfig#drainTimeout()}, waiting for it to complete. */
  @Override
  void close();
}
