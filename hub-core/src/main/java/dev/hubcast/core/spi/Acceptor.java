package dev.hubcast.core.spi;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;

/**
 * The hub's door for transport adapters: admit a handshake, then open the upgraded connection.
 * Obtained with {@link #of(Hub)}; applications do not need it.
 *
 * <pre>{@code
 * Acceptor acceptor = Acceptor.of(hub);
 * Admission admission = acceptor.admit(Handshake.of(path, query, headers, remote));
 * if (!admission.isAdmitted()) {
 *   respond(admission.status(), admission.reason());       // no upgrade
 *   return;
 * }
 * MyConnection connection = upgrade(admission);            // 101, with admission.subprotocol()
 * Inbound inbound = acceptor.open(connection);
 * // report every message, the close and errors to inbound
 * }</pre>
 *
 * <p>Thread-safe and non-blocking; called on the adapter's I/O threads.
 */
public interface Acceptor {

  /**
   * The door of {@code hub}.
   *
   * @throws IllegalArgumentException if {@code hub} was not made by {@link Hub#create} (or another
   *     implementation that is a {@link Provider})
   */
  static Acceptor of(Hub<?> hub) {
    requireNonNull(hub, "hub");
    if (hub instanceof Provider provider) {
      return provider.acceptor();
    }
    throw new IllegalArgumentException(
        "hub: " + hub.getClass().getName() + " (expected: a hub made by Hub.create)");
  }

  /** The limits the adapter enforces on the wire. */
  TransportSettings settings();

  /**
   * Checks a handshake before the upgrade: shutdown (503), connection caps (503 in total, 429 per
   * remote address), origin (403), then the authenticator (its status); and picks the subprotocol.
   * Nothing is registered yet.
   */
  Admission admit(Handshake handshake);

  /**
   * Registers an upgraded connection admitted by {@link #admit} and runs the application's open
   * handler. If the hub can no longer take it (shut down, or a cap was reached meanwhile), the hub
   * closes it (1001 or 1013) and the returned sink ignores what follows but the close.
   *
   * <p>While this runs, on the calling thread, the hub may already call {@link Connection#send} and
   * {@link Connection#close} on {@code connection} (the open handler may broadcast to it or
   * disconnect it), and another thread may too: the connection must take them from the start. A
   * close that happens before this returns (asked by the hub, or by the peer) is still reported to
   * the returned sink, once, as soon as it is returned.
   *
   * @return where to report the connection's messages, close and errors
   */
  Inbound open(Connection connection);

  /**
   * Runs {@code action} once the fan-out in progress on this thread is over, or at once if there is
   * none. The hub calls {@link Connection#send} for every recipient of a broadcast in a loop; an
   * adapter that writes on another thread can queue during the loop and wake its writer once, here,
   * instead of once per recipient. Actions run in the order given, each once; one that throws is
   * logged and the others still run.
   */
  void afterFanOut(Runnable action);

  /**
   * Implemented by a {@link Hub} that has an acceptor; {@link #of} looks for it. Only for hub
   * implementations.
   */
  interface Provider {
    /** This hub's door for transports. */
    Acceptor acceptor();
  }
}
