package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.PresenceSnapshot;
import dev.hubcast.core.Replay;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.HistoryStore;
import dev.hubcast.core.spi.Acceptor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: a facade over its collaborators (see the package documentation for who owns what and the
 * lock order). Each method delegates. Thread-safe; see {@link Hub}.
 */
public final class DefaultHub<M> implements Hub<M>, Acceptor.Provider {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final HubConfig<M> config;
  private final Counters counters = new Counters();
  private final ConnectionRegistry registry;
  private final RoomDirectory rooms;
  private final BackplaneOut out;
  private final Lifecycle<M> lifecycle;
  private final Sender<M> sender;
  private final Gatekeeper<M> gatekeeper;
  private final BackplaneIn in;
  private final Resumes<M> resumes;
  private final PresenceBook<M> presence; // null: no presence

  private DefaultHub(HubConfig<M> config, Backplane backplane) {
    this.config = config;
    String nodeId = config.nodeId();
    registry =
        new ConnectionRegistry(nodeId, config.maxConnections(), config.maxConnectionsPerAddress());
    HistoryStore store = backplane.isDistributed() ? backplane.historyStore().orElse(null) : null;
    rooms =
        new RoomDirectory(
            registry,
            config.maxRooms(),
            config.historySize(),
            config.maxHistoryAge().toMillis(),
            store != null);
    FanOutRouter router = new FanOutRouter(registry, rooms, counters);
    out = new BackplaneOut(nodeId, backplane, registry, counters);
    // The handlers get this facade to pass to the application; nothing calls it before start().
    Handlers<M> handlers = new Handlers<>(nodeId, this, config.handler().orElse(null), counters);
    RoomEnvelopeGaps originGaps = new RoomEnvelopeGaps(nodeId, handlers, counters);
    RoomNumbering<M> numbering =
        new RoomNumbering<>(
            nodeId, config.codec(), router, out, store, handlers, counters, originGaps);
    resumes =
        new Resumes<>(
            nodeId, registry, rooms, numbering, config.codec(), config.replayLimit(), counters);
    lifecycle =
        new Lifecycle<>(nodeId, registry, rooms, out, handlers, counters, config.closeTimeout());
    sender = new Sender<>(config.codec(), lifecycle, rooms, numbering, router, out, registry);
    InboundPipeline<M> pipeline =
        new InboundPipeline<>(
            nodeId,
            config.codec(),
            config.policy(),
            config.maxMessageBytes(),
            handlers,
            sender,
            lifecycle,
            counters);
    gatekeeper = new Gatekeeper<>(config, registry, lifecycle, pipeline, handlers, counters);
    in = new BackplaneIn(nodeId, rooms, numbering, router, handlers, counters, originGaps);
    presence =
        config
            .presence()
            .map(p -> new PresenceBook<>(nodeId, p, config.codec(), backplane))
            .orElse(null);
    if (presence != null) {
      rooms.presence(presence);
      in.presence(presence);
      lifecycle.beforeBackplaneCloses(presence::close);
    }
  }

  /** Builds a hub, then starts its backplane: nothing reaches the hub before it is whole. */
  public static <M> DefaultHub<M> start(HubConfig<M> config) {
    requireNonNull(config, "config");
    Backplane backplane = requireNonNull(config.backplane().get(), "backplane supplier result");
    DefaultHub<M> hub = new DefaultHub<>(config, backplane);
    backplane.start(config.nodeId(), hub.in);
    return hub;
  }

  @Override
  public Acceptor acceptor() {
    return gatekeeper;
  }

  @Override
  public HubConfig<M> config() {
    return config;
  }

  @Override
  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public BroadcastReceipt broadcast(Target target, M message) {
    return sender.broadcast(target, message);
  }

  @Override
  public BroadcastReceipt broadcastMessage(Target target, Message message) {
    return sender.broadcastMessage(target, message);
  }

  @Override
  public BroadcastReceipt broadcastSequenced(
      Target target, Function<? super RoomPosition, ? extends M> messageForPosition) {
    return sender.broadcastSequenced(target, messageForPosition);
  }

  @Override
  public boolean join(String connectionId, String room) {
    return rooms.join(connectionId, room);
  }

  @Override
  public Optional<HistoryRead> joinAndReplay(String connectionId, String room, long afterSequence) {
    return rooms.joinAndReplay(connectionId, room, afterSequence);
  }

