package dev.hubcast.core;

import dev.hubcast.core.internal.DefaultHub;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A broadcast hub: it keeps track of connected clients and fans each message out to a {@link
 * Target} &mdash; everyone, everyone but the sender, a room, one user's connections, a set of
 * connections or one connection &mdash; over whatever transport the connections come from.
 *
 * <pre>{@code
 * Hub<String> hub =
 *     Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
 * // bind it to a transport (hub-jetty, hub-netty), then from anywhere:
 * hub.broadcast(Target.all(), "server restarting in 5 minutes");
 * }</pre>
 *
 * <h2>Threading</h2>
 *
 * <p>Thread-safe: every method may be called from any thread. None blocks on I/O, except {@link
 * #close()}, which waits for the shutdown and is refused inside the hub's own callbacks (use {@link
 * #shutdown()} there). A broadcast encodes its message once, then makes one non-blocking enqueue
 * per recipient into that recipient's outbox; a slow or stalled client never delays the others
 * ({@link SlowConsumerPolicy}).
 *
 * <ul>
 *   <li>Messages to one connection are delivered in the order the calls that queued them returned
 *       (FIFO per connection). There is no order across connections, except within a room: a room
 *       numbers its broadcasts (1, 2, 3, ...) and every member receives them in that order.
 *   <li>{@link HubHandler} methods run on the transport's I/O thread for the connection, or on the
 *       config's handler executor; one at a time per connection.
 *   <li>Broadcasting from a handler is fine; it does not wait for delivery.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * <p>{@link NullPointerException} and {@link IllegalArgumentException} name a bad argument; {@link
 * RoomLimitException} means a room would pass {@link HubConfig#maxRooms()}. A broadcast never
 * throws half-way through its recipients. After {@link #shutdown}, broadcasts deliver nothing and
 * return {@link BroadcastReceipt#shutDown()} instead of throwing (a publisher on a {@code
 * ScheduledExecutorService} is not silently cancelled), and joins find no open connection.
 *
 * @param <M> the application's message type
 */
public interface Hub<M> extends AutoCloseable {

  /** Creates a hub from a config, then starts a backplane from the config's supplier. */
  static <M> Hub<M> create(HubConfig<M> config) {
    return DefaultHub.start(config);
  }

  /** The config this hub was created with. */
  HubConfig<M> config();

  /** This node's id; connection ids start with it. */
  String nodeId();

  // ------------------------------------------------------------------ sending

  /**
   * Encodes {@code message} once and queues it for every connection of {@code target}, on this node
   * and, through the backplane, on the others. Each recipient's outcome is counted in the receipt
   * (this node's recipients only). After the hub's shutdown it delivers nothing and returns {@link
   * BroadcastReceipt#shutDown()}.
   *
   * @throws RuntimeException whatever the codec throws for {@code message}, before any recipient
   */
  BroadcastReceipt broadcast(Target target, M message);

  /** As {@link #broadcast(Target, Object)}, for a message that is already encoded. */
  BroadcastReceipt broadcastMessage(Target target, Message message);

  /**
   * Broadcasts to a room a message that carries its own position: the hub numbers the room's next
   * broadcast, asks {@code messageForPosition} for the message at that {@link RoomPosition} (epoch
   * and seq), then encodes and delivers it as {@link #broadcast} does. Use it when clients must see
   * the position inside the message, to resume from it after a reconnect ({@link #joinAndResume}).
   *
   * <pre>{@code
   * hub.broadcastSequenced(Target.room("lobby"), at -> new ChatLine("lobby", from, text, at));
   * }</pre>
   *
   * <p>The function and the codec run while the room's broadcasts are held back (that is what keeps
   * the numbers in order), so they must be quick and must not block. With a {@link
   * dev.hubcast.core.backplane.HistoryStore} the function may be called more than once, with
   * another position each time, when another node took the number first; only the last message is
   * delivered.
   *
   * @param target {@link Target#room} or {@link Target#roomExcept}
   * @throws IllegalArgumentException if the target is not a room
   * @throws RoomLimitException if the room would pass {@link HubConfig#maxRooms()}
   */
  BroadcastReceipt broadcastSequenced(
      Target target, Function<? super RoomPosition, ? extends M> messageForPosition);

  /** Queues {@code message} for one connection: {@code broadcast(Target.connection(id), m)}. */
  default BroadcastReceipt send(String connectionId, M message) {
    return broadcast(Target.connection(connectionId), message);
  }

  /** Queues {@code message} for one client: {@code broadcast(Target.connection(client), m)}. */
  default BroadcastReceipt send(Client client, M message) {
    return broadcast(Target.connection(client), message);
  }

  // ------------------------------------------------------------------ rooms

  /**
   * Puts a connection of this node into a room (created on first use).
   *
   * @return {@code false} if the connection is not open on this node or already in the room
   * @throws RoomLimitException if the room would pass {@link HubConfig#maxRooms()}
   */
  boolean join(String connectionId, String room);

  /**
   * Puts a connection into a room and, atomically with respect to broadcasts to that room, queues
   * the room's history after {@code afterSequence} for it: it sees every broadcast once and in
   * sequence order, held history first.
   *
   * @return what was replayed, and whether some of it was no longer held ({@link
   *     HistoryRead#gap()}); empty if the connection is not open on this node
   * @throws IllegalArgumentException if {@code afterSequence} is negative
   * @throws RoomLimitException if the room would pass {@link HubConfig#maxRooms()}
   */
  Optional<HistoryRead> joinAndReplay(String connectionId, String room, long afterSequence);

  /** {@link #joinAndReplay(String, String, long)} with all the history held. */
  default Optional<HistoryRead> joinAndReplay(String connectionId, String room) {
    return joinAndReplay(connectionId, room, 0);
  }

  /**
   * Puts a connection into a room and resumes it from {@code since}, the position of the last room
   * broadcast it saw: all or nothing. The answer is either {@link Replay.Outcome#RECOVERED} &mdash;
   * exactly the broadcasts after {@code since} are queued for it, in order, and the live ones
   * follow with none missed or repeated &mdash; or another outcome that says why not ({@link
   * Replay.Outcome#EPOCH_CHANGED}, {@link Replay.Outcome#TOO_OLD}, {@link Replay.Outcome#TOO_MANY},
   * {@link Replay.Outcome#NO_HISTORY}, {@link Replay.Outcome#MISSING}), with nothing queued but the
   * live broadcasts after the room's position. Without {@code since} it is a plain join ({@link
   * Replay.Outcome#JOINED}) that queues the room's latest broadcasts held. Either way the answer
   * carries the room's position, valid even for an empty room.
   *
   * <p>With a {@link dev.hubcast.core.backplane.HistoryStore} any node can serve the resume: the
   * answer comes from this node's history when it holds all of it, otherwise from the store, and
   * the stage completes on the store's thread.
   *
   * @param since where the client stands, or {@code null} for a plain join
   * @return completes once the connection is in the room and its replay queued; with empty if the
   *     connection is not open on this node (or closed meanwhile); exceptionally, with the
   *     connection not in the room, with an {@link IllegalArgumentException} if {@code since} is
   *     beyond the room's latest position in its epoch
   * @throws IllegalArgumentException if {@code room} is empty
   * @throws RoomLimitException if the room would pass {@link HubConfig#maxRooms()}
   */
  default CompletableFuture<Optional<Replay>> joinAndResume(
      String connectionId, String room, RoomPosition since) {
    return joinAndResume(connectionId, room, since, null);
  }

  /**
   * As {@link #joinAndResume(String, String, RoomPosition)}, but instead of the replayed broadcasts
   * it queues what {@code answer} makes of the outcome (say, one history message that holds them
   * and tells the client whether it was recovered), then the live broadcasts after the answer's
   * position. {@code answer} runs while the room's broadcasts are held back, so it must be quick
   * and must not block; if it returns {@code null} nothing is queued for the answer; if it throws,
   * the stage fails with what it threw and the connection is not put in the room.
   */
  CompletableFuture<Optional<Replay>> joinAndResume(
      String connectionId,
      String room,
      RoomPosition since,
      Function<? super Replay, ? extends M> answer);

  /**
   * Takes a connection out of a room; an empty room without history is forgotten.
   *
   * @return {@code false} if it was not in the room
   */
  boolean leave(String connectionId, String room);

  /** What a room's history holds after {@code afterSequence} (pass {@code 0} for all of it). */
  HistoryRead history(String room, long afterSequence);

  // ------------------------------------------------------------------ lookups (this node)

  /** An open connection of this node by id. */
  Optional<Client> client(String connectionId);

  /** The open connections of this node; a snapshot (it copies: prefer {@link #connectionCount}). */
  Collection<Client> clients();

  /** How many connections are open on this node. */
  int connectionCount();

  /** The rooms with members on this node; a snapshot. */
  Set<String> rooms();

  /**
   * The rooms whose history on this node holds at least one broadcast (younger than {@link
   * HubConfig#maxHistoryAge()} when that is set), with members or not; a snapshot. An empty room
   * keeps its history until it is too old or the room's place is needed for a new room under {@link
   * HubConfig#maxRooms()}. With a {@link dev.hubcast.core.backplane.HistoryStore}, the store holds
   * more: this is only what this node has seen.
   */
  Set<String> roomsWithHistory();

  /**
   * Who is in a room, on every node whose presence reaches this one ({@link PresenceConfig}): the
   * users sorted by name, each with its connections, at most {@link PresenceConfig#maxListed()} of
   * them, and how many there are.
   *
   * @throws IllegalStateException if this hub has no presence ({@link HubConfig.Builder#presence})
   * @throws IllegalArgumentException if {@code room} is empty
   */
  PresenceSnapshot presence(String room);

  /**
   * Whether {@code user} is in {@code room}'s presence, on any node whose presence reaches this
   * one; unlike {@link #presence(String)}, whatever the room's size.
   *
   * @throws IllegalStateException if this hub has no presence
   */
  boolean isPresent(String room, String user);

  /** The members of a room on this node; a snapshot, empty for an unknown room. */
  Collection<Client> members(String room);

  /** The user names with connections on this node; a snapshot. */
  Set<String> users();

  /** The connections of one user on this node; a snapshot. */
  Collection<Client> connectionsOf(String user);

  // ------------------------------------------------------------------ lifecycle

  /**
   * Disconnects a connection of this node: it leaves the registry, its rooms and its user now; the
   * transport sends the close frame after what is already handed to it. Idempotent.
   *
   * @param code a close code {@link CloseCodes#isSendable sendable} on the wire
   * @return {@code false} if no such connection is open on this node
   * @throws IllegalArgumentException if {@code code} cannot be sent
   */
  boolean disconnect(String connectionId, int code, String reason);

  /** A snapshot of this hub's counters. */
  HubMetrics metrics();

  /**
   * Shuts down gracefully, without blocking: new handshakes are refused (503) at once; every
   * connection is closed with 1001 (going away) as soon as its outbox has drained, or at the
   * deadline whatever is left (counted as dropped); then the backplane is closed. Idempotent: later
   * calls return the same future.
   *
   * @return completes when every connection is closed, at the latest shortly after the deadline
   */
  CompletableFuture<Void> shutdown(Duration drainTimeout);

  /** {@link #shutdown(Duration)} with {@link HubConfig#drainTimeout()}. */
  default CompletableFuture<Void> shutdown() {
    return shutdown(config().drainTimeout());
  }

  /** Whether {@link #shutdown} has been called. */
  boolean isShutdown();

  /**
   * {@link #shutdown()}, then <em>blocks</em> until it completes (at most the drain timeout, the
   * close timeout and 2 s). For a {@code main} thread or a container's stop hook; never call it on
   * a transport's I/O thread, whose work the shutdown waits for.
   *
   * @throws IllegalStateException when called from inside one of this hub's callbacks (a handler,
   *     or an adapter's report on its I/O thread); call {@link #shutdown()} there
   */
  @Override
  void close();
}
