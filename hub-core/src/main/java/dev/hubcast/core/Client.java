package dev.hubcast.core;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * The hub's view of one connected client: its id, handshake, identity, rooms and outbox, and a map
 * for the application's own per-connection state.
 *
 * <p>Thread-safe. Values change as the client joins, leaves and sends; each accessor reads the
 * current value.
 */
public interface Client {

  /** The connection id, unique across nodes. */
  String id();

  /** The handshake it was admitted with, identity included. */
  Handshake handshake();

  /** The user name the authenticator gave it, if any. */
  default Optional<String> user() {
    return handshake().user();
  }

  /** The client's address. */
  default InetSocketAddress remoteAddress() {
    return handshake().remoteAddress();
  }

  /** The rooms it is in now; an unmodifiable snapshot. */
  Set<String> rooms();

  /** Whether it is still registered; {@code false} from the moment it starts closing. */
  boolean isOpen();

  /** Frames queued or in flight in its outbox. */
  int pendingFrames();

  /** Payload bytes queued or in flight in its outbox. */
  long pendingBytes();

  /** The application's own state for this connection (a nickname, a current room); thread-safe. */
  ConcurrentMap<String, Object> attributes();
}
