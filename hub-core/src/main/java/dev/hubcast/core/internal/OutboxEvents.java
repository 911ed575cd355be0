package dev.hubcast.core.internal;

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
}
