package dev.hubcast.bench;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline a Tomcat user writes without a hub, on the standard Jakarta WebSocket API: an
 * endpoint at {@code /} that keeps a concurrent set of the open {@link Session}s and, for every
 * text message, loops over them calling {@code s.getAsyncRemote().sendText(text)}, the returned
 * {@code Future} ignored (fire and forget, as {@code naive-jetty}'s {@code Callback.NOOP}).
 *
 * <p>The Jakarta API allows one asynchronous send in flight per session, and Tomcat enforces it:
 * {@code sendText} while the session's previous send has not completed throws {@link
 * IllegalStateException} ("The remote endpoint was in state [TEXT_FULL_WRITING] which is an invalid
 * state for called method"); so does a session being closed. The loop catches it around each send,
 * as an application must (uncaught, it would end the loop for the other sessions, and Tomcat would
 * close the publisher's connection), and goes on: that session does not get that message. Nothing
 * is queued or retried, so under load such a subscriber misses messages, which the sweep counts as
 * not delivered. The refused sends are counted and the count printed to standard error when the
 * server closes.
 *
 * <p>Embedded Tomcat's defaults ({@link EmbeddedTomcat}; text messages up to Tomcat's 8 KiB
 * buffer): no WebSocket idle timeout, so idle subscribers stay connected for the memory
 * measurement. Thread-safe; Tomcat calls the endpoint on its threads, one message at a time per
 * connection.
 */
final class NaiveTomcatServer implements AutoCloseable {
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private final LongAdder refused = new LongAdder();
  private EmbeddedTomcat tomcat;

  private NaiveTomcatServer() {}

  static NaiveTomcatServer start(String host, int port, boolean others) throws Exception {
    NaiveTomcatServer naive = new NaiveTomcatServer();
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(Relay.class, "/")
            .configurator(
                new ServerEndpointConfig.Configurator() {
                  @Override
                  public <T> T getEndpointInstance(Class<T> endpointClass) {
                    return endpointClass.cast(new Relay(naive, others));
                  }
                })
            .build();
    naive.tomcat =
        EmbeddedTomcat.start(
            host,
            port,
            Map.of(),
            context -> {
              try {
                ((ServerContainer) context.getAttribute(ServerContainer.class.getName()))
                    .addEndpoint(config);
              } catch (DeploymentException e) {
                throw new IllegalStateException(e);
              }
            });
    return naive;
  }

  int port() {
    return tomcat.port();
  }

  int connections() {
    return sessions.size();
  }

  /** Sends that Tomcat refused (a send in flight to that session, or the session closing). */
  long refused() {
    return refused.sum();
  }

  @Override
  public void close() throws Exception {
    System.err.printf(
        "naive-tomcat: %d sends refused by Tomcat (IllegalStateException), not sent%n",
        refused.sum());
    tomcat.close();
  }

  /** The loop: every open session but the sender's (with {@code others}) gets {@code text}. */
  private void relay(Session from, boolean others, String text) {
    for (Session s : sessions) {
      if (others && s == from) {
        continue;
      }
      try {
        s.getAsyncRemote().sendText(text);
      } catch (IllegalStateException e) {
        refused.increment(); // a send still in flight to s (or s closing): s misses this one
      }
    }
  }

  /** One client's endpoint (public: the container may load it reflectively). */
  public static final class Relay extends Endpoint {
    private final NaiveTomcatServer server;
    private final boolean others;

    Relay(NaiveTomcatServer server, boolean others) {
      this.server = server;
      this.others = others;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
      server.sessions.add(session);
      session.addMessageHandler(
          String.class, (MessageHandler.Whole<String>) text -> server.relay(session, others, text));
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
      server.sessions.remove(session);
    }

    @Override
    public void onError(Session session, Throwable cause) {
      server.sessions.remove(session);
    }
  }
}
