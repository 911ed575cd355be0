package dev.hubcast.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.JdkWebSocketClient;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The binder over a real Netty server and JDK WebSocket clients. */
@Timeout(60)
class HubcastMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Hub<String> hub;
  private HubServer server;
  private final List<JdkWebSocketClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    hub = Hub.create(HubConfig.textBuilder().build());
    server = NettyHubServer.builder(hub).host("127.0.0.1").port(0).start();
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(JdkWebSocketClient::abort);
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    server.close();
  }

  private JdkWebSocketClient connect() {
    JdkWebSocketClient c = JdkWebSocketClient.connect(server.uri());
    clients.add(c);
    return c;
  }

  private String only() {
    return hub.clients().iterator().next().id();
  }

  private static double count(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  private static double gauge(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void meters_followRealConnectionsAndBroadcasts() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new HubcastMetrics(hub, Tags.of("app", "test"), Set.of("lobby")).bindTo(registry);

    JdkWebSocketClient a = connect();
    await().atMost(WAIT).until(() -> hub.connectionCount() == 1);
    String aId = only();
    JdkWebSocketClient b = connect();
    await().atMost(WAIT).until(() -> hub.connectionCount() == 2);
    hub.join(aId, "lobby");
    for (int i = 0; i < 64; i++) {
      hub.broadcast(Target.all(), "hi" + i);
    }
    assertThat(a.awaitTexts(64, WAIT)).endsWith("hi63");
    assertThat(b.awaitTexts(64, WAIT)).endsWith("hi63");
    assertThatThrownBy(
            () ->
                clients.add(
                    JdkWebSocketClient.connect(
                        server.uri(), Map.of("Origin", "https://evil.example"))))
        .isInstanceOf(HandshakeRefusedException.class);

    assertThat(gauge(registry, "hubcast.connections", "app", "test")).isEqualTo(2);
    assertThat(gauge(registry, "hubcast.room.members", "room", "lobby")).isEqualTo(1);
    assertThat(count(registry, "hubcast.connections.opened")).isEqualTo(2);
    assertThat(count(registry, "hubcast.deliveries", "outcome", "queued")).isEqualTo(128);
    assertThat(count(registry, "hubcast.deliveries", "outcome", "dropped")).isZero();
    assertThat(count(registry, "hubcast.handshakes.refused", "reason", "origin")).isEqualTo(1);
    await().atMost(WAIT).until(() -> count(registry, "hubcast.messages.sent") == 128);
    long bytes = 0;
    for (int i = 0; i < 64; i++) {
      bytes += ("hi" + i).length();
    }
    assertThat(count(registry, "hubcast.sent")).isEqualTo(2 * bytes);
    b.sendText("from b"); // relayed to both by the default policy
    await().atMost(WAIT).until(() -> count(registry, "hubcast.messages.received") == 1);
    await()
        .atMost(WAIT)
        .until(() -> count(registry, "hubcast.deliveries", "outcome", "queued") == 130);
    assertThat(count(registry, "hubcast.received")).isEqualTo("from b".length());
    FunctionTimer fanOut = registry.get("hubcast.fanout").functionTimer();
    assertThat(fanOut.count()).isEqualTo(1);
    assertThat(fanOut.totalTime(TimeUnit.NANOSECONDS)).isPositive();

    a.close(1000, "bye");
    await()
        .atMost(WAIT)
        .until(() -> count(registry, "hubcast.connections.closed", "code", "1000") == 1);
    hub.disconnect(only(), 4001, "kicked");
    await()
        .atMost(WAIT)
        .until(() -> count(registry, "hubcast.connections.closed", "code", "other") == 1);
    assertThat(gauge(registry, "hubcast.connections")).isZero();
    assertThat(gauge(registry, "hubcast.room.members", "room", "lobby")).isZero();
  }

  @Test
  void noMeterIsTaggedByRoom_unlessNamed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HubcastMetrics.monitor(registry, hub, "node", "n1");

    JdkWebSocketClient a = connect();
    await().atMost(WAIT).until(() -> hub.connectionCount() == 1);
    hub.join(only(), "lobby");
    hub.broadcast(Target.room("lobby"), "hello");
    a.awaitText(WAIT);

    assertThat(registry.getMeters())
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("room")).isNull())
        .allSatisfy(m -> assertThat(m.getId().getTag("node")).isEqualTo("n1"));
    assertThat(registry.getMeters())
        .extracting(m -> m.getId().getName())
        .allMatch(n -> n.startsWith("hubcast."));
    assertThatThrownBy(() -> new HubcastMetrics(hub, Tags.empty(), Set.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rooms: \"\"");
  }

  @Test
  void prometheusScrape_namesEveryMeterInItsConventions() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new HubcastMetrics(hub, Tags.of("app", "test")).bindTo(registry);

    JdkWebSocketClient a = connect();
    await().atMost(WAIT).until(() -> hub.connectionCount() == 1);
    hub.broadcast(Target.all(), "hello");
    a.awaitText(WAIT);
    await().atMost(WAIT).until(() -> hub.metrics().framesOut() == 1);

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("hubcast_connections{app=\"test\"} 1")
        .contains("hubcast_connections_opened_total{app=\"test\"} 1")
        .contains("hubcast_connections_closed_total{app=\"test\",code=\"1000\"} 0")
        .contains("hubcast_connections_closed_total{app=\"test\",code=\"other\"} 0")
        .contains("hubcast_deliveries_total{app=\"test\",outcome=\"queued\"} 1")
        .contains("hubcast_handshakes_refused_total{app=\"test\",reason=\"origin\"} 0")
        .contains("hubcast_messages_sent_total{app=\"test\"} 1")
        .contains("hubcast_sent_bytes_total{app=\"test\"} 5")
        .contains("hubcast_outbox_pending_bytes{app=\"test\"} 0")
        .contains("hubcast_fanout_seconds_count{app=\"test\"} 0")
        .contains("hubcast_backplane_lag_seconds_sum{app=\"test\"} 0")
        .contains("hubcast_backplane_unreadable_total{app=\"test\"} 0")
        .contains("hubcast_resumes_total{app=\"test\",outcome=\"recovered\"} 0")
        .contains(
            "hubcast_transport_violations_total{app=\"test\",rule=\"close_reported_twice\"} 0");
    List<String> names =
        registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct().toList();
    assertThat(names).hasSize(32);
  }
}
