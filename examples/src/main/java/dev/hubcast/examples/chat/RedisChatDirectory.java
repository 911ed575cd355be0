package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.redis.RedisBackplane;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's directory in Redis, shared by every chat server started with the same Redis: the rooms
 * list and private messages, the chat's own rules. Who is in each room and who is online are the
 * hub's presence, shared by the backplane's signals, not kept here.
 *
 * <p>Keys, under the prefix {@value #PREFIX}:
 *
 * <ul>
 *   <li>{@code chat:room:<room>}: a hash, connection id to user name, of the room's members on
 *       every server (a connection id starts with its server's node id);
 *   <li>{@code chat:rooms}: the set of rooms that have members; {@code chat:visited} the rooms that
 *       have had members, of which the rooms list also names those whose history ({@code
 *       chat:history:<room>}, the hub's stream, which Redis expires with the history) is there;
 *   <li>{@code chat:dms:<a> <b>}: a list, the last {@value ChatDirectory#PRIVATE_HISTORY} private
 *       messages between users {@code a} and {@code b} ({@code a <= b}), encoded, expiring {@link
 *       #PRIVATE_TTL} after the last; {@code chat:peers:<name>} the set of a user's lists;
 *   <li>{@code chat:conns:<node>}: a hash, connection id to "user room", of one server's
 *       connections, so that they can be forgotten together;
 *   <li>{@code chat:node:<node>}: a server's liveness, set with a time to live of {@value
 *       #TTL_MILLIS} ms and refreshed every {@value Heartbeat#INTERVAL_MILLIS} ms by the {@link
 *       Heartbeat}; {@code chat:nodes} the set of servers.
 * </ul>
 *
 * <p>Every change is one Lua script ({@link DirectoryScript}), so it is atomic, and ends, when the
 * rooms list changed, with one {@code PUBLISH} of it on {@code chat:events}, as JSON. Every server,
 * this one too, subscribes and hands each announcement to the listener in the order Redis published
 * them ({@link Announcements}). The next heartbeat of any server forgets the rooms of a server
 * whose liveness key has expired (a crash). Private messages go out on the same channel and are
 * kept by the script that publishes them; whether the recipient is online is asked of the hub's
 * presence first. The scripts name keys that are not in their {@code KEYS}: fine on one Redis, not
 * on Redis Cluster.
 *
 * <p>The directory makes the chat's one Lettuce client ({@link RedisBackplane#newClient}), which
 * the hub's backplane shares ({@link #backplane}), and shuts it down in {@link #close}.
 *
 * <p>Nothing waits on Redis except {@link #start} and {@link #close}: updates are sent with
 * Lettuce's asynchronous API and, while Redis is unreachable, fail at once. Then the rooms list
 * stops following other servers; when Redis is back (Lettuce reconnects and subscribes again), this
 * server writes all its connections again, which announces every room it has members in, so a list
 * lost in the outage (or in a Redis restart, which forgets everything) comes back.
 *
 * <p>Thread-safe. The listener is called on Lettuce's thread for the subscription, one announcement
 * at a time; updates and the rewrite after an outage are sent under one lock, so Redis applies them
 * in the order this server made them.
 */
final class RedisChatDirectory implements ChatDirectory {

  private static final Logger log = LoggerFactory.getLogger(RedisChatDirectory.class);

  static final String PREFIX = "chat";
  static final long TTL_MILLIS = 5000;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** How long a conversation's private messages are kept after its last one. */
  static final Duration PRIVATE_TTL = Duration.ofDays(7);

  private static final String[] NO_KEYS = {};

  private final String uri;
  private final int history;
  private final String where;
  private final String channel = PREFIX + ":events";
  private final RedisClient client;
  private final Object lock = new Object();
  private final Map<String, String[]> entries = new LinkedHashMap<>(); // guarded by lock
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile List<String> rooms = List.of();
  private volatile String nodeId = "?";
  private volatile Heartbeat heartbeat;
  private volatile Announcements announcements;
  private volatile StatefulRedisConnection<String, String> commands;
  private volatile StatefulRedisPubSubConnection<String, String> events;

  RedisChatDirectory(URI redis, int history) {
    requireNonNull(redis, "redis");
    this.history = history;
    this.uri = redis.toString();
    RedisURI parsed = RedisURI.create(redis);
    this.where = parsed.getHost() + ":" + parsed.getPort();
    this.client = RedisBackplane.newClient(uri, TIMEOUT);
  }

  @Override
  public boolean spansNodes() {
    return true;
  }

  /**
   * A backplane on this directory's client (one client and one reconnect policy for the chat),
   * keeping each room's last {@code history} messages in Redis.
   */
  @Override
  public Backplane backplane() {
    return RedisBackplane.builder(uri).prefix(PREFIX).client(client).history(history).build();
  }

  @Override
  public void start(Hub<ChatMessage> hub, Listener listener) {
    requireNonNull(hub, "hub");
    requireNonNull(listener, "listener");
    String node = hub.nodeId();
    this.nodeId = node;
    Heartbeat beat =
        new Heartbeat(
            node, where, () -> send(DirectoryScript.BEAT, PREFIX, node, ttl()), this::rewrite);
    heartbeat = beat;
    Announcements heard = new Announcements(node, listener, now -> rooms = now, beat::rewriteSoon);
    announcements = heard;
    try {
      StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
      events = ps;
      ps.addListener(heard);
      ps.sync().subscribe(channel);
      StatefulRedisConnection<String, String> c = client.connect();
      commands = c;
      c.sync()
          .eval(
              DirectoryScript.BEAT.source, ScriptOutputType.INTEGER, NO_KEYS, PREFIX, node, ttl());
      List<String> listed =
          c.sync().eval(DirectoryScript.ROOMS.source, ScriptOutputType.MULTI, NO_KEYS, PREFIX);
      rooms = List.copyOf(listed);
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("cannot reach redis " + where + ": " + e.getMessage(), e);
    }
    beat.start();
    log.info("node {}: chat directory on redis {} ready", node, where);
  }

  @Override
  public List<String> rooms() {
    return rooms;
  }

  @Override
  public CompletionStage<List<Message>> privateHistory(String user) {
    StatefulRedisConnection<String, String> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    try {
      return c.async()
          .<List<Object>>eval(
              DirectoryScript.DMS.source, ScriptOutputType.MULTI, NO_KEYS, PREFIX, user)
          .thenApply(kept -> kept.stream().map(dm -> Message.text(String.valueOf(dm))).toList());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void entered(Client client, String room) {
    update("enter", client, room);
  }

  @Override
  public void left(Client client, String room) {
    update("leave", client, room);
  }

  @Override
  public void closed(Client client, String room) {
    update("close", client, room);
  }

  private void update(String op, Client client, String room) {
    String id = client.id();
    String user = ChatHandler.name(client);
    synchronized (lock) {
      if (op.equals("close")) {
        entries.remove(id);
      } else {
        entries.put(id, new String[] {id, user, op.equals("enter") ? room : ""});
      }
      send(DirectoryScript.MOVE, PREFIX, nodeId, op, id, user, room)
          .whenComplete(
              (ok, failure) -> {
                Heartbeat beat = heartbeat;
                if (failure != null && beat != null) {
                  beat.failed(failure);
                }
              });
    }
  }

  @Override
  public void settled() {
    // The scripts announce the rooms list whenever it changes.
  }

  @Override
  public CompletionStage<Boolean> directMessage(String from, String to, Message dm) {
    return send(
            DirectoryScript.DM,
            PREFIX,
            from,
            to,
            dm.text(),
            Integer.toString(PRIVATE_HISTORY),
            Long.toString(PRIVATE_TTL.toMillis()))
        .thenApply(published -> published == 1L);
  }

  /**
   * Runs a script; a failed future, never an exception, when Redis is not there. EVAL rather than
   * EVALSHA: the retry that EVALSHA needs after a Redis restart (NOSCRIPT) would send an update
   * after later ones.
   */
  private CompletionStage<Long> send(DirectoryScript script, String... args) {
    StatefulRedisConnection<String, String> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    try {
      return c.async().eval(script.source, ScriptOutputType.INTEGER, NO_KEYS, args);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Writes all of this server's connections again, announcing every room they are in; completes
   * with how many. Under the lock, so that it reaches Redis in order with the updates.
   */
  private CompletionStage<Integer> rewrite() {
    synchronized (lock) {
      List<String> args = new ArrayList<>(3 + 3 * entries.size());
      args.addAll(List.of(PREFIX, nodeId, ttl()));
      for (String[] entry : entries.values()) {
        args.addAll(Arrays.asList(entry));
      }
      int connections = entries.size();
      return send(DirectoryScript.REWRITE, args.toArray(String[]::new))
          .thenApply(ok -> connections);
    }
  }

  private static String ttl() {
    return Long.toString(TTL_MILLIS);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Heartbeat beat = heartbeat;
    if (beat != null) {
      beat.close();
    }
    Announcements heard = announcements;
    if (heard != null) {
      heard.close();
    }
    StatefulRedisConnection<String, String> c = commands;
    if (c != null) {
      try {
        c.sync()
            .eval(DirectoryScript.FORGET.source, ScriptOutputType.INTEGER, NO_KEYS, PREFIX, nodeId);
      } catch (RuntimeException e) {
        log.warn(
            "node {}: chat directory: could not remove this server's users from redis {} (they"
                + " drop out within {} ms): {}",
            nodeId,
            where,
            TTL_MILLIS,
            e.toString());
      }
    }
    StatefulRedisPubSubConnection<String, String> ps = events;
    if (ps != null) {
      ps.close();
    }
    if (c != null) {
      c.close();
    }
    // Last: the hub's backplane, on the same client, was closed in the hub's shutdown before.
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "ChatDirectory[redis " + where + "]";
  }
}
