package dev.hubcast.core;

import java.util.OptionalLong;

/**
 * What one broadcast did on this node: how many recipients had the message queued, dropped by their
 * {@link SlowConsumerPolicy}, or refused (closing, or closed as slow consumers), and, for a room,
 * the number the room gave it.
 *
 * <pre>{@code
 * BroadcastReceipt r = hub.broadcast(Target.room("lobby"), "hi");
 * if (r.dropped() > 0) { ... }
 * r.sequence().ifPresent(seq -> log.debug("lobby #{}", seq));
 * }</pre>
 *
 * <p>Immutable and thread-safe. A class with factories rather than a record, so that it can grow.
 */
public final class BroadcastReceipt {

  private static final BroadcastReceipt NONE = new BroadcastReceipt(0, 0, 0, 0, false);
  private static final BroadcastReceipt PENDING = new BroadcastReceipt(0, 0, 0, 0, true);
  private static final BroadcastReceipt SHUT_DOWN = new BroadcastReceipt(0, 0, 0, 0, false);

  private final int queued;
  private final int dropped;
  private final int refused;
  private final long sequence; // 0: none
  private final boolean pending;

  private BroadcastReceipt(int queued, int dropped, int refused, long sequence, boolean pending) {
    this.queued = queued;
    this.dropped = dropped;
    this.refused = refused;
    this.sequence = sequence;
    this.pending = pending;
  }

  /**
   * A receipt for a broadcast delivered at once.
   *
   * @param sequence the room's number for it (&gt; 0), or {@code 0} when the target is not a room
   * @throws IllegalArgumentException if a count or the sequence is negative
   */
  public static BroadcastReceipt of(int queued, int dropped, int refused, long sequence) {
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
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 0)");
    }
    if (queued + dropped + refused == 0 && sequence == 0) {
      return NONE;
    }
    return new BroadcastReceipt(queued, dropped, refused, sequence, false);
  }

  /** No recipient on this node, and no room number. */
  public static BroadcastReceipt none() {
    return NONE;
  }

  /**
   * Not delivered: the hub is shut down ({@link Hub#shutdown}). A broadcast after the shutdown
   * never throws for it, so that a scheduled publisher is not cancelled by its executor; it gets
   * this.
   */
  public static BroadcastReceipt shutDown() {
    return SHUT_DOWN;
  }

  /**
   * Not delivered yet: the room's number is being fetched from the backplane's sequencer, so the
   * counts and the sequence are not known when the broadcast returns.
   */
  public static BroadcastReceipt pending() {
    return PENDING;
  }

  /** Recipients on this node that had the message queued. */
  public int queued() {
    return queued;
  }

  /** Recipients on this node whose slow-consumer policy dropped it. */
  public int dropped() {
    return dropped;
  }

  /** Recipients on this node that refused it (closing, or closed as slow consumers). */
  public int refused() {
    return refused;
  }

  /** {@code queued + dropped + refused}. */
  public int recipients() {
    return queued + dropped + refused;
  }

  /** The room's number for this broadcast; empty when the target is not a room or it is pending. */
  public OptionalLong sequence() {
    return sequence > 0 ? OptionalLong.of(sequence) : OptionalLong.empty();
  }

  /** Whether the hub was shut down and delivered nothing; see {@link #shutDown()}. */
  public boolean isShutDown() {
    return this == SHUT_DOWN;
  }

  /** Whether the broadcast waits for its room number; see {@link #pending()}. */
  public boolean isPending() {
    return pending;
  }

  @Override
  public boolean equals(Object o) {
    if (this == SHUT_DOWN || o == SHUT_DOWN) {
      return this == o;
    }
    return o instanceof BroadcastReceipt r
        && r.queued == queued
        && r.dropped == dropped
        && r.refused == refused
        && r.sequence == sequence
        && r.pending == pending;
  }

  @Override
  public int hashCode() {
    return ((queued * 31 + dropped) * 31 + refused) * 31
        + Long.hashCode(sequence)
        + (pending ? 1 : 0);
  }

  @Override
  public String toString() {
    if (pending) {
      return "BroadcastReceipt[pending]";
    }
    if (this == SHUT_DOWN) {
      return "BroadcastReceipt[hub shut down]";
    }
    return "BroadcastReceipt[queued="
        + queued
        + ", dropped="
        + dropped
        + ", refused="
        + refused
        + (sequence > 0 ? ", sequence=" + sequence : "")
        + "]";
  }
}