  @Override
  public CompletableFuture<Optional<Replay>> joinAndResume(
      String connectionId,
      String room,
      RoomPosition since,
      Function<? super Replay, ? extends M> answer) {
    if (lifecycle.isShutdown()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return resumes.joinAndResume(connectionId, room, since, answer);
  }

  @Override
  public boolean leave(String connectionId, String room) {
    return rooms.leave(connectionId, room);
  }

  @Override
  public HistoryRead history(String room, long afterSequence) {
    return rooms.history(room, afterSequence);
  }

  @Override
  public Optional<Client> client(String connectionId) {
    return Optional.ofNullable(registry.get(requireNonNull(connectionId, "connectionId")));
  }

  @Override
  public Collection<Client> clients() {
    return registry.snapshot();
  }

  @Override
  public int connectionCount() {
    return registry.count();
  }

  @Override
  public Set<String> rooms() {
    return rooms.names();
  }

  @Override
  public PresenceSnapshot presence(String room) {
    return presenceFor(room, "presence").snapshot(room);
  }

  @Override
  public boolean isPresent(String room, String user) {
    requireNonNull(user, "user");
    return presenceFor(room, "isPresent").isPresent(room, user);
  }

  private PresenceBook<M> presenceFor(String room, String method) {
    RoomDirectory.checkRoomName(room);
    if (presence == null) {
      throw new IllegalStateException(
          method + "(\"" + room + "\"): this hub has no presence (HubConfig.Builder.presence)");
    }
    return presence;
  }

  @Override
  public Set<String> roomsWithHistory() {
    return rooms.withHistory(System.currentTimeMillis());
  }

  @Override
  public Collection<Client> members(String room) {
    return rooms.members(room);
  }

  @Override
  public Set<String> users() {
    return registry.userNames();
  }

  @Override
  public Collection<Client> connectionsOf(String user) {
    Set<DefaultClient> tabs = registry.ofUser(requireNonNull(user, "user"));
    return tabs == null ? List.of() : List.copyOf(tabs);
  }

  @Override
  public boolean disconnect(String connectionId, int code, String reason) {
    requireNonNull(connectionId, "connectionId");
    CloseCodes.requireSendable(code, "code");
    DefaultClient c = registry.get(connectionId);
    return c != null && lifecycle.terminate(c, code, reason == null ? "" : reason, true);
  }

  @Override
  public HubMetrics metrics() {
    long pendingFrames = 0;
    long pendingBytes = 0;
    long maxPendingFrames = 0;
    for (DefaultClient c : registry.all()) {
      long frames = c.outbox.pendingFrames();
      pendingFrames += frames;
      pendingBytes += c.outbox.pendingBytes();
      maxPendingFrames = Math.max(maxPendingFrames, frames);
    }
    Counters k = counters;
    HubMetrics.Builder b =
        HubMetrics.builder()
            .connections(registry.count())
            .rooms(rooms.occupied())
            .users(registry.userCount())
            .connectionsOpened(k.connectionsOpened.sum())
            .framesIn(k.framesIn.sum())
            .bytesIn(k.bytesIn.sum())
            .framesOut(k.framesOut.sum())
            .bytesOut(k.bytesOut.sum())
            .framesDropped(k.framesDropped.sum())
            .sendFailures(k.sendFailures.sum())
            .slowConsumerCloses(k.slowConsumerCloses.sum())
            .refusedHandshakes(k.refusedHandshakes.sum())
            .decodeErrors(k.decodeErrors.sum())
            .handlerErrors(k.handlerErrors.sum())
            .rateLimited(k.rateLimited.sum())
            .pendingFrames(pendingFrames)
            .pendingBytes(pendingBytes)
            .backplanePublished(k.backplanePublished.sum())
            .backplanePublishFailures(k.backplanePublishFailures.sum())
            .backplaneReceived(k.backplaneReceived.sum())
            .backplaneGaps(k.backplaneGaps.sum())
            .roomGaps(k.roomGaps.sum())
            .roomHealed(k.roomHealed.sum())
            .framesReplayed(k.framesReplayed.sum())
            .deliveriesQueued(k.deliveriesQueued.sum())
            .deliveriesDropped(k.deliveriesDropped.sum())
            .deliveriesRefused(k.deliveriesRefused.sum())
            .maxPendingFrames(maxPendingFrames)
            .fanOuts(k.fanOutsTimed.sum(), k.fanOutNanos.sum())
            .backplaneLagMillis(k.backplaneLagMillis.sum())
            .backplaneUnreadable(out.backplane().unreadable());
    for (Replay.Outcome o : Replay.Outcome.values()) {
      b.resumes(o, k.resumes[o.ordinal()].sum());
    }
    for (HubMetrics.Refusal why : HubMetrics.Refusal.values()) {
      b.refusals(why, k.refusals[why.ordinal()].sum());
    }
    for (HubMetrics.TransportViolation rule : HubMetrics.TransportViolation.values()) {
      b.transportViolations(rule, k.violations[rule.ordinal()].sum());
    }
    k.closes.forEach((code, n) -> b.closes(code, n.sum()));
    return b.build();
  }

  @Override
  public CompletableFuture<Void> shutdown(Duration drainTimeout) {
    return lifecycle.shutdown(requireNonNull(drainTimeout, "drainTimeout"));
  }

  @Override
  public boolean isShutdown() {
    return lifecycle.isShutdown();
  }

  @Override
  public void close() {
    if (CallbackScope.inside()) {
      throw new IllegalStateException(
          "close() blocks until the hub is shut down, which this callback's thread must help"
              + " with; call shutdown() here instead");
    }
    Duration drain = config.drainTimeout();
    try {
      shutdown(drain)
          .get(drain.toMillis() + config.closeTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("hub {}: shutdown did not complete cleanly: {}", config.nodeId(), e.toString());
    }
  }

  /** Remote addresses tracked for the per-address cap; for tests in this package. */
  int trackedAddresses() {
    return registry.trackedAddresses();
  }

  /** Room objects held, empty ones with history included; for tests in this package. */
  int heldRooms() {
    return rooms.held();
  }

  @Override
  public String toString() {
    return "Hub[" + config.nodeId() + ", " + registry.count() + " connections]";
  }
}
