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
import java.util.function.Predicate;

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
    return new Group(false, 0);
  }

  /**
   * A new, empty group whose members number and keep room broadcasts in one shared {@link
   * HistoryStore} ({@link #historyStore()}), as a networked backplane with a central store does:
   * any member can serve a resume. It keeps each room's last 1,000 broadcasts.
   */
  public static Group sequencedGroup() {
    return sequencedGroup(1000);
  }

  /**
   * As {@link #sequencedGroup()}, keeping each room's last {@code historySize} broadcasts (0: it
   * numbers them and keeps none).
   *
   * @throws IllegalArgumentException if {@code historySize} is negative
   */
  public static Group sequencedGroup(int historySize) {
    if (historySize < 0) {
      throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 0)");
    }
    return new Group(true, historySize);
  }

  /**
   * The group's shared store when the group was made {@link #sequencedGroup() sequenced}: it
   * numbers, keeps and delivers to the other members in one step, on the delivery thread, as a
   * remote store answers later.
   */
  @Override
  public Optional<HistoryStore> historyStore() {
    return group.sequenced ? Optional.of(group.store) : Optional.empty();
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
    if (group.down) {
      published.completeExceptionally(new IllegalStateException("the group is down"));
      return published;
    }
    try {
      group.delivery.execute(() -> group.deliver(envelope));
      published.complete(null);
    } catch (RejectedExecutionException e) {
      published.completeExceptionally(e);
    }
    return published;
  }

  @Override
  public boolean supportsSignals() {
    return true;
  }

  @Override
  public CompletionStage<Void> signal(byte[] payload) {
    requireNonNull(payload, "payload");
    CompletableFuture<Void> published = new CompletableFuture<>();
    if (group.down) {
      published.completeExceptionally(new IllegalStateException("the group is down"));
      return published;
    }
    String from = nodeId;
    byte[] copy = payload.clone();
    try {
      group.delivery.execute(() -> group.signal(from, copy));
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
    private final GroupStore store;
    private volatile Predicate<Envelope> lost = e -> false;
    private volatile boolean down;

    private Group(boolean sequenced, int historySize) {
      this.sequenced = sequenced;
      this.store = new GroupStore(this, historySize);
    }

    /**
     * Makes the medium lossy, for tests: envelopes that match {@code lost} reach no other member (a
     * store still keeps them). {@code e -> false} makes it whole again.
     */
    public void lose(Predicate<Envelope> lost) {
      this.lost = requireNonNull(lost, "lost");
    }

    /**
     * Makes the medium unreachable, for tests, as a Redis that stopped: while down, every publish
     * and signal fails at once and nothing is delivered. {@code false} brings it back.
     */
    public void down(boolean down) {
      this.down = down;
    }

    void signal(String from, byte[] payload) {
      if (down) {
        return;
      }
      members.forEach(
          (id, receiver) -> {
            if (!id.equals(from)) {
              receiver.signal(payload);
            }
          });
    }

    /**
     * Forgets every room the store knows, as a store that was flushed or restarted empty: the next
     * answer for a room carries a new epoch and its numbering starts again.
     */
    public void forgetRooms() {
      runOnDelivery(store::clear);
    }

    private void runOnDelivery(Runnable r) {
      CompletableFuture.runAsync(r, delivery).join();
    }

    void deliver(Envelope envelope) {
      if (lost.test(envelope)) {
        return;
      }
      members.forEach(
          (id, receiver) -> {
            if (!id.equals(envelope.originNode())) {
              receiver.receive(envelope);
            }
          });
    }

    /** Stops the delivery thread; publishes fail from then on. */
    @Override
    public void close() {
      delivery.shutdown();
    }

    java.util.concurrent.Executor delivery() {
      return delivery;
    }

    /** A backplane for one more hub of this group. */
    public Backplane join() {
      return new InMemoryBackplane(this);
    }
  }
}
