package dev.hubcast.core.spi;

import dev.hubcast.core.Handshake;

/**
 * The hub's door for transport adapters: admit a handshake, then open the upgraded connection.
 * Obtained from {@link dev.hubcast.core.Hub#acceptor()}.
 *
 * <pre>{@code
 * Admission admission = acceptor.admit(Handshake.of(path, query, headers, remote));
 * if (!admission.isAdmitted()) {
 *   respond(admission.status(), admission.reason());       // no upgrade
 *   return;
 * }
 * MyConnection connection = upgrade(admission.connectionId(), admission.handshake());
 * Inbound inbound = acceptor.open(connection);
 * // report every message, the close and errors to inbound
 * }</pre>
 *
 * <p>Thread-safe and non-blocking; called on the adapter's I/O threads.
 */
public interface Acceptor {

  /** The limits the adapter enforces on the wire. */
  TransportSettings settings();

  /**
   * Checks a handshake before the upgrade: shutdown (503), connection caps (503 in total, 429 per
   * remote address), origin (403), then the authenticator (its status). Nothing is registered yet.
   */
  Admission admit(Handshake handshake);

  /**
   * Registers an upgraded connection admitted by {@link #admit} and runs the application's open
   * handler. If the hub can no longer take it (shut down, or a cap was reached meanwhile), the hub
   * closes it (1001 or 1013) and the returned sink ignores what follows but the close.
   *
   * @return where to report the connection's messages, close and errors
   */
  Inbound open(Connection connection);
}
