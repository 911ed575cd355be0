package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Frame;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Backplane;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Envelope;
import dev.hubcast.core.spi.FanOut;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.RoomSequencer;
import dev.hubcast.core.spi.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub. Thread-safe; see {@link Hub} for the guarantees. Lock order, outermost first: a history
 * room's lock, a client's monitor, the room map's bins, an outbox's monitor. No lock is held while
 * calling application code or a transport's {@code close}.
 */
public final class DefaultHub<M> implements Hub<M>, Acceptor, Backplane.Receiver {

  private static final Logger log = LoggerFactory.getLogger(DefaultHub.class);
  private static final Inbound IGNORE =
      new Inbound() {
        @Override
        public void onMessage(Frame frame) {}

        @Override
        public void onClose(int code, String reason) {}

        @Override
        public void onError(Throwable cause) {}
      };

  private final HubConfig<M> config;
  private final MessageCodec<M> codec;
  private final HubHandler<M> handler; // null: apply the policy
  private final BroadcastPolicy policy;
  private final Backplane backplane;
  private final boolean distributed;
  private final RoomSequencer sequencer; // null: this node numbers its own room broadcasts
  private final String nodeId;
  private final String idPrefix;
  private final TransportSettings settings;
  private final Counters counters = new Counters();
  private final dev.hubcast.core.RateLimit rateLimit; // null: none

  private final ConcurrentMap<String, DefaultClient<M>> clients = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Set<DefaultClient<M>>> users = new ConcurrentHashMap<>();
  private final AddressTracker addresses;
  private final AtomicInteger openCount = new AtomicInteger(); // registered, for the cap
  private final AtomicInteger liveCount = new AtomicInteger(); // opened, close not yet reported
  private final AtomicLong connectionIds = new AtomicLong();
  private final AtomicLong envelopeSequence = new AtomicLong();
  private final ConcurrentMap<String, AtomicLong> originSequences = new ConcurrentHashMap<>();
  private final AtomicBoolean backplaneDown = new AtomicBoolean();

  private final AtomicBoolean shutdown = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  public DefaultHub(HubConfig<M> config) {
    this.config = requireNonNull(config, "config");
    this.codec = config.codec();
    this.handler = config.handler().orElse(null);
    this.policy = config.policy();
    this.backplane = config.backplane();
    this.distributed = backplane.isDistributed();
    this.sequencer = distributed ? backplane.sequencer().orElse(null) : null;
    this.nodeId = config.nodeId();
    this.idPrefix = nodeId + "-";
    this.settings =
        new TransportSettings(
            config.maxMessageBytes(),
            config.idleTimeout(),
            config.handshakeTimeout(),
            config.closeTimeout());
    this.addresses = new AddressTracker(config.maxConnectionsPerAddress());
    this.rateLimit = config.rateLimit().orElse(null);
    backplane.start(nodeId, this);
  }

  // ---------------------------------------------------------------- Hub: broadcasting

