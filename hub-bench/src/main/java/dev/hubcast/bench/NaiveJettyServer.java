package dev.hubcast.bench;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The baseline a Jetty user writes without a hub: a concurrent set of sessions and, for every text
 * message, a loop that calls {@link Session#sendText} on each. Jetty's defaults otherwise
 * (unbounded outgoing queue per session, default thread pool), except an idle timeout of 10 minutes
 * so that idle subscribers stay connected for the memory measurement. Thread-safe; Jetty calls the
 * endpoints on its threads.
 *
 * <p>Public only because Jetty calls the endpoint class reflectively; not an API.
 */
public final class NaiveJettyServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

  private NaiveJettyServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  static NaiveJettyServer start(String host, int port, boolean others) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    NaiveJettyServer naive = new NaiveJettyServer(server, connector);
    WebSocketUpgradeHandler ws =
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              container.setIdleTimeout(Duration.ofMinutes(10));
              container.addMapping(
                  "/", (request, response, callback) -> new Relay(naive.sessions, others));
            });
    server.setHandler(ws);
    server.start();
    return naive;
  }

  int port() {
    return connector.getLocalPort();
  }

  int connections() {
    return sessions.size();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /**
   * One client's endpoint (public: Jetty calls it through method handles). Called by Jetty one
   * event at a time.
   */
  public static final class Relay implements Session.Listener.AutoDemanding {
    private final Set<Session> sessions;
    private final boolean others;
    private Session session;

    Relay(Set<Session> sessions, boolean others) {
      this.sessions = sessions;
      this.others = others;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      sessions.add(session);
    }

    @Override
    public void onWebSocketText(String message) {
      for (Session s : sessions) {
        if (others && s == session) {
          continue;
        }
        s.sendText(message, Callback.NOOP);
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      sessions.remove(session);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      sessions.remove(session);
    }
  }
}
