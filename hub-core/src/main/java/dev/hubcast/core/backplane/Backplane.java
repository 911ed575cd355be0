package dev.hubcast.core.backplane;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Carries broadcasts between hub nodes so that several processes act as one hub. Each node delivers
 * its own broadcasts to its own connections directly and publishes them here; it delivers what it
 * receives from the others to its own connections.
 *
 * <p>Implementations are thread-safe: {@link #publish} is called from any broadcasting thread and
 * must never block (queue the envelope, fail fast when the medium is down). The receiver may be
 * called from one backplane thread at a time; it never blocks and never throws. A backplane must
 * not deliver a node's own envelopes back to it (or the hub ignores them by {@link
 * Envelope#originNode()}).
 */
public interface Backplane extends AutoCloseable {

  /**
   * The default: this node only. Nothing is published, nothing is received; the hub skips building
   * envelopes.
   */
  static Backplane local() {
    return LocalBackplane.INSTANCE;
  }

  /** Whether other nodes may exist; {@code false} lets the hub skip envelopes entirely. */
  default boolean isDistributed() {
    return true;
  }

  /**
   * The store that numbers and keeps room broadcasts across nodes, if this backplane has one. With
   * one, a room broadcast is delivered once its number arrives, on every node (the origin included)
   * in number order, and any node can serve a resume; without one, each node numbers its own
   * broadcasts and other nodes record the origin's numbers as they come.
   */
  default Optional<HistoryStore> historyStore() {
    return Optional.empty();
  }

  /**
   * Starts receiving other nodes' envelopes. Called once by the hub when it is created.
   *
   * @param nodeId this node's id, unique among the nodes
   * @param receiver where to hand other nodes' envelopes
   */
  void start(String nodeId, Receiver receiver);

  /**
   * Publishes one envelope to the other nodes, without blocking. The stage fails when the envelope
   * could not be published (the hub counts and logs it once per outage).
   */
  CompletionStage<Void> publish(Envelope envelope);

  /**
   * Whether this backplane carries {@link #signal signals}: what the nodes tell each other that is
   * not a broadcast (presence). Default {@code false}.
   */
  default boolean supportsSignals() {
    return false;
  }

  /**
   * Publishes a signal to the other nodes, without blocking: an opaque payload, at most once, in
   * the order this node published its signals (as broadcasts are). The stage fails when it could
   * not be published. The default fails every signal: the backplane carries none.
   */
  default CompletionStage<Void> signal(byte[] payload) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(this + " carries no signals"));
  }

  /**
   * Envelopes (or history entries) received that could not be read, since this backplane started:
   * corrupt, from an incompatible version, or forged by someone with access to the medium. The hub
   * reports it in {@link dev.hubcast.core.HubMetrics#backplaneUnreadable()}. Default 0.
   */
  default long unreadable() {
    return 0;
  }

  /** Stops receiving and releases resources; the hub calls it at the end of its shutdown. */
  @Override
  void close();

  /**
   * Receives other nodes' envelopes.
   *
   * <p>Called by one backplane thread at a time.
   */
  @FunctionalInterface
  interface Receiver {
    /** An envelope from another node. */
    void receive(Envelope envelope);

    /**
     * A signal another node published (a backplane may hand back this node's own: the receiver
     * ignores them). Its bytes come from the network: the receiver checks them.
     */
    default void signal(byte[] payload) {}
  }
}

enum LocalBackplane implements Backplane {
  INSTANCE;

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  @Override
  public boolean isDistributed() {
    return false;
  }

  @Override
  public void start(String nodeId, Receiver receiver) {}

  @Override
  public CompletionStage<Void> publish(Envelope envelope) {
    return DONE;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Backplane.local()";
  }
}