  @Override
  public HubConfig<M> config() {
    return config;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public BroadcastReceipt broadcast(Target target, M message) {
    requireNonNull(target, "target");
    requireNonNull(message, "message");
    checkRunning();
    return broadcastFrame(target, codec.encode(message));
  }

  @Override
  public BroadcastReceipt broadcastFrame(Target target, Frame frame) {
    requireNonNull(target, "target");
    requireNonNull(frame, "frame");
    checkRunning();
    if (target instanceof Target.Connection) {
      String id = ((Target.Connection) target).connectionId();
      if (!id.startsWith(idPrefix) && distributed) {
        publish(target, frame, -1, System.currentTimeMillis());
        return BroadcastReceipt.NONE;
      }
    }
    String roomName = roomOf(target);
    if (roomName != null) {
      Room room = roomFor(roomName);
      if (room != null) {
        if (sequencer != null) {
          return numberAcrossNodes(room, target, frame, null);
        }
        synchronized (room.lock) {
          return deliverNumbered(room, target, frame);
        }
      }
    }
    Tally tally = new Tally(-1);
    deliverLocal(target, frame, tally);
    publish(target, frame, -1, System.currentTimeMillis());
    return tally.receipt();
  }

  @Override
  public BroadcastReceipt broadcastSequenced(
      Target target, LongFunction<? extends M> messageForSequence) {
    requireNonNull(target, "target");
    requireNonNull(messageForSequence, "messageForSequence");
    String roomName = roomOf(target);
    if (roomName == null) {
      throw new IllegalArgumentException(
          "target: " + target + " (expected: Target.room or Target.roomExcept)");
    }
    checkRunning();
    Room room = roomFor(roomName);
    if (room == null) {
      throw new IllegalStateException(
          "room: \"" + roomName + "\" (maxRooms " + config.maxRooms() + " reached)");
    }
    if (sequencer != null) {
      return numberAcrossNodes(room, target, null, messageForSequence);
    }
    synchronized (room.lock) {
      long next = room.history.lastSequence() + 1;
      M message = requireNonNull(messageForSequence.apply(next), "message");
      return deliverNumbered(room, target, codec.encode(message));
    }
  }

  /** Numbers, records, delivers and publishes one room broadcast. Holds {@code room.lock}. */
  private BroadcastReceipt deliverNumbered(Room room, Target target, Frame frame) {
    HistoryEntry entry = room.history.append(frame, System.currentTimeMillis());
    Tally tally = new Tally(entry.sequence());
    deliverToRoom(room, exceptOf(target), frame, tally);
    // Published under the room lock so that other nodes get this room's broadcasts in sequence
    // order; a backplane never runs a receiver inside publish.
    publish(target, frame, entry.sequence(), entry.timestampMillis());
    return tally.receipt();
  }

  // ---------------------------------------------------------------- numbering across nodes

  /** How long a room waits for a missing number before it delivers past the gap. */
  private static final long GAP_WAIT_MILLIS = 250;

  /**
   * Asks the backplane's sequencer for the room's next number; the broadcast is delivered (here
   * and, through the backplane, everywhere) in number order once it arrives.
   */
  private BroadcastReceipt numberAcrossNodes(
      Room room, Target target, Frame frame, LongFunction<? extends M> factory) {
    long atLeast;
    synchronized (room.lock) {
      atLeast = Math.max(room.assignedMax, room.history.lastSequence());
    }
    CompletionStage<Long> number;
    try {
      number = sequencer.next(room.name, atLeast);
    } catch (RuntimeException e) {
      number = CompletableFuture.failedFuture(e);
    }
    number.whenComplete((n, failure) -> numbered(room, target, frame, factory, n, failure));
    return BroadcastReceipt.PENDING;
  }

  private void numbered(
      Room room,
      Target target,
      Frame frame,
      LongFunction<? extends M> factory,
      Long number,
      Throwable failure) {
    synchronized (room.lock) {
      long floor = Math.max(room.assignedMax, room.history.lastSequence());
      boolean shared = failure == null && number != null && number > room.history.lastSequence();
      if (!shared && failure == null) {
        log.warn(
            "hub {}: room {}: sequencer gave {} after {}; numbered locally",
            nodeId,
            room.name,
            number,
            room.history.lastSequence());
      }
      long seq = shared ? number : floor + 1;
      room.assignedMax = Math.max(room.assignedMax, seq);
      long now = System.currentTimeMillis();
      Frame encoded = frame;
      if (encoded == null) {
        try {
          encoded = codec.encode(requireNonNull(factory.apply(seq), "message"));
        } catch (RuntimeException e) {
          counters.handlerErrors.increment();
          log.warn("hub {}: room {}: message {} could not be made", nodeId, room.name, seq, e);
        }
      }
      room.reorder.put(seq, new Room.Arrival(target, encoded, now));
      if (encoded != null) {
        if (shared) {
          publish(target, encoded, seq, now);
        } else {
          // Spend an envelope number on it all the same: other nodes see the jump and know they
          // missed one broadcast from us.
          envelopeSequence.incrementAndGet();
          publishFailed(failure != null ? failure : new IllegalStateException("stale number"));
        }
      }
      drainInOrder(room);
    }
  }

  /** Delivers the room's held broadcasts in number order. Holds {@code room.lock}. */
  private void drainInOrder(Room room) {
    while (!room.reorder.isEmpty()) {
      long first = room.reorder.firstKey();
      long last = room.history.lastSequence();
      if (first <= last) {
        room.reorder.pollFirstEntry(); // late: its turn passed while we waited for it
        continue;
      }
      if (first != last + 1 && !room.skipGap) {
        armGapTimer(room);
        return;
      }
      if (first != last + 1 && last > 0) {
        log.debug(
            "hub {}: room {}: numbers {}-{} never came", nodeId, room.name, last + 1, first - 1);
      }
      room.skipGap = false;
      Room.Arrival a = room.reorder.pollFirstEntry().getValue();
      if (a.frame() == null) {
        room.history.advance(first);
      } else {
        room.history.record(first, a.timestampMillis(), a.frame());
        deliverToRoom(room, exceptOf(a.target()), a.frame(), new Tally(first));
      }
    }
  }

  private void armGapTimer(Room room) {
    if (room.gapTimerArmed) {
      return;
    }
    room.gapTimerArmed = true;
    CompletableFuture.delayedExecutor(GAP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              synchronized (room.lock) {
                room.gapTimerArmed = false;
                room.skipGap = true;
                drainInOrder(room);
                room.skipGap = false;
              }
            });
  }

