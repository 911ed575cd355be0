package dev.hubcast.core;

/**
 * A snapshot of a hub's counters, taken by {@link Hub#metrics()}. Counters are monotonic from the
 * hub's creation; gauges ({@code connections}, {@code rooms}, {@code users}, {@code pendingFrames},
 * {@code pendingBytes}) are values at the time of the snapshot.
 *
 * <p>Immutable and thread-safe. Fields are read one by one, so a snapshot taken while traffic flows
 * is not atomic across fields.
 *
 * @param connections open connections on this node
 * @param rooms rooms with at least one member on this node
 * @param users distinct user names with at least one connection on this node
 * @param connectionsOpened connections ever registered
 * @param framesIn client messages received
 * @param bytesIn client message bytes received
 * @param framesOut frames completed by the transports (handed to the socket)
 * @param bytesOut payload bytes completed by the transports
 * @param framesDropped frames dropped by a slow-consumer policy or discarded from the outbox of a
 *     connection that closed before they were sent
 * @param sendFailures sends the transport reported as failed
 * @param slowConsumerCloses connections closed by {@link SlowConsumerPolicy#DISCONNECT}
 * @param refusedHandshakes handshakes refused (origin, authenticator, caps, shutdown)
 * @param decodeErrors client messages the codec could not decode
 * @param handlerErrors exceptions thrown by application handlers
 * @param rateLimited client messages dropped by the rate limit
 * @param pendingFrames frames queued or in flight over all outboxes
 * @param pendingBytes payload bytes queued or in flight over all outboxes
 * @param backplanePublished envelopes published to the backplane
 * @param backplanePublishFailures envelopes the backplane failed to publish
 * @param backplaneReceived envelopes received from other nodes
 * @param backplaneGaps envelopes from other nodes known to be missing (gaps in their per-origin
 *     sequence)
 */
public record HubMetrics(
    int connections,
    int rooms,
    int users,
    long connectionsOpened,
    long framesIn,
    long bytesIn,
    long framesOut,
    long bytesOut,
    long framesDropped,
    long sendFailures,
    long slowConsumerCloses,
    long refusedHandshakes,
    long decodeErrors,
    long handlerErrors,
    long rateLimited,
    long pendingFrames,
    long pendingBytes,
    long backplanePublished,
    long backplanePublishFailures,
    long backplaneReceived,
    long backplaneGaps) {}
