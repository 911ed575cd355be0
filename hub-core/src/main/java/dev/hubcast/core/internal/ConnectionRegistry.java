package dev.hubcast.core.internal;

import dev.hubcast.core.Client;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's open connections, by id and by user, and the counts behind the connection caps.
 * Thread-safe: concurrent maps, and {@link #register}/{@link #unregister} run under the client's
 * monitor (the caller holds it), so a connection is in both maps or in neither.
 */
final class ConnectionRegistry {
  private final String idPrefix;
  private final int maxConnections;
  private final ConcurrentMap<String, DefaultClient> clients = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Set<DefaultClient>> users = new ConcurrentHashMap<>();
  private final AddressTracker addresses;
  private final AtomicInteger openCount = new AtomicInteger(); // admitted to the caps
  private final AtomicInteger liveCount = new AtomicInteger(); // opened, close not yet reported
  private final AtomicLong connectionIds = new AtomicLong();

  ConnectionRegistry(String nodeId, int maxConnections, int maxConnectionsPerAddress) {
    this.idPrefix = nodeId + "-";
    this.maxConnections = maxConnections;
    this.addresses = new AddressTracker(maxConnectionsPerAddress);
  }

  /** A new connection id, unique across nodes: this node's id, a dash, a base-36 counter. */
  String nextId() {
    return idPrefix + Long.toString(connectionIds.incrementAndGet(), 36);
  }

  /** Whether a connection id was made by this node. */
  boolean isLocal(String connectionId) {
    return connectionId.startsWith(idPrefix);
  }

  // ---------------------------------------------------------------- caps

  boolean isFull() {
    return openCount.get() >= maxConnections;
  }

  boolean isAddressFull(InetSocketAddress address) {
    return addresses.isFull(addressKey(address));
  }

  /** Takes a place under both caps, or reports which one is full. */
  Cap acquire(InetSocketAddress address) {
    if (openCount.incrementAndGet() > maxConnections) {
      openCount.decrementAndGet();
      return Cap.TOTAL;
    }
    if (!addresses.tryAcquire(addressKey(address))) {
      openCount.decrementAndGet();
      return Cap.ADDRESS;
    }
    return null;
  }

  /** Gives back a place taken by {@link #acquire}. */
  void release(InetSocketAddress address) {
    addresses.release(addressKey(address));
    openCount.decrementAndGet();
  }

  /** Which cap refused a connection. */
  enum Cap {
    TOTAL,
    ADDRESS
  }

  private static String addressKey(InetSocketAddress address) {
    return address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : address.getHostString();
  }

  // ---------------------------------------------------------------- live connections

  /** Counts a connection whose close the transport will report. */
  void opened() {
    liveCount.incrementAndGet();
  }

  /** Counts a reported close; returns how many connections are still live. */
  int closed() {
    return liveCount.decrementAndGet();
  }

  int live() {
    return liveCount.get();
  }

  // ---------------------------------------------------------------- membership

  /** Adds a client under its id and its user. The caller holds the client's monitor. */
  boolean register(DefaultClient c) {
    if (clients.putIfAbsent(c.id(), c) != null) {
      return false;
    }
    c.user().ifPresent(u -> users.computeIfAbsent(u, k -> ConcurrentHashMap.newKeySet()).add(c));
    return true;
  }

  /**
   * Removes a client from its user, then from the registry (last: once gone from the registry it is
   * gone from everything). The caller holds the client's monitor.
   */
  void unregister(DefaultClient c) {
    c.user()
        .ifPresent(
            u ->
                users.computeIfPresent(
                    u,
                    (k, tabs) -> {
                      tabs.remove(c);
                      return tabs.isEmpty() ? null : tabs;
                    }));
    clients.remove(c.id(), c);
  }

  DefaultClient get(String connectionId) {
    return clients.get(connectionId);
  }

  /** The live view, for fan-out: no copy. */
  Collection<DefaultClient> all() {
    return clients.values();
  }

  /** One user's connections on this node, the live view; null if none. */
  Set<DefaultClient> ofUser(String user) {
    return users.get(user);
  }

  int count() {
    return clients.size();
  }

  int userCount() {
    return users.size();
  }

  Collection<Client> snapshot() {
    return List.copyOf(clients.values());
  }

  Set<String> userNames() {
    return Set.copyOf(users.keySet());
  }

  /** Remote addresses tracked for the per-address cap (0 once every connection has closed). */
  int trackedAddresses() {
    return addresses.addresses();
  }
}
