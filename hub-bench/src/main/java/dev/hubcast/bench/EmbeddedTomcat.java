package dev.hubcast.bench;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.jakarta.JakartaHub;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * Embedded Tomcat 11 for the {@code tomcat} and {@code naive-tomcat} servers: one HTTP/1.1 (NIO)
 * connector, one root context with Tomcat's WebSocket support ({@link WsSci}) and a servlet that
 * answers 404 to every request that is not an upgrade (Tomcat runs a context's filters, among them
 * the one that upgrades, only for a request mapped to a servlet). Tomcat's defaults (its executor
 * of up to 200 threads, its buffers), but for {@code maxConnections}, which is unlimited: Tomcat's
 * default, 8,192, would leave the sweep's 10,000th subscriber waiting in the accept queue.
 *
 * <p>Thread-safe; Tomcat calls the endpoints on its threads.
 */
final class EmbeddedTomcat implements AutoCloseable {
  private final Tomcat tomcat;
  private final Connector connector;
  private final Path base;

  private EmbeddedTomcat(Tomcat tomcat, Connector connector, Path base) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.base = base;
  }

  /**
   * {@code tomcat}: {@code hub} installed at {@code path} with {@link JakartaHub#install}. The
   * connector set as the Hubcast servers set theirs: the hub's handshake timeout as Tomcat's {@code
   * connectionTimeout} (which the Jakarta API cannot reach) and an accept backlog of 1,024, as
   * {@code NettyHubServer}'s and {@code JettyHubServer}'s; the hub caps the connections.
   */
  static EmbeddedTomcat hub(Hub<?> hub, String host, int port, String path) throws Exception {
    return start(host, port, connectorOf(hub), context -> JakartaHub.install(context, hub, path));
  }

  /**
   * {@code tomcat-upgrade}: {@code hub} installed at {@code path} with {@link
   * JakartaHub#installUpgrade} (the servlet HTTP upgrade, without Tomcat's WebSocket support); the
   * connector as {@link #hub}.
   */
  static EmbeddedTomcat hubUpgrade(Hub<?> hub, String host, int port, String path)
      throws Exception {
    return start(
        host,
        port,
        connectorOf(hub),
        context -> JakartaHub.installUpgrade(context, hub, path),
        false);
  }

  /** The connector as the Hubcast servers set theirs: see {@link #hub}. */
  private static Map<String, String> connectorOf(Hub<?> hub) {
    return Map.of(
        "connectionTimeout",
        Long.toString(Acceptor.of(hub).settings().handshakeTimeout().toMillis()),
        "acceptCount",
        "1024");
  }

  /**
   * Tomcat listening on {@code host} and {@code port} (0: any free one) with the connector
   * properties {@code connector} on top of the defaults; {@code app} runs as the context starts,
   * once Tomcat's WebSocket support has.
   */
  static EmbeddedTomcat start(
      String host, int port, Map<String, String> connector, Consumer<ServletContext> app)
      throws Exception {
    return start(host, port, connector, app, true);
  }

  private static EmbeddedTomcat start(
      String host,
      int port,
      Map<String, String> connector,
      Consumer<ServletContext> app,
      boolean jakartaWebSocket)
      throws Exception {
    Path base = Files.createTempDirectory("hubcast-bench-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector c = new Connector();
    c.setPort(port);
    c.setProperty("address", host);
    c.setProperty("maxConnections", "-1");
    connector.forEach(c::setProperty);
    tomcat.setConnector(c);
    Context context = tomcat.addContext("", base.toString());
    if (jakartaWebSocket) {
      Tomcat.addServlet(context, "not-found", new NotFound());
      context.addServletMappingDecoded("/", "not-found");
      context.addServletContainerInitializer(new WsSci(), null);
    }
    ServletContainerInitializer init = (classes, servletContext) -> app.accept(servletContext);
    context.addServletContainerInitializer(init, null);
    EmbeddedTomcat started = new EmbeddedTomcat(tomcat, c, base);
    try {
      tomcat.start();
    } catch (Exception | Error e) {
      started.close();
      throw e;
    }
    if (c.getLocalPort() <= 0) {
      started.close();
      throw new IllegalStateException("Tomcat did not listen on " + host + ":" + port);
    }
    return started;
  }

  int port() {
    return connector.getLocalPort();
  }

  /** Stops Tomcat and deletes its base directory. */
  @Override
  public void close() throws Exception {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      try (Stream<Path> files = Files.walk(base)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Answers every request that is not an upgrade: 404. */
  static final class NotFound extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(404);
    }
  }
}
