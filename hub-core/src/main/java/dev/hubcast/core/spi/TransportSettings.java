package dev.hubcast.core.spi;

import java.time.Duration;

/**
 * The limits from the hub's config that an adapter enforces on the wire.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxMessageBytes largest inbound message (all fragments together); a larger one is refused
 *     with close 1009 before it is fully read
 * @param idleTimeout a connection with no inbound traffic (pongs included) for this long is closed;
 *     adapters send a ping after half of it
 * @param handshakeTimeout a TCP connection that has not completed its upgrade in this time is
 *     dropped
 * @param closeTimeout how long a close handshake may wait for the peer before the socket is dropped
 */
public record TransportSettings(
    int maxMessageBytes, Duration idleTimeout, Duration handshakeTimeout, Duration closeTimeout) {

  /** The interval at which an idle connection is pinged: half the idle timeout. */
  public Duration pingInterval() {
    return idleTimeout.dividedBy(2);
  }
}
