package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's directory in Redis, shared by every chat server started with the same Redis.
 *
 * <p>Keys, under the prefix {@value #PREFIX}:
 *
 * <ul>
 *   <li>{@code chat:room:<room>}: a hash, connection id to user name, of the room's members on
 *       every server (a connection id starts with its server's node id);
 *   <li>{@code chat:rooms}: the set of rooms that have members;
 *   <li>{@code chat:user:<name>}: the set of a user's connection ids;
 *   <li>{@code chat:conns:<node>}: a hash, connection id to "user room", of one server's
 *       connections, so that they can be forgotten together;
 *   <li>{@code chat:node:<node>}: a server's liveness, set with a time to live of {@value
 *       #TTL_MILLIS} ms and refreshed every {@value #HEARTBEAT_MILLIS} ms; {@code chat:nodes} the
 *       set of servers.
 * </ul>
 *
 * <p>Every change is one Lua script, so it is atomic, and ends with one {@code PUBLISH} on {@code
 * chat:events} of what servers must tell their connections: the changed rooms' members (read in the
 * same script, so a later announcement never holds older members than an earlier one) and, when it
 * changed, the rooms list. Every server, this one too, subscribes and hands each announcement to
 * the listener in the order Redis published them. Members of a server whose liveness key has
 * expired (a crash) are left out of every list, and the next heartbeat of any server forgets them.
 * Private messages go out on the same channel; the script that publishes one first checks that its
 * recipient has a connection on a live server. The scripts name keys that are not in their {@code
 * KEYS}: fine on one Redis, not on Redis Cluster.
 *
 * <p>Nothing waits on Redis except {@link #start} and {@link #close}: updates are sent with
 * Lettuce's asynchronous API and, while Redis is unreachable, fail at once. Then presence and the
 * rooms list stop following other servers; when Redis is back (Lettuce reconnects and subscribes
 * again), this server writes all its connections again, which announces every room it has members
 * in, so lists lost in the outage (or in a Redis restart, which forgets everything) come back.
 *
 * <p>Thread-safe. The listener is called on Lettuce's thread for the subscription, one announcement
 * at a time; updates and the rewrite after an outage are sent under one lock, so Redis applies them
 * in the order this server made them.
 */
final class RedisChatDirectory implements ChatDirectory {

  @Override
  public boolean spansNodes() {
    return true;
  }

  private static final Logger log = LoggerFactory.getLogger(RedisChatDirectory.class);

  static final String PREFIX = "chat";
  static final long HEARTBEAT_MILLIS = 1000;
  static final long TTL_MILLIS = 5000;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final String[] NO_KEYS = {};

  /** Helpers shared by the scripts; ARGV[1] is the prefix. */
  private static final String LIB =
      String.join(
          "\n",
          "local P = ARGV[1]",
          "local st = {alive = {}, touched = {}, order = {}, roomsChanged = false}",
          "local function key(a, b) if b then return P .. ':' .. a .. ':' .. b end"
              + " return P .. ':' .. a end",
          "local function nodeOf(id) return string.match(id, '^(.*)%-[^%-]*$') or id end",
          "local function alive(node)",
          "  local a = st.alive[node]",
          "  if a == nil then a = redis.call('EXISTS', key('node', node)) == 1;"
              + " st.alive[node] = a end",
          "  return a",
          "end",
          "local function touch(room)",
          "  if not st.touched[room] then st.touched[room] = true;"
              + " st.order[#st.order + 1] = room end",
          "end",
          "local function enter(node, id, user, room)",
          "  redis.call('HSET', key('room', room), id, user)",
          "  if redis.call('SADD', key('rooms'), room) == 1 then st.roomsChanged = true end",
          "  redis.call('HSET', key('conns', node), id, user .. ' ' .. room)",
          "  redis.call('SADD', key('user', user), id)",
          "  touch(room)",
          "end",
          "local function leave(id, room)",
          "  if redis.call('HDEL', key('room', room), id) == 1 then",
          "    touch(room)",
          "    if redis.call('EXISTS', key('room', room)) == 0",
          "        and redis.call('SREM', key('rooms'), room) == 1 then st.roomsChanged = true end",
          "  end",
          "end",
          "local function forget(node, id, value)",
          "  local user, room = string.match(value, '^(%S+) ?(%S*)$')",
          "  if room and room ~= '' then leave(id, room) end",
          "  if user then redis.call('SREM', key('user', user), id) end",
          "  redis.call('HDEL', key('conns', node), id)",
          "end",
          "local function forgetNode(node)",
          "  local conns = redis.call('HGETALL', key('conns', node))",
          "  for i = 1, #conns, 2 do forget(node, conns[i], conns[i + 1]) end",
          "  redis.call('DEL', key('conns', node))",
          "end",
          "local function sweep()",
          "  for _, node in ipairs(redis.call('SMEMBERS', key('nodes'))) do",
          "    if not alive(node) then forgetNode(node); redis.call('SREM', key('nodes'), node) end",
          "  end",
          "end",
          "local function names(room)",
          "  local h = redis.call('HGETALL', key('room', room))",
          "  local seen, out = {}, {}",
          "  for i = 1, #h, 2 do",
          "    local user = h[i + 1]",
          "    if not seen[user] and alive(nodeOf(h[i])) then seen[user] = true;"
              + " out[#out + 1] = user end",
          "  end",
          "  table.sort(out)",
          "  return table.concat(out, ',')",
          "end",
          "local function publish(allRooms)",
          "  local lines = {}",
          "  for _, room in ipairs(st.order) do lines[#lines + 1] = 'P ' .. room .. ' ' .. names(room)"
              + " end",
          "  if st.roomsChanged or allRooms then",
          "    local r = redis.call('SMEMBERS', key('rooms'))",
          "    table.sort(r)",
          "    lines[#lines + 1] = 'R ' .. table.concat(r, ',')",
          "  end",
          "  if #lines > 0 then redis.call('PUBLISH', key('events'), table.concat(lines, '\\n')) end",
          "end",
          "local function live(node, ttl)",
          "  local existed = redis.call('EXISTS', key('node', node))",
          "  redis.call('SET', key('node', node), '1', 'PX', ttl)",
          "  redis.call('SADD', key('nodes'), node)",
          "  st.alive[node] = true",
          "  return existed",
          "end",
          "");

  /** ARGV: prefix, node, op (enter, leave, close), connection id, user, room. */
  private static final String MOVE =
      LIB
          + String.join(
              "\n",
              "local node, op, id, user, room = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]",
              "if op == 'enter' then enter(node, id, user, room)",
              "else",
              "  leave(id, room)",
              "  if op == 'close' then",
              "    redis.call('SREM', key('user', user), id)",
              "    redis.call('HDEL', key('conns', node), id)",
              "  else redis.call('HSET', key('conns', node), id, user .. ' ') end",
              "end",
              "publish(false)",
              "return 1");

  /** ARGV: prefix, node, ttl; returns whether the node's liveness key was still there. */
  private static final String BEAT =
      LIB + "local existed = live(ARGV[2], ARGV[3])\nsweep()\npublish(false)\nreturn existed";

  /** ARGV: prefix, node, ttl, then id, user, room (or '') for each of the node's connections. */
  private static final String REWRITE =
      LIB
          + String.join(
              "\n",
              "local node = ARGV[2]",
              "live(node, ARGV[3])",
              "forgetNode(node)",
              "for i = 4, #ARGV, 3 do",
              "  local id, user, room = ARGV[i], ARGV[i + 1], ARGV[i + 2]",
              "  if room ~= '' then enter(node, id, user, room) else",
              "    redis.call('HSET', key('conns', node), id, user .. ' ')",
              "    redis.call('SADD', key('user', user), id)",
              "  end",
              "end",
              "sweep()",
              "publish(true)",
              "return 1");

  /** ARGV: prefix, node. */
  private static final String FORGET =
      LIB
          + String.join(
              "\n",
              "local node = ARGV[2]",
              "redis.call('DEL', key('node', node))",
              "st.alive[node] = false",
              "forgetNode(node)",
              "redis.call('SREM', key('nodes'), node)",
              "publish(false)",
              "return 1");

  /** ARGV: prefix, from, to, the dm's JSON; returns 1 if published, 0 if {@code to} is away. */
  private static final String DM =
      LIB
          + String.join(
              "\n",
              "for _, id in ipairs(redis.call('SMEMBERS', key('user', ARGV[3]))) do",
              "  if alive(nodeOf(id)) then",
              "    redis.call('PUBLISH', key('events'),"
                  + " 'D ' .. ARGV[2] .. ' ' .. ARGV[3] .. '\\n' .. ARGV[4])",
              "    return 1",
              "  end",
              "end",
              "return 0");

  private final RedisURI uri;
  private final String where;
  private final String channel = PREFIX + ":events";
  private final ClientResources resources;
  private final RedisClient client;
  private final Object lock = new Object();
  private final Map<String, String[]> entries = new LinkedHashMap<>(); // guarded by lock
  private final AtomicBoolean rewriteNeeded = new AtomicBoolean();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private volatile List<String> rooms = List.of();
  private volatile String nodeId = "?";
  private volatile Listener listener;
  private volatile StatefulRedisConnection<String, String> commands;
  private volatile StatefulRedisPubSubConnection<String, String> events;
  private volatile ScheduledExecutorService heartbeat;

  RedisChatDirectory(URI redis) {
    requireNonNull(redis, "redis");
    this.uri = RedisURI.create(redis);
    uri.setTimeout(TIMEOUT);
    this.where = uri.getHost() + ":" + uri.getPort();
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.equalJitter(
                    Duration.ofMillis(50), Duration.ofMillis(1000), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
            .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
            .build());
  }

  @Override
  public void start(Hub<ChatMessage> hub, Listener listener) {
    requireNonNull(hub, "hub");
    this.listener = requireNonNull(listener, "listener");
    this.nodeId = hub.nodeId();
    try {
      StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
      events = ps;
      ps.addListener(new Announcements());
      ps.sync().subscribe(channel);
      StatefulRedisConnection<String, String> c = client.connect();
      commands = c;
      c.sync().eval(BEAT, ScriptOutputType.INTEGER, NO_KEYS, PREFIX, nodeId, ttl());
      rooms = c.sync().smembers(PREFIX + ":rooms").stream().sorted().toList();
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("cannot reach redis " + where + ": " + e.getMessage(), e);
    }
    ScheduledExecutorService beat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "chat-directory-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    heartbeat = beat;
    beat.scheduleWithFixedDelay(
        this::beat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    log.info("node {}: chat directory on redis {} ready", nodeId, where);
  }

  @Override
  public List<String> rooms() {
    return rooms;
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
      send(MOVE, PREFIX, nodeId, op, id, user, room)
          .whenComplete(
              (ok, failure) -> {
                if (failure != null) {
                  failed(failure);
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
    return send(DM, PREFIX, from, to, dm.text()).thenApply(published -> published == 1L);
  }

  /**
   * Runs a script; a failed future, never an exception, when Redis is not there. EVAL rather than
   * EVALSHA: the retry that EVALSHA needs after a Redis restart (NOSCRIPT) would send an update
   * after later ones.
   */
  private CompletionStage<Long> send(String script, String... args) {
    StatefulRedisConnection<String, String> c = commands;
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    try {
      return c.async().eval(script, ScriptOutputType.INTEGER, NO_KEYS, args);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Keeps this server alive in Redis and sweeps dead ones; rewrites its connections if needed. */
  private void beat() {
    if (closed.get()) {
      return;
    }
    try {
      if (rewriteNeeded.getAndSet(false)) {
        rewrite();
      } else {
        refresh();
      }
    } catch (RuntimeException e) { // never let the heartbeat stop
      failed(e);
    }
  }

  private void refresh() {
    send(BEAT, PREFIX, nodeId, ttl())
        .whenComplete(
            (existed, failure) -> {
              if (failure != null) {
                failed(failure);
              } else if (existed == 0L) {
                // Redis forgot this server (a restart, or a pause past the TTL): write it again.
                rewriteNeeded.set(true);
                submitBeat();
              }
            });
  }

  /** Writes all of this server's connections again, announcing every room they are in. */
  private void rewrite() {
    synchronized (lock) {
      List<String> args = new ArrayList<>(3 + 3 * entries.size());
      args.addAll(List.of(PREFIX, nodeId, ttl()));
      for (String[] entry : entries.values()) {
        args.addAll(Arrays.asList(entry));
      }
      int connections = entries.size();
      send(REWRITE, args.toArray(String[]::new))
          .whenComplete(
              (ok, failure) -> {
                if (failure != null) {
                  failed(failure);
                } else {
                  down.set(false);
                  log.info(
                      "node {}: chat directory: its {} connections written again to redis {}",
                      nodeId,
                      connections,
                      where);
                }
              });
    }
  }

  private void submitBeat() {
    ScheduledExecutorService beat = heartbeat;
    if (beat != null && !closed.get()) {
      try {
        beat.execute(this::beat);
      } catch (RuntimeException rejected) {
        // closing
      }
    }
  }

  /** Notes a failed update: logged once per outage; everything is written again once it ends. */
  private void failed(Throwable failure) {
    if (closed.get()) {
      return;
    }
    rewriteNeeded.set(true);
    if (down.compareAndSet(false, true)) {
      log.warn(
          "node {}: chat directory: redis {} unreachable; presence, rooms and private messages"
              + " reach this server only until it is back: {}",
          nodeId,
          where,
          failure.toString());
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
    ScheduledExecutorService beat = heartbeat;
    if (beat != null) {
      beat.shutdownNow();
    }
    StatefulRedisConnection<String, String> c = commands;
    if (c != null) {
      try {
        c.sync().eval(FORGET, ScriptOutputType.INTEGER, NO_KEYS, PREFIX, nodeId);
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
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "ChatDirectory[redis " + where + "]";
  }

  /** What Redis announces on the chat's channel, handed to the listener in order. */
  private final class Announcements extends RedisPubSubAdapter<String, String> {

    @Override
    public void subscribed(String ch, long count) {
      if (!subscribedOnce.compareAndSet(false, true)) {
        // Subscribed again after a lost connection: what was announced meanwhile never came.
        rewriteNeeded.set(true);
        submitBeat();
      }
    }

    @Override
    public void message(String ch, String message) {
      Listener l = listener;
      if (l == null || closed.get()) {
        return;
      }
      try {
        if (message.startsWith("D ")) {
          int end = message.indexOf('\n');
          String[] header = message.substring(0, end).split(" ");
          l.directMessage(header[1], header[2], Message.text(message.substring(end + 1)), false);
          return;
        }
        for (String line : message.split("\n")) {
          if (line.startsWith("P ")) {
            String[] parts = line.split(" ", 3);
            l.presence(parts[1], list(parts.length > 2 ? parts[2] : ""));
          } else if (line.startsWith("R ")) {
            List<String> now = list(line.substring(2));
            rooms = now;
            l.rooms(now);
          }
        }
      } catch (RuntimeException e) {
        // Never the message itself: it may hold a private message.
        log.warn(
            "node {}: chat directory: an announcement was not delivered: {}", nodeId, e.toString());
      }
    }

    private List<String> list(String commaSeparated) {
      return commaSeparated.isEmpty() ? List.of() : List.of(commaSeparated.split(","));
    }
  }
}