  private void checkRunning() {
    if (shutdown.get()) {
      throw new IllegalStateException("hub " + nodeId + " is shut down");
    }
  }

  private static String roomOf(Target target) {
    if (target instanceof Target.Room) {
      return ((Target.Room) target).name();
    }
    if (target instanceof Target.RoomExcept) {
      return ((Target.RoomExcept) target).name();
    }
    return null;
  }

  private static String exceptOf(Target target) {
    if (target instanceof Target.RoomExcept) {
      return ((Target.RoomExcept) target).connectionId();
    }
    if (target instanceof Target.AllExcept) {
      return ((Target.AllExcept) target).connectionId();
    }
    return null;
  }

  /**
   * Offers a frame to this node's connections of a target. The loop is a {@link FanOut}, so that
   * adapters which write on another thread start writing once it is over.
   */
  private void deliverLocal(Target target, Frame frame, Tally tally) {
    FanOut.begin();
    try {
      offerLocal(target, frame, tally);
    } finally {
      FanOut.end();
    }
  }

  private void offerLocal(Target target, Frame frame, Tally tally) {
    if (target instanceof Target.All || target instanceof Target.AllExcept) {
      String except = exceptOf(target);
      for (DefaultClient<M> c : clients.values()) {
        if (except == null || !except.equals(c.id())) {
          tally.add(c.outbox.offer(frame));
        }
      }
    } else if (target instanceof Target.Room || target instanceof Target.RoomExcept) {
      Room room = rooms.get(roomOf(target));
      if (room != null) {
        offerToRoom(room, exceptOf(target), frame, tally);
      }
    } else if (target instanceof Target.User) {
      Set<DefaultClient<M>> tabs = users.get(((Target.User) target).name());
      if (tabs != null) {
        for (DefaultClient<M> c : tabs) {
          tally.add(c.outbox.offer(frame));
        }
      }
    } else if (target instanceof Target.Connection) {
      DefaultClient<M> c = clients.get(((Target.Connection) target).connectionId());
      if (c != null) {
        tally.add(c.outbox.offer(frame));
      }
    } else {
      throw new AssertionError(target);
    }
  }

  /** Offers a frame to a room's members on this node, as one {@link FanOut}. */
  private static void deliverToRoom(Room room, String except, Frame frame, Tally tally) {
    FanOut.begin();
    try {
      offerToRoom(room, except, frame, tally);
    } finally {
      FanOut.end();
    }
  }

  private static void offerToRoom(Room room, String except, Frame frame, Tally tally) {
    for (DefaultClient<?> c : room.members) {
      if (except == null || !except.equals(c.id())) {
        tally.add(c.outbox.offer(frame));
      }
    }
  }

