package dev.hubcast.spring;

import jakarta.servlet.ServletContext;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.websocket.jakarta.server.JakartaWebSocketServerContainer;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * Jetty 12 (ee11): starts the Jakarta {@code ServerContainer} of a context from Spring Boot's
 * {@code ServletContextInitializer}, the way Spring Boot's own Jetty WebSocket configuration does
 * after the initializers have run: the WebSocket components, the mappings and the container, each
 * only if it is not there yet (so that configuration then finds them and keeps them).
 *
 * <p>Not the upgrade filter: Spring Boot registers Jetty's {@code WebSocketUpgradeFilter} from a
 * {@code ServletContextInitializer} of its own, run after the application's (it fails if the filter
 * is there already), and mapped, as the hub's admission filter is, before the filters mapped
 * without order; so the admission filter, mapped first, runs first and the upgrade filter upgrades
 * only what it admitted. Thread-safe and stateless.
 */
final class JettyWebSocketSupport implements WebSocketSupport {

  @Override
  public void ensureStarted(ServletContext context) {
    ServletContextHandler handler = ServletContextHandler.getServletContextHandler(context);
    WebSocketServerComponents.ensureWebSocketComponents(handler.getServer(), handler);
    WebSocketMappings.ensureMappings(handler);
    JakartaWebSocketServerContainer.ensureContainer(context);
  }
}
