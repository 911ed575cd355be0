package dev.hubcast.core.backplane;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * A backplane that joins several hubs in one JVM, for tests and for applications that run several
 * hubs in one process. Envelopes reach the other members' receivers on one delivery thread per
 * group (a daemon thread), in the order they were published; {@link #publish} never runs a receiver
 * itself, so a hub may publish while it holds its own locks.
 *
 * <pre>{@code
 * InMemoryBackplane.Group group = InMemoryBackplane.group();
 * Hub<String> a = Hub.create(HubConfig.textBuilder().backplane(group::join).build());
 * Hub<String> b = Hub.create(HubConfig.textBuilder().backplane(group::join).build());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class InMemoryBackplane implements Backplane {

  private final Group group;
  private volatile String nodeId;

  private InMemoryBackplane(Group group) {
    this.group = group;
  }

  /** A new, empty group of in-memory backplanes; each node numbers its own room broadcasts. */
  public static Group group() {
    return new Group(false);
  }

  /**
   * A new, empty group whose members number room broadcasts from shared counters ({@link
   * #sequencer()}), as a networked backplane with a central counter does.
   */
  public static Group sequencedGroup() {
    return new Group(true);
  }

  /**
   * The group's shared room counters when the group was made {@link #sequencedGroup() sequenced};
   * numbers are handed out on the delivery thread, as a remote sequencer answers later.
   */
  @Override
  public Optional<RoomSequencer> sequencer() {
    if (!group.sequenced) {
      return Optional.empty();
    }
    return Optional.of(
        (room, atLeast) -> {
          CompletableFuture<Long> number = new CompletableFuture<>();
          try {
            group.delivery.execute(
                () ->
                    number.complete(
                        group.counters.merge(
                            room, atLeast + 1, (old, floor) -> Math.max(old + 1, floor))));
          } catch (RejectedExecutionException e) {
            number.completeExceptionally(e);
          }
          return number;
        });
  }

  @Override
  public void start(String nodeId, Receiver receiver) {
    requireNonNull(receiver, "receiver");
    if (group.members.putIfAbsent(requireNonNull(nodeId, "nodeId"), receiver) != null) {
      throw new IllegalStateException("nodeId: " + nodeId + " (already in this group)");
    }
    this.nodeId = nodeId;
  }

  @Override
  public CompletionStage<Void> publish(Envelope envelope) {
    requireNonNull(envelope, "envelope");
    CompletableFuture<Void> published = new CompletableFuture<>();
    try {
      group.delivery.execute(
          () ->
              group.members.forEach(
                  (id, receiver) -> {
                    if (!id.equals(envelope.originNode())) {
                      receiver.receive(envelope);
                    }
                  }));
      published.complete(null);
    } catch (RejectedExecutionException e) {
      published.completeExceptionally(e);
    }
    return published;
  }

  @Override
  public void close() {
    String id = nodeId;
    if (id != null) {
      group.members.remove(id);
    }
  }

  /**
   * Hubs that see each other's broadcasts.
   *
   * <p>Thread-safe.
   */
  public static final class Group implements AutoCloseable {
    private final ConcurrentMap<String, Receiver> members = new ConcurrentHashMap<>();
    private final ExecutorService delivery =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "hubcast-inmemory-backplane");
              t.setDaemon(true);
              return t;
            });

    private final boolean sequenced;
    private final ConcurrentMap<String, Long> counters = new ConcurrentHashMap<>();

    private Group(boolean sequenced) {
      this.sequenced = sequenced;
    }

    /** Stops the delivery thread; publishes fail from then on. */
    @Override
    public void close() {
      delivery.shutdown();
    }

    /** A backplane for one more hub of this group. */
    public Backplane join() {
      return new InMemoryBackplane(this);
    }
  }
}
