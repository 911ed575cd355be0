package dev.hubcast.jakarta;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.jakarta.internal.EndpointInstaller;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;

/**
 * Installs a {@link Hub} in a servlet container, on its standard Jakarta WebSocket implementation
 * (Tomcat, Jetty ee11, Undertow...). Thread-safe and stateless; call it while the servlet context
 * starts.
 *
 * <pre>{@code
 * public final class HubInitializer implements ServletContainerInitializer {
 *   public void onStartup(Set<Class<?>> classes, ServletContext context) {
 *     JakartaHub.install(context, hub, "/ws");
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #install} adds three things to the context: a servlet filter on the path that puts each
 * upgrade request to the hub ({@code OriginPolicy}, {@code Authenticator}, connection caps) before
 * the container upgrades it, and answers a refusal with its HTTP status (401, 403, 429, 503) and
 * reason as text; a WebSocket endpoint on the path, registered with the container's {@link
 * ServerContainer}, which serves the admitted connections; and, unless a servlet of the application
 * is mapped at that exact path, a servlet there that answers plain HTTP with 426 Upgrade Required
 * (Tomcat runs filters only for a request some servlet is mapped to). Admitted connections enforce
 * the hub's limits: a message over {@code maxMessageBytes} closes with 1009 once its bytes pass the
 * limit, text that is not UTF-8 with 1007 (by the container), a binary message to a text hub with
 * 1003 (by the hub's codec); a connection silent for half the idle timeout is pinged, one silent
 * for all of it closed with 1001. No extension (permessage-deflate) is negotiated.
 *
 * <p>Threading: the container calls the endpoint on its own threads, one at a time per connection;
 * hub handlers run there unless the hub's config names a handler executor. The hub's sends never
 * block: each connection queues them and has one asynchronous send in flight at a time (the Jakarta
 * API allows no more). Pings and closes, which the API only offers as blocking calls, run on a
 * small pool of the endpoint's own daemon threads.
 *
 * <p>When to call: {@link ServletContext#addFilter} works only while the context initializes, from
 * a {@code ServletContainerInitializer}, a listener declared in {@code web.xml} or annotated
 * {@code @WebListener}, or Spring Boot's {@code ServletContextInitializer}; and the container's
 * WebSocket support must have started first (it sets the context attribute {@code
 * jakarta.websocket.server.ServerContainer}). In Jetty, call it from {@code
 * JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
 * ...)}.
 */
public final class JakartaHub {

  /** The servlet context attribute under which containers publish their {@link ServerContainer}. */
  public static final String SERVER_CONTAINER_ATTRIBUTE = ServerContainer.class.getName();

  private JakartaHub() {}

  /**
   * Installs {@code hub} at {@code path} in {@code context}: the admission filter and the WebSocket
   * endpoint.
   *
   * @param path an exact path relative to the context, such as {@code "/ws"} (no wildcards, no path
   *     parameters)
   * @return the installed endpoint
   * @throws IllegalStateException if the context has no {@link ServerContainer} (WebSocket support
   *     not started), or is past its initialization
   * @throws IllegalArgumentException if {@code path} is not an exact path, or {@code hub} was not
   *     made by {@code Hub.create}
   */
  public static JakartaHubEndpoint install(ServletContext context, Hub<?> hub, String path) {
    requireNonNull(context, "context");
    requireNonNull(hub, "hub");
    requireNonNull(path, "path");
    Object container = context.getAttribute(SERVER_CONTAINER_ATTRIBUTE);
    if (!(container instanceof ServerContainer)) {
      throw new IllegalStateException(
          "context attribute "
              + SERVER_CONTAINER_ATTRIBUTE
              + ": "
              + container
              + " (expected: the container's ServerContainer; is WebSocket support started?)");
    }
    return EndpointInstaller.install(context, (ServerContainer) container, Acceptor.of(hub), path);
  }

  /**
   * Installs {@code hub} at {@code path} in {@code context} on the servlet API's HTTP upgrade
   * ({@code HttpServletRequest.upgrade}), speaking WebSocket (RFC 6455) itself rather than through
   * the container's Jakarta WebSocket implementation, which it does not need. The fast way on
   * Tomcat: a message is framed once for all its recipients, the frames queued for a connection
   * leave in one write, and a send costs no thread hand-over (see {@code docs/transports.md}).
   *
   * <p>One servlet is mapped at the path. It checks the handshake (426, 405, 400 when it is not a
   * WebSocket handshake of version 13), puts it to the hub (the same statuses as {@link #install}),
   * and upgrades it. Limits as {@link #install}: 1009 over {@code maxMessageBytes} (from the
   * frame's header, before its payload is read), 1007 for text that is not UTF-8 (at the byte that
   * breaks it), 1002 for frames the RFC forbids; pings after half the idle timeout, 1001 after all
   * of it. No extension is negotiated.
   *
   * <p>Threading: the container's threads read and write; the hub's sends write on the calling
   * thread when the connection's output is ready and nothing else is writing, and otherwise leave
   * their frame to the thread that is (never blocking). One timer thread per endpoint runs the idle
   * checks and close timeouts. Call it while the context initializes, as {@link #install}.
   *
   * @param path an exact path relative to the context, such as {@code "/ws"}
   * @return the installed endpoint
   * @throws IllegalStateException if a servlet is mapped at the path already, or the context is
   *     past its initialization
   * @throws IllegalArgumentException if {@code path} is not an exact path, or {@code hub} was not
   *     made by {@code Hub.create}
   */
  public static JakartaHubEndpoint installUpgrade(ServletContext context, Hub<?> hub, String path) {
    requireNonNull(context, "context");
    requireNonNull(hub, "hub");
    requireNonNull(path, "path");
    return EndpointInstaller.installUpgrade(context, Acceptor.of(hub), path);
  }
}
