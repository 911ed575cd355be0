package com.example.app;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.micrometer.HubcastMetrics;
import dev.hubcast.netty.NettyHubServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** A hub on Netty whose meters go to Prometheus: what an application writes. */
public final class App implements AutoCloseable {
  final Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
  final NettyHubServer server = NettyHubServer.builder(hub).host("127.0.0.1").port(0).start();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public App() {
    new HubcastMetrics(hub, Tags.of("app", "consumer")).bindTo(registry);
  }

  @Override
  public void close() {
    hub.shutdown().join();
    server.close();
  }
}
