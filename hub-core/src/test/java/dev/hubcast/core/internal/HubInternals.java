package dev.hubcast.core.internal;

import dev.hubcast.core.Hub;

/** Test access to a hub's internals. Thread-safe as the hub is. */
public final class HubInternals {
  private HubInternals() {}

  /** Remote addresses the hub tracks for its per-address cap. */
  public static int trackedAddresses(Hub<?> hub) {
    return ((DefaultHub<?>) hub).trackedAddresses();
  }

  /** Room objects the hub holds, empty ones with history included. */
  public static int heldRooms(Hub<?> hub) {
    return ((DefaultHub<?>) hub).heldRooms();
  }
}
