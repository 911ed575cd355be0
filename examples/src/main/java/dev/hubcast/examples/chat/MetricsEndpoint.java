package dev.hubcast.examples.chat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hubcast.core.Hub;
import dev.hubcast.micrometer.HubcastMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The chat's {@code --metrics PORT}: {@code GET /metrics} answers the hub's meters ({@link
 * HubcastMetrics}, with the members of {@code #lobby}) and the JVM's, in Prometheus text format, on
 * a port of its own so that it can stay off the public one. It is served by the JDK's own HTTP
 * server; any other path gets 404 and any other method 405.
 *
 * <p>Thread-safe: requests are answered one at a time on the HTTP server's thread, and each scrape
 * reads the hub's counters there.
 */
final class MetricsEndpoint implements AutoCloseable {

  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /**
   * Starts the endpoint on {@code host:port} (0 picks a free port).
   *
   * @throws UncheckedIOException naming the address if it cannot listen there
   */
  static MetricsEndpoint start(Hub<?> hub, String host, int port) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new HubcastMetrics(hub, Tags.empty(), Set.of(ChatHandler.LOBBY)).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      registry.close();
      throw new UncheckedIOException(
          "cannot serve --metrics on " + host + ":" + port + " (" + e.getMessage() + ")", e);
    }
    server.createContext("/", exchange -> answer(registry, exchange));
    server.start();
    return new MetricsEndpoint(registry, server);
  }

  private static void answer(PrometheusMeterRegistry registry, HttpExchange exchange)
      throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        reply(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n");
      } else {
        reply(exchange, 200, CONTENT_TYPE, registry.scrape());
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port it listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    registry.close();
  }
}
