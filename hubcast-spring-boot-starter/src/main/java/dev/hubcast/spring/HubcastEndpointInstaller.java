package dev.hubcast.spring;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.jakarta.JakartaHub;
import dev.hubcast.jakarta.JakartaHubEndpoint;
import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Installs the hub in a servlet context once, at the first moment the container's WebSocket support
 * is there, and closes what it installed. Thread-safe.
 */
final class HubcastEndpointInstaller {

  /** The servlet context attribute that marks a context in which the hub is installed. */
  static final String INSTALLED_ATTRIBUTE = HubcastEndpointInstaller.class.getName();

  private final Hub<?> hub;
  private final String path;
  private final WebSocketSupport webSocketSupport; // null: leave it to the container
  private final List<JakartaHubEndpoint> endpoints = new CopyOnWriteArrayList<>();
  private volatile boolean deferred;

  private final HubcastProperties.Transport transport;

  HubcastEndpointInstaller(
      Hub<?> hub,
      String path,
      WebSocketSupport webSocketSupport,
      HubcastProperties.Transport transport) {
    this.hub = requireNonNull(hub, "hub");
    this.path = requireNonNull(path, "path");
    this.webSocketSupport = webSocketSupport;
    this.transport = requireNonNull(transport, "transport");
  }

  /** Whether {@code context} gets the servlet upgrade ({@code JakartaHub.installUpgrade}). */
  private boolean upgrade(ServletContext context) {
    return switch (transport) {
      case SERVLET_UPGRADE -> true;
      case JAKARTA_WEBSOCKET -> false;
      case AUTO -> {
        String server = context.getServerInfo();
        yield server != null && server.startsWith("Apache Tomcat");
      }
    };
  }

  /**
   * Tells the installer that a later step of the container's start-up will call {@link #install}
   * (on Tomcat: an initializer behind the WebSocket one), so that {@link #installIfReady} may leave
   * a context without a {@code ServerContainer} to it.
   */
  void defer() {
    deferred = true;
  }

  /**
   * From Spring Boot's {@code ServletContextInitializer}: installs the hub now if the container's
   * WebSocket support has started or can be started here (Jetty), or leaves it to the deferred step
   * (Tomcat).
   *
   * @throws IllegalStateException if WebSocket support has not started and nothing is deferred
   */
  void installIfReady(ServletContext context) {
    if (upgrade(context)) {
      install(context); // the servlet upgrade needs nothing of the container's WebSocket support
      return;
    }
    if (context.getAttribute(JakartaHub.SERVER_CONTAINER_ATTRIBUTE) == null) {
      if (deferred) {
        return;
      }
      if (webSocketSupport != null) {
        webSocketSupport.ensureStarted(context);
      }
    }
    install(context);
  }

  /** Installs the hub in {@code context} unless it already is. */
  void install(ServletContext context) {
    synchronized (this) {
      if (context.getAttribute(INSTALLED_ATTRIBUTE) != null) {
        return;
      }
      JakartaHubEndpoint endpoint =
          upgrade(context)
              ? JakartaHub.installUpgrade(context, hub, path)
              : JakartaHub.install(context, hub, path);
      context.setAttribute(INSTALLED_ATTRIBUTE, endpoint);
      endpoints.add(endpoint);
    }
  }

  /** The endpoints installed so far (one per servlet context, usually one). */
  List<JakartaHubEndpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  /** Closes every installed endpoint: later upgrades get 503, its timers stop. */
  void close() {
    for (JakartaHubEndpoint endpoint : endpoints) {
      endpoint.close();
    }
  }
}
