package dev.hubcast.examples.chat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.backplane.Backplane;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Which rooms exist and what people said privately, for every server of one chat: what {@link
 * ChatHandler} needs to send {@code rooms}, {@code dm} and {@code dms} when the chat runs on one
 * server or on several. Who is in each room and who is online ({@code presence}, {@code people}) is
 * the hub's own presence ({@link dev.hubcast.core.PresenceConfig}), shared by the backplane.
 *
 * <p>The handler reports its own connections' moves ({@link #entered}, {@link #left}, {@link
 * #closed}); the directory tells it, through its {@link Listener}, what every server's connections
 * should now be told, and the handler sends that to its own connections. Two implementations:
 *
 * <ul>
 *   <li>{@link #inMemory()}, the default: this server's hub is the whole chat. The listener is
 *       called at once, on the thread that reported the change, inside the lock the handler holds.
 *   <li>{@link #redis(URI)}: servers sharing one Redis are one chat. Changes are written to Redis
 *       and announced on a Redis channel; every server, this one included, hears the announcements
 *       in the one order Redis published them and calls the listener on its Redis thread, one
 *       announcement at a time.
 * </ul>
 *
 * <p>Thread-safe. No method blocks on I/O except {@link #start} and {@link #close}, which the
 * server calls before it serves and after it has stopped.
 */
public interface ChatDirectory extends AutoCloseable {

  /** Private messages kept per pair of users, the latest. */
  int PRIVATE_HISTORY = 50;

  /** Whether other chat servers share this directory (and the hub's rooms through a backplane). */
  default boolean spansNodes() {
    return false;
  }

  /**
   * A new backplane for the chat's hub, to join it to the other servers of this chat: {@link
   * Backplane#local()} for a chat in one process; on Redis, a {@code RedisBackplane} that shares
   * this directory's Lettuce client (one client and one reconnect policy for the chat), so the
   * directory must close after the hub.
   */
  default Backplane backplane() {
    return Backplane.local();
  }

  /** A directory of this server's hub alone: the chat as one process. */
  static ChatDirectory inMemory() {
    return new LocalChatDirectory();
  }

  /**
   * A directory in the Redis at {@code uri} ({@code redis://HOST:PORT}), shared by every chat
   * server started with the same Redis, whose backplane keeps each room's last {@code history}
   * messages in Redis. It connects in {@link #start}.
   */
  static ChatDirectory redis(URI uri, int history) {
    return new RedisChatDirectory(uri, history);
  }

  /**
   * Starts the directory for {@code hub} (its node id names this server) with the listener that
   * sends to the hub's connections. Called once, before the hub takes connections; it may wait for
   * Redis.
   *
   * @throws IllegalStateException if the directory cannot be reached
   */
  void start(Hub<ChatMessage> hub, Listener listener);

  /**
   * The rooms that have members on any server, or still have history, sorted, as last known here.
   * Never blocks, and takes no lock that the listener's callers hold.
   */
  List<String> rooms();

  /**
   * The private messages kept for {@code user}: the last {@value #PRIVATE_HISTORY} of each of its
   * conversations, encoded, each conversation oldest first.
   *
   * @return completes exceptionally if the directory cannot be reached now
   */
  CompletionStage<List<Message>> privateHistory(String user);

  /**
   * A connection of this server has entered {@code room} (or entered it again). Called holding the
   * room's lock.
   */
  void entered(Client client, String room);

  /** A connection of this server has left {@code room} for another. Called holding its lock. */
  void left(Client client, String room);

  /** A connection of this server has closed while in {@code room}. Called holding its lock. */
  void closed(Client client, String room);

  /**
   * A connection's open, move or close is complete. Called holding the handler's rooms lock, so a
   * directory that announces the rooms from here announces them in order.
   */
  void settled();

  /**
   * Brings up to date what {@link #rooms()} reads, for a directory that reads something that may
   * wait for a lock. Called right before {@link #settled()}, holding no lock at all: not the
   * handler's, and no room's. Nothing by default.
   */
  default void refresh() {}

  /**
   * Delivers a private message, already encoded, to every greeted connection of {@code to} and of
   * {@code from} on every server, and keeps it in their conversation's history.
   *
   * @return completes with {@code false}, and delivers nothing, if {@code to} has no connection on
   *     any server; completes exceptionally if the directory cannot be reached now
   */
  CompletionStage<Boolean> directMessage(String from, String to, Message dm);

  /**
   * Forgets this server's connections, so that other servers stop listing them, and disconnects.
   */
  @Override
  void close();

  /**
   * What the handler does with the directory's news: send it to its own connections.
   *
   * <p>Called one at a time per directory, in the order of the changes; it must not block.
   */
  interface Listener {

    /** Tells this server's greeted connections that the rooms with members are {@code rooms}. */
    void rooms(List<String> rooms);

    /**
     * Sends a private message to this server's greeted connections of {@code to} and of {@code
     * from}.
     *
     * @param onlyIfRecipientHere send nothing at all unless {@code to} has a connection here
     * @return whether {@code to} has a connection here that got it
     */
    boolean directMessage(String from, String to, Message dm, boolean onlyIfRecipientHere);
  }
}
