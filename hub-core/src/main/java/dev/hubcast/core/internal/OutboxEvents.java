package dev.hubcast.core.internal;

import dev.hubcast.core.HubMetrics;

/**
 * What an {@link Outbox} reports about its connection. Implemented by {@link Lifecycle}, so that
 * outboxes never call back into the hub. Called on whichever thread offered or completed, with no
 * outbox lock held.
 */
interface OutboxEvents {

  /** The outbox passed its limits under {@code DISCONNECT}. */
  void slowConsumer(DefaultClient client, long maxBytes, int maxFrames);

  /** The transport failed a send. */
  void sendFailed(DefaultClient client, Throwable failure);

  /** The transport broke a rule of the SPI that the outbox can see. */
  void violation(DefaultClient client, HubMetrics.TransportViolation rule);
}
