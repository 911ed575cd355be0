package dev.hubcast.jetty;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.jetty.internal.HubNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * Binds a {@link Hub} to a Jetty 12 server you already run: Jetty's core WebSocket, no servlet
 * container. Mount {@link #handler} in your handler tree, or add a {@link #negotiator} mapping to a
 * {@link WebSocketUpgradeHandler} of your own. Thread-safe: the factories may be called from any
 * thread, and what they return is used by Jetty on its own threads.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * WebSocketUpgradeHandler ws = HubWebSocket.handler(hub, "/ws");
 * ws.setHandler(myOtherHandlers);   // everything that is not a WebSocket upgrade to /ws
 * server.setHandler(ws);
 * server.start();
 * }</pre>
 *
 * <p>Each upgrade request is first put to the hub ({@code OriginPolicy}, {@code Authenticator},
 * connection caps): a refusal is answered with its HTTP status (401, 403, 429, 503) and reason, and
 * no connection is made. Admitted connections enforce the hub's limits on the wire: messages over
 * {@code maxMessageBytes} close with 1009 before they are read in full, text that is not UTF-8 with
 * 1007, protocol errors with 1002; a connection silent for half the idle timeout is pinged, and one
 * silent for all of it is closed (1001). Extensions (permessage-deflate) are not negotiated, so
 * that a broadcast is framed once for all its recipients.
 *
 * <p>Hub handlers run on Jetty's thread for the connection unless the hub's config names a handler
 * executor; the hub's writes go out on Jetty's executor, in rounds (see {@code
 * dev.hubcast.core.spi.WriteRounds}).
 */
public final class HubWebSocket {

  private HubWebSocket() {}

  /**
   * A Jetty handler that upgrades WebSocket requests to {@code pathSpec} into connections of {@code
   * hub}, and passes every other request to its child ({@link WebSocketUpgradeHandler#setHandler}).
   *
   * @param pathSpec a Jetty path spec such as {@code "/ws"} or {@code "/chat/*"}
   */
  public static WebSocketUpgradeHandler handler(Hub<?> hub, String pathSpec) {
    requireNonNull(pathSpec, "pathSpec");
    if (pathSpec.isEmpty()) {
      throw new IllegalArgumentException("pathSpec: \"\" (expected: a path such as \"/ws\")");
    }
    WebSocketNegotiator negotiator = negotiator(hub);
    WebSocketUpgradeHandler handler = new WebSocketUpgradeHandler();
    handler.addMapping(pathSpec, negotiator);
    return handler;
  }

  /**
   * The hub as a mapping for a {@link WebSocketUpgradeHandler} of your own: {@code
   * upgradeHandler.addMapping("/ws", HubWebSocket.negotiator(hub))}.
   */
  public static WebSocketNegotiator negotiator(Hub<?> hub) {
    return new HubNegotiator(Acceptor.of(requireNonNull(hub, "hub")));
  }
}