  private void publish(Target target, Frame frame, long roomSequence, long timestampMillis) {
    if (!distributed) {
      return;
    }
    if (target instanceof Target.Connection
        && ((Target.Connection) target).connectionId().startsWith(idPrefix)) {
      return; // one of ours: nobody else has it
    }
    Envelope envelope =
        new Envelope(
            nodeId,
            envelopeSequence.incrementAndGet(),
            target,
            frame,
            roomSequence,
            timestampMillis);
    CompletionStage<Void> published;
    try {
      published = backplane.publish(envelope);
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    published.whenComplete(
        (ok, failure) -> {
          if (failure == null) {
            counters.backplanePublished.increment();
            if (backplaneDown.compareAndSet(true, false)) {
              log.info("hub {}: backplane publishing again", nodeId);
            }
          } else {
            publishFailed(failure);
          }
        });
  }

  /** Counts a broadcast that did not reach the other nodes; logs once per outage. */
  private void publishFailed(Throwable failure) {
    counters.backplanePublishFailures.increment();
    if (backplaneDown.compareAndSet(false, true)) {
      log.warn(
          "hub {}: backplane publish failed; broadcasts reach this node only until it"
              + " recovers: {}",
          nodeId,
          failure.toString());
    }
  }

  /** Counts the outcome of each offer of one broadcast. Confined to the broadcasting thread. */
  private static final class Tally {
    final long sequence;
    int queued;
    int dropped;
    int refused;

    Tally(long sequence) {
      this.sequence = sequence;
    }

    void add(Outbox.Offer offer) {
      switch (offer) {
        case QUEUED -> queued++;
        case DROPPED -> dropped++;
        case REFUSED -> refused++;
        default -> throw new AssertionError(offer);
      }
    }

    BroadcastReceipt receipt() {
      return queued + dropped + refused == 0 && sequence < 0
          ? BroadcastReceipt.NONE
          : new BroadcastReceipt(queued, dropped, refused, sequence);
    }
  }

  // ---------------------------------------------------------------- Backplane.Receiver

  @Override
  public void receive(Envelope envelope) {
    try {
      if (envelope.originNode().equals(nodeId)) {
        return; // our own echo
      }
      counters.backplaneReceived.increment();
      checkGap(envelope);
      Target target = envelope.target();
      Frame frame = envelope.frame();
      String roomName = roomOf(target);
      if (roomName != null && envelope.roomSequence() > 0) {
        Room room = roomFor(roomName);
        if (room != null && sequencer != null) {
          synchronized (room.lock) {
            long seq = envelope.roomSequence();
            room.assignedMax = Math.max(room.assignedMax, seq);
            if (seq > room.history.lastSequence()) {
              room.reorder.put(seq, new Room.Arrival(target, frame, envelope.timestampMillis()));
              drainInOrder(room);
            }
          }
          return;
        }
        if (room != null) {
          synchronized (room.lock) {
            room.history.record(envelope.roomSequence(), envelope.timestampMillis(), frame);
            deliverToRoom(room, exceptOf(target), frame, new Tally(-1));
          }
          return;
        }
      }
      deliverLocal(target, frame, new Tally(-1));
    } catch (RuntimeException e) {
      log.warn("hub {}: envelope from {} not delivered", nodeId, envelope.originNode(), e);
    }
  }

  private void checkGap(Envelope envelope) {
    AtomicLong last = originSequences.computeIfAbsent(envelope.originNode(), k -> new AtomicLong());
    long previous = last.getAndSet(envelope.sequence());
    long missed = previous == 0 ? 0 : envelope.sequence() - previous - 1;
    if (missed > 0) {
      counters.backplaneGaps.add(missed);
      log.warn(
          "hub {}: {} broadcasts from node {} were lost on the backplane",
          nodeId,
          missed,
          envelope.originNode());
      if (handler != null) {
        try {
          handler.onBackplaneGap(this, envelope.originNode(), missed);
        } catch (RuntimeException e) {
          counters.handlerErrors.increment();
          log.warn("hub {}: onBackplaneGap handler failed", nodeId, e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- Hub: rooms and lookups

  private Room roomFor(String name) {
    Room room = rooms.get(name);
    if (room != null) {
      return room;
    }
    if (rooms.size() >= config.maxRooms() && !evictEmptyRoom()) {
      return null;
    }
    return rooms.computeIfAbsent(name, n -> new Room(n, config.historySize()));
  }

  private boolean evictEmptyRoom() {
    for (Room r : rooms.values()) {
      if (r.members.isEmpty()
          && rooms.computeIfPresent(r.name, (k, cur) -> cur.members.isEmpty() ? null : cur)
              == null) {
        return true;
      }
    }
    return false;
  }

  private static void checkRoomName(String room) {
    requireNonNull(room, "room");
    if (room.isEmpty()) {
      throw new IllegalArgumentException("room: \"\" (expected: a non-empty name)");
    }
  }

  @Override
  public boolean join(String connectionId, String room) {
    requireNonNull(connectionId, "connectionId");
    checkRoomName(room);
    DefaultClient<M> c = clients.get(connectionId);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      if (c.state != DefaultClient.OPEN || c.inRoom(room)) {
        return false;
      }
      addMember(room, c, null);
      c.addRoom(room);
      return true;
    }
  }

  /** Adds {@code c} to the room, creating it if needed; with {@code expected}, only to that one. */
  private Room addMember(String name, DefaultClient<M> c, Room expected) {
    boolean[] full = {false};
    Room joined =
        rooms.compute(
            name,
            (k, cur) -> {
              if (expected != null && cur != expected) {
                return cur; // the room was replaced meanwhile; the caller retries
              }
              if (cur == null) {
                if (rooms.size() >= config.maxRooms()) {
                  full[0] = true;
                  return null;
                }
                cur = new Room(k, config.historySize());
              }
              cur.members.add(c);
              return cur;
            });
    if (full[0]) {
      if (evictEmptyRoom()) {
        return addMember(name, c, expected);
      }
      throw new IllegalStateException(
          "room: \"" + name + "\" (maxRooms " + config.maxRooms() + " reached)");
    }
    return joined;
  }

  @Override
  public HistoryRead joinAndReplay(String connectionId, String room, long afterSequence) {
    requireNonNull(connectionId, "connectionId");
    checkRoomName(room);
    if (afterSequence < 0) {
      throw new IllegalArgumentException("afterSequence: " + afterSequence + " (expected: >= 0)");
    }
    DefaultClient<M> c = clients.get(connectionId);
    if (c == null) {
      return HistoryRead.EMPTY;
    }
    while (true) {
      Room r = roomFor(room);
      if (r == null) {
        throw new IllegalStateException(
            "room: \"" + room + "\" (maxRooms " + config.maxRooms() + " reached)");
      }
      synchronized (r.lock) {
        synchronized (c) {
          if (c.state != DefaultClient.OPEN) {
            return HistoryRead.EMPTY;
          }
          if (!c.inRoom(room)) {
            if (addMember(room, c, r) != r || !r.members.contains(c)) {
              continue; // replaced by a new room object between lookup and lock
            }
            c.addRoom(room);
          }
        }
        HistoryRead read = r.history.read(afterSequence);
        FanOut.begin();
        try {
          for (HistoryEntry e : read.entries()) {
            c.outbox.offer(e.frame());
          }
        } finally {
          FanOut.end();
        }
        return read;
      }
    }
  }

  @Override
  public boolean leave(String connectionId, String room) {
    requireNonNull(connectionId, "connectionId");
    requireNonNull(room, "room");
    DefaultClient<M> c = clients.get(connectionId);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      if (!c.removeRoom(room)) {
        return false;
      }
      removeMember(room, c);
      return true;
    }
  }

  private void removeMember(String room, DefaultClient<M> c) {
    rooms.computeIfPresent(
        room,
        (k, r) -> {
          r.members.remove(c);
          return r.members.isEmpty() && r.isDisposable() ? null : r;
        });
  }

  @Override
  public HistoryRead history(String room, long afterSequence) {
    requireNonNull(room, "room");
    if (afterSequence < 0) {
      throw new IllegalArgumentException("afterSequence: " + afterSequence + " (expected: >= 0)");
    }
    Room r = rooms.get(room);
    if (r == null) {
      return HistoryRead.EMPTY;
    }
    synchronized (r.lock) {
      return r.history.read(afterSequence);
    }
  }

  @Override
  public Optional<Client> client(String connectionId) {
    return Optional.ofNullable(clients.get(requireNonNull(connectionId, "connectionId")));
  }

  @Override
  public Collection<Client> clients() {
    return List.copyOf(clients.values());
  }

  @Override
  public Set<String> rooms() {
    return rooms.values().stream()
        .filter(r -> !r.members.isEmpty())
        .map(r -> r.name)
        .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Collection<Client> members(String room) {
    Room r = rooms.get(requireNonNull(room, "room"));
    return r == null ? List.of() : List.copyOf(r.members);
  }

  @Override
  public Set<String> users() {
    return Set.copyOf(users.keySet());
  }

  @Override
  public Collection<Client> userClients(String user) {
    Set<DefaultClient<M>> tabs = users.get(requireNonNull(user, "user"));
    return tabs == null ? List.of() : List.copyOf(tabs);
  }

  @Override
  public boolean close(String connectionId, int code, String reason) {
    requireNonNull(connectionId, "connectionId");
    if (!CloseCodes.isSendable(code)) {
      throw new IllegalArgumentException(
          "code: " + code + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
    }
    DefaultClient<M> c = clients.get(connectionId);
    return c != null && terminate(c, code, reason == null ? "" : reason, true);
  }

  @Override
  public HubMetrics metrics() {
    long pendingFrames = 0;
    long pendingBytes = 0;
    for (DefaultClient<M> c : clients.values()) {
      pendingFrames += c.outbox.pendingFrames();
      pendingBytes += c.outbox.pendingBytes();
    }
    int nonEmptyRooms = 0;
    for (Room r : rooms.values()) {
      if (!r.members.isEmpty()) {
        nonEmptyRooms++;
      }
    }
    Counters k = counters;
    return new HubMetrics(
        clients.size(),
        nonEmptyRooms,
        users.size(),
        k.connectionsOpened.sum(),
        k.framesIn.sum(),
        k.bytesIn.sum(),
        k.framesOut.sum(),
        k.bytesOut.sum(),
        k.framesDropped.sum(),
        k.sendFailures.sum(),
        k.slowConsumerCloses.sum(),
        k.refusedHandshakes.sum(),
        k.decodeErrors.sum(),
        k.handlerErrors.sum(),
        k.rateLimited.sum(),
        pendingFrames,
        pendingBytes,
        k.backplanePublished.sum(),
        k.backplanePublishFailures.sum(),
        k.backplaneReceived.sum(),
        k.backplaneGaps.sum());
  }

  /** Remote addresses tracked for the per-address cap (for tests: back to 0 when all close). */
  public int trackedAddresses() {
    return addresses.addresses();
  }

  /** Room objects held, empty ones with history included (for tests). */
  public int heldRooms() {
    return rooms.size();
  }

  // ---------------------------------------------------------------- Acceptor

  @Override
  public Acceptor acceptor() {
    return this;
  }

  @Override
  public TransportSettings settings() {
    return settings;
  }

  @Override
  public Admission admit(Handshake handshake) {
    requireNonNull(handshake, "handshake");
    Admission refusal = check(handshake);
    if (refusal != null) {
      counters.refusedHandshakes.increment();
      log.debug(
          "hub {}: handshake from {} refused: {} {}",
          nodeId,
          handshake.remoteAddress(),
          refusal.status(),
          refusal.reason());
      return refusal;
    }
    AuthResult auth;
    try {
      auth = requireNonNull(config.authenticator().authenticate(handshake), "AuthResult");
    } catch (RuntimeException e) {
      counters.refusedHandshakes.increment();
      counters.handlerErrors.increment();
      // Never log the handshake's headers or query, nor the exception's message: they may carry
      // tokens. The exception's type says which failure it was.
      log.warn(
          "hub {}: authenticator threw {} for a handshake from {}; refused with 500",
          nodeId,
          e.getClass().getName(),
          handshake.remoteAddress());
      return Admission.refused(500, "authentication failed");
    }
    if (!auth.isAccepted()) {
      counters.refusedHandshakes.increment();
      return Admission.refused(auth.status(), auth.reason().orElse("refused"));
    }
    Handshake admitted =
        handshake.withIdentity(auth.principal().orElse(null), auth.user().orElse(null));
    return Admission.admitted(
        idPrefix + Long.toString(connectionIds.incrementAndGet(), 36), admitted);
  }

  private Admission check(Handshake handshake) {
    if (shutdown.get()) {
      return Admission.refused(503, "server is shutting down");
    }
    if (openCount.get() >= config.maxConnections()) {
      return Admission.refused(503, "server is at its connection limit");
    }
    if (addresses.isFull(addressKey(handshake.remoteAddress()))) {
      return Admission.refused(429, "too many connections from this address");
    }
    if (!config.originPolicy().allows(handshake.origin(), handshake)) {
      return Admission.refused(403, "origin not allowed");
    }
    return null;
  }

  private static String addressKey(InetSocketAddress address) {
    return address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : address.getHostString();
  }

  @Override
  public Inbound open(Connection connection) {
    requireNonNull(connection, "connection");
    DefaultClient<M> c = new DefaultClient<>(this, connection, counters, config);
    String address = addressKey(connection.remoteAddress());
    if (shutdown.get()) {
      closeQuietly(connection, CloseCodes.GOING_AWAY, "server is shutting down");
      return IGNORE;
    }
    if (openCount.incrementAndGet() > config.maxConnections()) {
      openCount.decrementAndGet();
      counters.refusedHandshakes.increment();
      closeQuietly(connection, CloseCodes.TRY_AGAIN_LATER, "server is at its connection limit");
      return IGNORE;
    }
    if (!addresses.tryAcquire(address)) {
      openCount.decrementAndGet();
      counters.refusedHandshakes.increment();
      closeQuietly(
          connection, CloseCodes.TRY_AGAIN_LATER, "too many connections from this address");
      return IGNORE;
    }
    // Registered under the client's monitor, as terminate() unregisters: a broadcast that finds
    // the client through one map and fails its send cannot unregister it half-way.
    liveCount.incrementAndGet(); // before it is reachable: its close may be reported at once
    synchronized (c) {
      if (clients.putIfAbsent(c.id(), c) != null) {
        openCount.decrementAndGet();
        liveCount.decrementAndGet();
        addresses.release(address);
        throw new IllegalStateException("connection id: " + c.id() + " (already open)");
      }
      c.user().ifPresent(u -> users.computeIfAbsent(u, k -> ConcurrentHashMap.newKeySet()).add(c));
    }
    counters.connectionsOpened.increment();
    if (shutdown.get()) {
      // Shutdown began while we registered; it may have missed us.
      terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true);
      return c;
    }
    if (handler != null) {
      dispatch(c, () -> handler.onOpen(this, c), "onOpen");
    }
    return c;
  }

  private void closeQuietly(Connection connection, int code, String reason) {
    try {
      connection.close(code, reason);
    } catch (RuntimeException e) {
      log.debug("hub {}: closing {} failed", nodeId, connection.id(), e);
    }
  }

  // ---------------------------------------------------------------- Inbound, from DefaultClient

  void onMessage(DefaultClient<M> c, Frame frame) {
    if (c.state != DefaultClient.OPEN) {
      return;
    }
    counters.framesIn.increment();
    counters.bytesIn.add(frame.length());
    if (frame.length() > config.maxMessageBytes()) {
      // The adapter should have refused it before reading it all; hold the line anyway.
      warnOnce(
          c,
          "message of " + frame.length() + " bytes over the limit of " + config.maxMessageBytes());
      terminate(c, CloseCodes.MESSAGE_TOO_BIG, "message too big", true);
      return;
    }
    if (rateLimit != null && !c.tryAcquire(rateLimit)) {
      counters.rateLimited.increment();
      warnOnce(c, "over the rate limit of " + rateLimit.messagesPerSecond() + "/s");
      if (handler != null) {
        dispatch(c, () -> handler.onRateLimited(this, c), "onRateLimited");
      } else {
        terminate(c, CloseCodes.POLICY_VIOLATION, "rate limit exceeded", true);
      }
      return;
    }
    M message;
    try {
      message = codec.decode(frame);
    } catch (MessageDecodingException e) {
      decodeFailed(c, e);
      return;
    } catch (RuntimeException e) {
      decodeFailed(c, new MessageDecodingException("message could not be decoded", e));
      return;
    }
    if (handler != null) {
      dispatch(c, () -> handler.onMessage(this, c, message), "onMessage");
    } else if (policy == BroadcastPolicy.ALL) {
      relay(Target.all(), frame);
    } else if (policy == BroadcastPolicy.ALL_EXCEPT_SENDER) {
      relay(Target.allExcept(c.id()), frame);
    }
  }

  private void relay(Target target, Frame frame) {
    if (!shutdown.get()) {
      broadcastFrame(target, frame);
    }
  }

  private void decodeFailed(DefaultClient<M> c, MessageDecodingException e) {
    counters.decodeErrors.increment();
    warnOnce(c, "undecodable message (close code " + e.closeCode() + ")");
    if (handler != null) {
      dispatch(c, () -> handler.onDecodeError(this, c, e), "onDecodeError");
    } else {
      terminate(c, e.closeCode(), e.getMessage(), true);
    }
  }

  /** Bad input is logged at WARN once per connection, then at DEBUG: never a flood. */
  private void warnOnce(DefaultClient<M> c, String what) {
    if (!c.warnedBadInput) {
      c.warnedBadInput = true;
      log.warn("hub {}: connection {}: {}", nodeId, c.id(), what);
    } else {
      log.debug("hub {}: connection {}: {}", nodeId, c.id(), what);
    }
  }

  /** Runs a handler call inline or on the connection's serial executor, containing failures. */
  private void dispatch(DefaultClient<M> c, Runnable call, String name) {
    Runnable guarded =
        () -> {
          try {
            call.run();
          } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
              throw (VirtualMachineError) e;
            }
            counters.handlerErrors.increment();
            log.warn("hub {}: connection {}: handler {} failed", nodeId, c.id(), name, e);
            if (!name.equals("onClose")) {
              terminate(c, CloseCodes.INTERNAL_ERROR, "internal error", true);
            }
          }
        };
    if (c.handlerExecutor == null) {
      guarded.run();
    } else {
      c.handlerExecutor.execute(guarded);
    }
  }

  void onTransportClose(DefaultClient<M> c, int code, String reason) {
    terminate(c, code, reason, false);
    synchronized (c) {
      if (c.state == DefaultClient.CLOSED) {
        return; // reported twice: the adapter broke its contract; report once
      }
      c.state = DefaultClient.CLOSED;
    }
    if (handler != null) {
      dispatch(c, () -> handler.onClose(this, c, code, reason == null ? "" : reason), "onClose");
    }
    if (liveCount.decrementAndGet() == 0 && shutdown.get()) {
      finishShutdown();
    }
  }

  void onTransportError(DefaultClient<M> c, Throwable cause) {
    if (c.state == DefaultClient.OPEN) {
      log.warn("hub {}: connection {}: transport error: {}", nodeId, c.id(), cause.toString());
    }
    terminate(c, CloseCodes.INTERNAL_ERROR, "transport error", true);
  }

  void slowConsumer(DefaultClient<M> c, long maxBytes, int maxFrames) {
    if (c.state == DefaultClient.OPEN) {
      log.warn(
          "hub {}: connection {}: slow consumer, outbox past {} bytes or {} frames; closing",
          nodeId,
          c.id(),
          maxBytes,
          maxFrames);
    }
    terminate(c, CloseCodes.POLICY_VIOLATION, "slow consumer: outbox limit reached", true);
  }

  void sendFailed(DefaultClient<M> c, Throwable failure) {
    if (c.state == DefaultClient.OPEN) {
      log.debug("hub {}: connection {}: send failed: {}", nodeId, c.id(), failure.toString());
    }
    terminate(c, CloseCodes.INTERNAL_ERROR, "send failed", true);
  }

  /**
   * Takes a client out of the registry, its rooms and its user, drops its queued frames, and (when
   * the hub decides the close) asks the transport to close. Runs once per client.
   */
  private boolean terminate(DefaultClient<M> c, int code, String reason, boolean closeTransport) {
    synchronized (c) {
      if (c.state != DefaultClient.OPEN) {
        return false;
      }
      c.state = DefaultClient.CLOSING;
      for (String room : c.clearRooms()) {
        removeMember(room, c);
      }
      c.user()
          .ifPresent(
              u ->
                  users.computeIfPresent(
                      u,
                      (k, tabs) -> {
                        tabs.remove(c);
                        return tabs.isEmpty() ? null : tabs;
                      }));
      // Last: once a connection is gone from the registry it is gone from its rooms and user too.
      clients.remove(c.id(), c);
    }
    addresses.release(addressKey(c.remoteAddress()));
    openCount.decrementAndGet();
    c.outbox.discard();
    if (closeTransport) {
      closeQuietly(c.connection, sendableOr(code), reason);
    }
    return true;
  }

  private static int sendableOr(int code) {
    return CloseCodes.isSendable(code) ? code : CloseCodes.INTERNAL_ERROR;
  }

  // ---------------------------------------------------------------- shutdown

  @Override
  public CompletableFuture<Void> shutdown(Duration drainTimeout) {
    requireNonNull(drainTimeout, "drainTimeout");
    if (!shutdown.compareAndSet(false, true)) {
      return terminated;
    }
    log.info("hub {}: shutting down, draining {} connections", nodeId, clients.size());
    for (DefaultClient<M> c : clients.values()) {
      c.outbox.closeWhenDrained(
          () -> terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true));
    }
    long drainMillis = Math.max(0, drainTimeout.toMillis());
    CompletableFuture.delayedExecutor(drainMillis, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              for (DefaultClient<M> c : clients.values()) {
                terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true);
              }
              // Peers that never answer the close are dropped by their transport's close
              // timeout; do not wait on them longer than that.
              CompletableFuture.delayedExecutor(
                      config.closeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                  .execute(this::finishShutdown);
            });
    if (liveCount.get() == 0) {
      finishShutdown();
    }
    return terminated;
  }

  private void finishShutdown() {
    if (terminated.isDone()) {
      return;
    }
    try {
      backplane.close();
    } catch (RuntimeException e) {
      log.warn("hub {}: closing the backplane failed", nodeId, e);
    }
    if (terminated.complete(null)) {
      log.info("hub {}: shut down", nodeId);
    }
  }

  @Override
  public boolean isShutdown() {
    return shutdown.get();
  }

  @Override
  public void close() {
    Duration drain = config.drainTimeout();
    try {
      shutdown(drain)
          .get(drain.toMillis() + config.closeTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("hub {}: shutdown did not complete cleanly: {}", nodeId, e.toString());
    }
  }

  @Override
  public String toString() {
    return "Hub[" + nodeId + ", " + clients.size() + " connections]";
  }

  /** For tests: every client's outbox state. */
  List<Client> snapshot() {
    return new ArrayList<>(clients.values());
  }
}
