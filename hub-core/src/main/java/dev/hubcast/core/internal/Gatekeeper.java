package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics.Refusal;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.TransportSettings;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's door for transports: checks each handshake (shutdown, caps, origin, authenticator),
 * picks its subprotocol, and registers the upgraded connection. Thread-safe and non-blocking; the
 * caps are checked again at registration, where they are taken atomically.
 */
final class Gatekeeper<M> implements Acceptor {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final HubConfig<M> config;
  private final TransportSettings settings;
  private final ConnectionRegistry registry;
  private final Lifecycle<M> lifecycle;
  private final InboundPipeline<M> pipeline;
  private final Handlers<M> handlers;
  private final Counters counters;

  Gatekeeper(
      HubConfig<M> config,
      ConnectionRegistry registry,
      Lifecycle<M> lifecycle,
      InboundPipeline<M> pipeline,
      Handlers<M> handlers,
      Counters counters) {
    this.nodeId = config.nodeId();
    this.config = config;
    this.settings =
        new TransportSettings(
            config.maxMessageBytes(),
            config.idleTimeout(),
            config.handshakeTimeout(),
            config.closeTimeout());
    this.registry = registry;
    this.lifecycle = lifecycle;
    this.pipeline = pipeline;
    this.handlers = handlers;
    this.counters = counters;
  }

  @Override
  public TransportSettings settings() {
    return settings;
  }

  @Override
  public void afterFanOut(Runnable action) {
    FanOut.afterwards(requireNonNull(action, "action"));
  }

  @Override
  public Admission admit(Handshake handshake) {
    requireNonNull(handshake, "handshake");
    Admission refusal = check(handshake);
    if (refusal != null) {
      log.debug(
          "hub {}: handshake from {} refused: {} {}",
          nodeId,
          handshake.remoteAddress(),
          refusal.status(),
          refusal.reason());
      return refusal;
    }
    AuthResult auth;
    try {
      auth = requireNonNull(config.authenticator().authenticate(handshake), "AuthResult");
    } catch (RuntimeException e) {
      counters.refused(Refusal.AUTHENTICATOR_ERROR);
      counters.handlerErrors.increment();
      // Never log the handshake's headers or query, nor the exception's message: they may carry
      // tokens. The exception's type says which failure it was.
      log.warn(
          "hub {}: authenticator threw {} for a handshake from {}; refused with 500",
          nodeId,
          e.getClass().getName(),
          handshake.remoteAddress());
      return Admission.refused(500, "authentication failed");
    }
    if (!auth.isAccepted()) {
      counters.refused(Refusal.AUTHENTICATION);
      return Admission.refused(auth.status(), auth.reason().orElse("refused"));
    }
    Handshake admitted =
        handshake.withIdentity(auth.principal().orElse(null), auth.user().orElse(null));
    return Admission.admitted(registry.nextId(), admitted, subprotocolFor(handshake));
  }

  /** The first of the hub's subprotocols the client offered, or null. */
  private String subprotocolFor(Handshake handshake) {
    List<String> ours = config.subprotocols();
    if (ours.isEmpty()) {
      return null;
    }
    List<String> offered = handshake.subprotocols();
    for (String p : ours) {
      if (offered.contains(p)) {
        return p;
      }
    }
    return null;
  }

  /** The refusal of a handshake the hub will not take, counted; null if it may. */
  private Admission check(Handshake handshake) {
    if (lifecycle.isShutdown()) {
      counters.refused(Refusal.SHUTTING_DOWN);
      return Admission.refused(503, "server is shutting down");
    }
    if (registry.isFull()) {
      counters.refused(Refusal.CONNECTION_LIMIT);
      return Admission.refused(503, "server is at its connection limit");
    }
    if (registry.isAddressFull(handshake.remoteAddress())) {
      counters.refused(Refusal.ADDRESS_LIMIT);
      return Admission.refused(429, "too many connections from this address");
    }
    if (!config.originPolicy().allows(handshake.origin(), handshake)) {
      counters.refused(Refusal.ORIGIN);
      return Admission.refused(
          403,
          "origin not allowed"
              + handshake.origin().map(o -> ": " + CloseCodes.truncateReason(o)).orElse(""));
    }
    return null;
  }

  @Override
  public Inbound open(Connection connection) {
    requireNonNull(connection, "connection");
    DefaultClient c = new DefaultClient(connection, lifecycle, counters, config);
    if (lifecycle.isShutdown()) {
      lifecycle.closeQuietly(c, CloseCodes.GOING_AWAY, "server is shutting down");
      return ClientInbound.IGNORE;
    }
    ConnectionRegistry.Cap full = registry.acquire(connection.remoteAddress());
    if (full != null) {
      counters.refused(
          full == ConnectionRegistry.Cap.TOTAL ? Refusal.CONNECTION_LIMIT : Refusal.ADDRESS_LIMIT);
      lifecycle.closeQuietly(
          c,
          CloseCodes.TRY_AGAIN_LATER,
          full == ConnectionRegistry.Cap.TOTAL
              ? "server is at its connection limit"
              : "too many connections from this address");
      return ClientInbound.IGNORE;
    }
    // Registered under the client's monitor, as a termination unregisters: a broadcast that finds
    // the client and fails its send cannot unregister it half-way.
    registry.opened(); // before it is reachable: its close may be reported at once
    synchronized (c) {
      if (!registry.register(c)) {
        registry.release(connection.remoteAddress());
        registry.closed();
        throw new IllegalStateException("connection id: " + c.id() + " (already open)");
      }
    }
    counters.connectionsOpened.increment();
    Inbound inbound = new ClientInbound(c, pipeline, lifecycle);
    if (lifecycle.isShutdown()) {
      // Shutdown began while we registered; it may have missed us.
      lifecycle.terminate(c, CloseCodes.GOING_AWAY, "server is shutting down", true);
      return inbound;
    }
    if (handlers.isInstalled()) {
      HubHandler<M> h = handlers.handler();
      CallbackScope.enter();
      try {
        handlers.dispatch(c, () -> h.onOpen(handlers.hub(), c), "onOpen", lifecycle::close);
      } finally {
        CallbackScope.exit();
      }
    }
    return inbound;
  }
}
