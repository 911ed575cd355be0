package dev.hubcast.jakarta;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.testkit.TestClient;
import dev.hubcast.testkit.TestServer;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Servers for the tests: a hub installed with {@link JakartaHub#install} at {@code /ws} in embedded
 * Tomcat 11 or Jetty 12 ee11, on 127.0.0.1 and an ephemeral port. The connector's connection
 * timeout is the hub's handshake timeout: the Jakarta API cannot set it, the container's connector
 * does. Thread-safe.
 */
final class Containers {

  private Containers() {}

  /** A running container with the hub installed. */
  record Running(
      URI uri, JakartaHubEndpoint endpoint, boolean seesDeclaredLength, AutoCloseable stop)
      implements AutoCloseable {

    /**
     * The kits' view. On Tomcat, {@link TestServer#refusesByDeclaredLength()} is false: the Jakarta
     * API hands the adapter payload bytes only, and Tomcat (11.0.29) checks a frame's declared
     * length against no limit, so a client that declares a 2^62-byte frame and sends nothing after
     * it is a silent connection, closed by the idle timeout (Jetty checks the declared length
     * against its maximum frame size and closes at once, 1009).
     */
    TestServer testServer() {
      TestServer ws = TestServer.webSocket(uri, this);
      if (seesDeclaredLength) {
        return ws;
      }
      return new TestServer() {
        @Override
        public TestClient connect(String query, Map<String, String> headers) throws Exception {
          return ws.connect(query, headers);
        }

        @Override
        public Optional<URI> uri() {
          return ws.uri();
        }

        @Override
        public boolean refusesByDeclaredLength() {
          return false;
        }

        @Override
        public void close() throws Exception {
          ws.close();
        }

        @Override
        public String toString() {
          return "Tomcat" + ws;
        }
      };
    }

    /** Stops the container; idempotent. */
    @Override
    public void close() throws Exception {
      stop.close();
    }
  }

  static Running tomcat(Hub<?> hub) throws Exception {
    return tomcat(hub, false);
  }

  /** Tomcat with the hub on the servlet HTTP upgrade ({@link JakartaHub#installUpgrade}). */
  static Running tomcatUpgrade(Hub<?> hub) throws Exception {
    return tomcat(hub, true);
  }

  private static Running tomcat(Hub<?> hub, boolean upgrade) throws Exception {
    File base = Files.createTempDirectory("hubcast-tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty(
        "connectionTimeout",
        Long.toString(Acceptor.of(hub).settings().handshakeTimeout().toMillis()));
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.getAbsolutePath());
    // No servlet of its own: install maps one at the path, without which Tomcat runs no filter.
    AtomicReference<JakartaHubEndpoint> endpoint = new AtomicReference<>();
    if (!upgrade) {
      context.addServletContainerInitializer(new WsSci(), null);
    }
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            endpoint.set(
                upgrade
                    ? JakartaHub.installUpgrade(servletContext, hub, "/ws")
                    : JakartaHub.install(servletContext, hub, "/ws")),
        null);
    tomcat.start();
    URI uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
    return new Running(
        uri,
        endpoint.get(),
        upgrade, // the upgrade reads the declared length itself
        once(
            () -> {
              tomcat.stop();
              tomcat.destroy();
            }));
  }

  static Running jetty(Hub<?> hub) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(Acceptor.of(hub).settings().handshakeTimeout().toMillis());
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    AtomicReference<JakartaHubEndpoint> endpoint = new AtomicReference<>();
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) ->
            endpoint.set(JakartaHub.install(servletContext, hub, "/ws")));
    server.setHandler(context);
    server.start();
    URI uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
    return new Running(uri, endpoint.get(), true, once(server::stop));
  }

  private static AutoCloseable once(AutoCloseable stop) {
    AtomicBoolean stopped = new AtomicBoolean();
    return () -> {
      if (stopped.compareAndSet(false, true)) {
        stop.close();
      }
    };
  }

  /** Answers every request that is not an upgrade to the hub: 404. */
}
