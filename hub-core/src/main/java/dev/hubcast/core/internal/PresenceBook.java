package dev.hubcast.core.internal;

import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.PresenceConfig;
import dev.hubcast.core.PresenceDiff;
import dev.hubcast.core.PresenceEntry;
import dev.hubcast.core.PresenceSnapshot;
import dev.hubcast.core.PresenceUser;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.internal.PresenceSignals.Change;
import dev.hubcast.core.internal.PresenceSignals.Kind;
import dev.hubcast.core.internal.PresenceSignals.Signal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in each room, on every node: the hub's presence ({@link PresenceConfig}).
 *
 * <p>Every change runs on one thread of its own, the presence thread, in the order it was asked
 * for: this node's joins and leaves (handed over by the room directory), the other nodes' signals,
 * graces that end, intervals that end, heartbeats. So changes need no lock among themselves and the
 * snapshot a joiner gets and the diffs after it come in one order. Each room's state is guarded by
 * its monitor, taken by the presence thread to change it and by {@link #snapshot} to read it; under
 * it the presence thread only offers frames to outboxes, which never block. An outbox that closes
 * its connection for a slow consumer hands the leave back to the presence thread, so no lock is
 * ever awaited under a room's monitor.
 *
 * <p>With a backplane that carries signals, each node publishes every change of its own entries
 * (numbered), a heartbeat with its latest number every {@link PresenceConfig#heartbeat()}, and its
 * whole state when another node asks (because it heard of the node for the first time, or missed a
 * number). A node not heard from for {@link PresenceConfig#peerTimeout()} is forgotten; one that
 * stops cleanly says so.
 */
final class PresenceBook<M> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final PresenceConfig<M> config;
  private final MessageCodec<M> codec;
  private final Backplane backplane; // null: this node only
  private final ScheduledThreadPoolExecutor thread;
  private final ConcurrentMap<String, PresenceRoom> rooms = new ConcurrentHashMap<>();

  // Presence thread only.
  private final Map<String, Peer> peers = new HashMap<>();
  private final Map<String, Held> held = new HashMap<>(); // by key(room, id), within grace
  private long seq;
  private volatile boolean partial;
  private volatile boolean closed;

  PresenceBook(
      String nodeId, PresenceConfig<M> config, MessageCodec<M> codec, Backplane backplane) {
    this.nodeId = nodeId;
    this.config = config;
    this.codec = codec;
    this.backplane = backplane.isDistributed() && backplane.supportsSignals() ? backplane : null;
    this.thread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "hubcast-presence-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    thread.setRemoveOnCancelPolicy(true);
    if (this.backplane != null) {
      long every = config.heartbeat().toNanos();
      thread.scheduleAtFixedRate(this::beat, 0, every, TimeUnit.NANOSECONDS);
    }
  }

  // ---------------------------------------------------------------- from the hub's threads

  /** {@code c} joined {@code room}; under no lock of the hub's. */
  void entered(String room, DefaultClient c) {
    if (config.rooms().test(room)) {
      run(() -> track(room, c));
    }
  }

  /** {@code c} left {@code room} or closed; from any thread, under any lock. */
  void left(String room, DefaultClient c) {
    if (config.rooms().test(room)) {
      run(() -> untrack(room, c));
    }
  }

  /** A signal from the backplane. */
  void signal(byte[] payload) {
    Signal s;
    try {
      s = PresenceSignals.decode(payload);
    } catch (IllegalArgumentException e) {
      log.warn("hub {}: presence signal skipped: {}", nodeId, e.getMessage());
      return;
    }
    if (!s.origin().equals(nodeId)) {
      run(() -> received(s));
    }
  }

  /** The room's presence as this node knows it now. */
  PresenceSnapshot snapshot(String room) {
    PresenceRoom r = rooms.get(room);
    if (r == null) {
      return new PresenceSnapshot(room, List.of(), 0, isPartial());
    }
    synchronized (r) {
      return r.snapshot();
    }
  }

  boolean isPresent(String room, String user) {
    PresenceRoom r = rooms.get(room);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.users.containsKey(user);
    }
  }

  private boolean isPartial() {
    return backplane != null && partial;
  }

  private void run(Runnable task) {
    if (closed) {
      return;
    }
    try {
      thread.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("hub {}: presence task failed", nodeId, e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** Says goodbye to the other nodes and stops the presence thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (backplane != null) {
      try {
        thread
            .submit(() -> publish(new Signal(Kind.BYE, nodeId, seq, null, List.of())))
            .get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("hub {}: presence goodbye not sent: {}", nodeId, e.toString());
      }
    }
    thread.shutdownNow();
  }

  // ---------------------------------------------------------------- this node's connections

  private static String userOf(DefaultClient c) {
    return c.user().orElse(c.id());
  }

  private void track(String room, DefaultClient c) {
    synchronized (c) {
      if (c.state != DefaultClient.State.OPEN || !c.inRoom(room)) {
        return; // it left or closed before this ran; its leave follows, or ran already
      }
    }
    String user = userOf(c);
    String data;
    try {
      data = config.data().apply(c);
    } catch (RuntimeException e) {
      log.warn("hub {}: connection {}: presence data function threw", nodeId, c.id(), e);
      data = null;
    }
    PresenceEntry entry = new PresenceEntry(c.id(), nodeId, data == null ? "" : data);
    PresenceRoom r = rooms.computeIfAbsent(room, PresenceRoom::new);
    List<Change> changes = new ArrayList<>(2);
    synchronized (r) {
      if (r.has(user, c.id())) {
        return; // told twice (a join retried on a replaced room)
      }
      Held replaced = takeHeld(room, user);
      if (replaced != null) {
        r.remove(replaced.user, replaced.connectionId);
        changes.add(new Change(false, room, user, replaced.connectionId, ""));
      }
      r.add(user, entry);
      r.newcomers.add(c);
      changes.add(new Change(true, room, user, entry.connectionId(), entry.data()));
      changed(r);
    }
    publishChanges(changes);
  }

  private void untrack(String room, DefaultClient c) {
    PresenceRoom r = rooms.get(room);
    if (r == null) {
      return;
    }
    String user = userOf(c);
    synchronized (r) {
      r.subscribers.remove(c);
      r.newcomers.remove(c);
      if (!r.has(user, c.id())) {
        return;
      }
      if (config.grace().isZero()) {
        r.remove(user, c.id());
        changed(r);
      } else {
        Held h = new Held(room, user, c.id());
        h.timer =
            thread.schedule(() -> endGrace(h), config.grace().toNanos(), TimeUnit.NANOSECONDS);
        held.put(key(room, c.id()), h);
        return;
      }
    }
    publishChanges(List.of(new Change(false, room, user, c.id(), "")));
  }

  /** A held entry of {@code user} in {@code room}, taken out of the grace (its timer cancelled). */
  private Held takeHeld(String room, String user) {
    for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
      Held h = it.next();
      if (h.room.equals(room) && h.user.equals(user)) {
        it.remove();
        h.timer.cancel(false);
        return h;
      }
    }
    return null;
  }

  private void endGrace(Held h) {
    if (held.remove(key(h.room, h.connectionId)) != h) {
      return; // replaced by a reconnect
    }
    PresenceRoom r = rooms.get(h.room);
    if (r == null) {
      return;
    }
    synchronized (r) {
      r.remove(h.user, h.connectionId);
      changed(r);
    }
    publishChanges(List.of(new Change(false, h.room, h.user, h.connectionId, "")));
  }

  // ---------------------------------------------------------------- diffs and snapshots

  /** After a change to {@code r}: sends it now, or once the interval is over. Holds r. */
  private void changed(PresenceRoom r) {
    if (config.interval().isZero()) {
      flush(r);
    } else if (!r.flushScheduled) {
      r.flushScheduled = true;
      thread.schedule(
          () -> {
            synchronized (r) {
              r.flushScheduled = false;
              flush(r);
            }
          },
          config.interval().toNanos(),
          TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Sends the room's diff to the members that have their snapshot, then the snapshot to the
   * newcomers, who get every diff from then on. Holds r.
   */
  private void flush(PresenceRoom r) {
    FanOut.begin();
    try {
      if (r.hasDiff() && !r.subscribers.isEmpty()) {
        M message = make(() -> config.diffMessage().apply(r.diff(isPartial())), "diff");
        Message frame = encode(message);
        if (frame != null) {
          for (DefaultClient c : r.subscribers) {
            c.outbox.offer(frame);
          }
        }
      }
      r.clearDiff();
      if (!r.newcomers.isEmpty()) {
        PresenceSnapshot snapshot = r.snapshot();
        M message = make(() -> config.snapshotMessage().apply(snapshot), "snapshot");
        Message frame = encode(message);
        for (DefaultClient c : r.newcomers) {
          if (frame != null) {
            c.outbox.offer(frame);
          }
          r.subscribers.add(c);
        }
        r.newcomers.clear();
      }
    } finally {
      FanOut.end();
    }
    if (r.isEmpty()) {
      rooms.remove(r.name, r);
    }
  }

  private M make(java.util.function.Supplier<? extends M> maker, String what) {
    try {
      return maker.get();
    } catch (RuntimeException e) {
      log.warn("hub {}: the presence {} message function threw; not sent", nodeId, what, e);
      return null;
    }
  }

  private Message encode(M message) {
    if (message == null) {
      return null;
    }
    try {
      return codec.encode(message);
    } catch (RuntimeException e) {
      log.warn("hub {}: a presence message could not be encoded; not sent", nodeId, e);
      return null;
    }
  }

  // ---------------------------------------------------------------- the other nodes

  private void publishChanges(List<Change> changes) {
    if (backplane != null) {
      for (Change c : changes) {
        publish(new Signal(Kind.CHANGE, nodeId, ++seq, null, List.of(c)));
      }
    }
  }

  private void publish(Signal s) {
    backplane
        .signal(PresenceSignals.encode(s))
        .whenComplete(
            (ok, failure) -> {
              boolean was = partial;
              partial = failure != null;
              if (failure != null && !was) {
                log.warn(
                    "hub {}: presence cannot reach the other nodes ({}); answering for this"
                        + " node's connections only",
                    nodeId,
                    failure.toString());
              } else if (failure == null && was) {
                log.info("hub {}: presence reaches the other nodes again", nodeId);
              }
            });
  }

  private void beat() {
    if (closed) {
      return;
    }
    publish(new Signal(Kind.HEARTBEAT, nodeId, seq, null, List.of()));
    long now = System.nanoTime();
    long timeout = config.peerTimeout().toNanos();
    for (Iterator<Peer> it = peers.values().iterator(); it.hasNext(); ) {
      Peer p = it.next();
      if (now - p.heardAt > timeout) {
        it.remove();
        log.info("hub {}: presence: node {} silent, its entries dropped", nodeId, p.node);
        replace(p, Map.of());
      }
    }
  }

  private void received(Signal s) {
    Peer p = peers.get(s.origin());
    if (s.kind() == Kind.BYE) {
      if (p != null) {
        peers.remove(s.origin());
        replace(p, Map.of());
      }
      return;
    }
    if (p == null) {
      p = new Peer(s.origin());
      peers.put(s.origin(), p);
    }
    p.heardAt = System.nanoTime();
    switch (s.kind()) {
      case SYNC_REQUEST -> {
        if (nodeId.equals(s.target())) {
          publish(new Signal(Kind.STATE, nodeId, seq, null, ownEntries()));
        }
      }
      case STATE -> {
        Map<String, Change> now = new LinkedHashMap<>();
        for (Change c : s.changes()) {
          now.put(key(c.room(), c.connectionId()), c);
        }
        replace(p, now);
        p.seq = s.seq();
        p.synced = true;
      }
      case HEARTBEAT -> {
        if (!p.synced || s.seq() != p.seq) {
          askState(p);
        }
      }
      case CHANGE -> {
        if (p.synced && s.seq() == p.seq + 1) {
          p.seq = s.seq();
          Set<PresenceRoom> touched = new LinkedHashSet<>();
          for (Change c : s.changes()) {
            apply(p, c, touched);
          }
          flushAll(touched);
        } else {
          askState(p);
        }
      }
      default -> throw new AssertionError(s.kind());
    }
  }

  private void askState(Peer p) {
    p.synced = false;
    publish(new Signal(Kind.SYNC_REQUEST, nodeId, seq, p.node, List.of()));
  }

  /** This node's entries, held ones included, as STATE changes. */
  private List<Change> ownEntries() {
    List<Change> all = new ArrayList<>();
    for (PresenceRoom r : rooms.values()) {
      synchronized (r) {
        r.users.forEach(
            (user, entries) ->
                entries.values().stream()
                    .filter(e -> e.node().equals(nodeId))
                    .forEach(
                        e -> all.add(new Change(true, r.name, user, e.connectionId(), e.data()))));
      }
    }
    return all;
  }

  /** Applies a peer's change to its room, which is then in {@code touched}; no diff yet. */
  private void apply(Peer p, Change c, Set<PresenceRoom> touched) {
    String k = key(c.room(), c.connectionId());
    if (c.added()) {
      p.entries.put(k, c);
    } else if (p.entries.remove(k) == null) {
      return;
    }
    PresenceRoom r = rooms.computeIfAbsent(c.room(), PresenceRoom::new);
    synchronized (r) {
      if (c.added()) {
        r.add(c.user(), new PresenceEntry(c.connectionId(), p.node, c.data()));
      } else {
        r.remove(c.user(), c.connectionId());
      }
      touched.add(r);
    }
  }

  /** One diff for each room a batch of changes touched. */
  private void flushAll(Set<PresenceRoom> touched) {
    for (PresenceRoom r : touched) {
      synchronized (r) {
        changed(r);
      }
    }
  }

  /** Makes {@code now} the peer's entries: removes what it no longer has, adds what it has. */
  private void replace(Peer p, Map<String, Change> now) {
    Set<PresenceRoom> touched = new LinkedHashSet<>();
    for (Change was : List.copyOf(p.entries.values())) {
      if (!now.containsKey(key(was.room(), was.connectionId()))) {
        apply(p, new Change(false, was.room(), was.user(), was.connectionId(), ""), touched);
      }
    }
    for (Change c : now.values()) {
      if (!p.entries.containsKey(key(c.room(), c.connectionId()))) {
        apply(p, c, touched);
      }
    }
    flushAll(touched);
  }

  // ---------------------------------------------------------------- state

  /** One entry's key: a connection may be present in several rooms. */
  private static String key(String room, String connectionId) {
    return room + '\u0000' + connectionId;
  }

  /** Another node, as this one heard it. Presence thread only. */
  private static final class Peer {
    final String node;
    final Map<String, Change> entries = new HashMap<>(); // by key(room, connection id)
    long heardAt;
    long seq;
    boolean synced;

    Peer(String node) {
      this.node = node;
    }
  }

  /** A connection of this node that left, present until its grace ends. Presence thread only. */
  private static final class Held {
    final String room;
    final String user;
    final String connectionId;
    ScheduledFuture<?> timer;

    Held(String room, String user, String connectionId) {
      this.room = room;
      this.user = user;
      this.connectionId = connectionId;
    }
  }

  /** One room's presence. Guarded by its monitor. */
  private final class PresenceRoom {
    final String name;
    final TreeMap<String, LinkedHashMap<String, PresenceEntry>> users = new TreeMap<>();
    final Set<DefaultClient> subscribers = new LinkedHashSet<>();
    final List<DefaultClient> newcomers = new ArrayList<>();
    final Set<String> joined = new TreeSet<>(); // arrived since the last diff
    final Set<String> left = new TreeSet<>(); // gone since the last diff
    boolean flushScheduled;

    PresenceRoom(String name) {
      this.name = name;
    }

    boolean has(String user, String connectionId) {
      Map<String, PresenceEntry> tabs = users.get(user);
      return tabs != null && tabs.containsKey(connectionId);
    }

    void add(String user, PresenceEntry entry) {
      LinkedHashMap<String, PresenceEntry> tabs = users.get(user);
      if (tabs == null) {
        tabs = new LinkedHashMap<>(2);
        users.put(user, tabs);
        if (!left.remove(user)) {
          joined.add(user);
        }
      }
      tabs.put(entry.connectionId(), entry);
    }

    void remove(String user, String connectionId) {
      Map<String, PresenceEntry> tabs = users.get(user);
      if (tabs == null || tabs.remove(connectionId) == null || !tabs.isEmpty()) {
        return;
      }
      users.remove(user);
      if (!joined.remove(user)) {
        left.add(user);
      }
    }

    boolean hasDiff() {
      return !joined.isEmpty() || !left.isEmpty();
    }

    void clearDiff() {
      joined.clear();
      left.clear();
    }

    PresenceDiff diff(boolean partial) {
      List<PresenceUser> arrived = new ArrayList<>(joined.size());
      for (String user : joined) {
        arrived.add(new PresenceUser(user, List.copyOf(users.get(user).values())));
      }
      return new PresenceDiff(name, arrived, List.copyOf(left), users.size(), partial, this::names);
    }

    List<String> names() {
      List<String> names = new ArrayList<>(Math.min(users.size(), config.maxListed()));
      for (String user : users.keySet()) {
        if (names.size() == config.maxListed()) {
          break;
        }
        names.add(user);
      }
      return names;
    }

    PresenceSnapshot snapshot() {
      List<PresenceUser> listed = new ArrayList<>(Math.min(users.size(), config.maxListed()));
      for (Map.Entry<String, LinkedHashMap<String, PresenceEntry>> e : users.entrySet()) {
        if (listed.size() == config.maxListed()) {
          break;
        }
        listed.add(new PresenceUser(e.getKey(), List.copyOf(e.getValue().values())));
      }
      return new PresenceSnapshot(name, listed, users.size(), isPartial());
    }

    boolean isEmpty() {
      return users.isEmpty() && subscribers.isEmpty() && newcomers.isEmpty() && !flushScheduled;
    }
  }
}
