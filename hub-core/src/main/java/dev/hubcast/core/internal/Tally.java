package dev.hubcast.core.internal;

import dev.hubcast.core.BroadcastReceipt;

/** Counts the outcome of each offer of one broadcast. Confined to the broadcasting thread. */
final class Tally {
  final long sequence; // 0: not a room broadcast
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
    return BroadcastReceipt.of(queued, dropped, refused, sequence);
  }
}
