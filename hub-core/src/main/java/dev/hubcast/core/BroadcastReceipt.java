package dev.hubcast.core;

/**
 * What one broadcast did on this node: how many recipients it was queued for, and how many refused
 * it through their slow-consumer policy.
 *
 * <p>Immutable and thread-safe. A broadcast never throws halfway through its fan-out; this receipt
 * is how it reports partial outcomes.
 *
 * @param queued recipients whose outbox took the frame
 * @param dropped recipients whose outbox dropped this frame to stay within its limit ({@link
 *     SlowConsumerPolicy#DROP_NEWEST}, or {@link SlowConsumerPolicy#DROP_OLDEST} when even an empty
 *     queue could not take it); older frames dropped to make room are counted in {@link
 *     HubMetrics#framesDropped()}
 * @param refused recipients that could not take the frame: disconnected by {@link
 *     SlowConsumerPolicy#DISCONNECT}, or already closing
 * @param sequence the room sequence number given to this broadcast; {@code -1} when the target is
 *     not a room; {@code 0} when the number comes later from the backplane's {@link
 *     dev.hubcast.core.spi.RoomSequencer} ({@link #isPending()})
 */
public record BroadcastReceipt(int queued, int dropped, int refused, long sequence) {

  /** A broadcast that reached nobody on this node. */
  public static final BroadcastReceipt NONE = new BroadcastReceipt(0, 0, 0, -1);

  /**
   * A room broadcast waiting for its number from the backplane's sequencer: it is delivered, in
   * number order, when the number arrives; its outcomes then show in {@link Hub#metrics()}.
   */
  public static final BroadcastReceipt PENDING = new BroadcastReceipt(0, 0, 0, 0);

  /** Validates the counts. */
  public BroadcastReceipt {
    if (queued < 0 || dropped < 0 || refused < 0) {
      throw new IllegalArgumentException(
          "counts: queued="
              + queued
              + ", dropped="
              + dropped
              + ", refused="
              + refused
              + " (expected: >= 0)");
    }
  }

  /** Whether this room broadcast waits for its number (and its delivery) from the backplane. */
  public boolean isPending() {
    return sequence == 0;
  }

  /** Every recipient considered on this node: {@code queued + dropped + refused}. */
  public int recipients() {
    return queued + dropped + refused;
  }
}
