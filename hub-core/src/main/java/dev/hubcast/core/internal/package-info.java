/**
 * Implementation of the hub. Internal: no compatibility promise; do not use from applications or
 * adapters (only {@code DefaultHub} is public, for {@code Hub.create}).
 *
 * <p>{@code DefaultHub} is a facade over package-private collaborators, each with one job: {@code
 * ConnectionRegistry}, {@code RoomDirectory}, {@code FanOutRouter}, {@code BackplaneOut}, {@code
 * RoomNumbering}, {@code Handlers}, {@code Lifecycle}, {@code Sender}, {@code InboundPipeline},
 * {@code Gatekeeper} (the acceptor) and {@code BackplaneIn} (the receiver). Dependencies point one
 * way, in that order; outboxes report to {@code OutboxEvents}.
 *
 * <p>Lock order, outermost first: a room's {@code lock}; a client's monitor; the bins of the room
 * map and of the registry's maps; an outbox's monitor. No lock is held while calling application
 * code or a transport's {@code close}; a codec runs under a room's lock only for {@code
 * broadcastSequenced}, which says so.
 */
package dev.hubcast.core.internal;
