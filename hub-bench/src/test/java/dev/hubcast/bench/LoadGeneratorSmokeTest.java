package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.backplane.InMemoryBackplane;
import dev.hubcast.netty.NettyHubServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator against a real Hubcast server: every message reaches every subscriber, in
 * order, and the run ends with a RESULT line. No assertion on speed.
 */
class LoadGeneratorSmokeTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void load_againstNettyHub_deliversEverything() throws Exception {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
    NettyHubServer server = NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/").start();
    try {
      List<String> lines = new CopyOnWriteArrayList<>();
      LoadGenerator.Config config =
          new LoadGenerator.Config(
              List.of(URI.create("ws://127.0.0.1:" + server.port() + "/")),
              10,
              2,
              50,
              64,
              Duration.ofSeconds(2),
              Duration.ofMillis(500),
              Duration.ofSeconds(5),
              2,
              4, // four connections per source address: 127.0.0.1, .2 and .3 all carry some
              true);

      LoadResult result = LoadGenerator.run(config, lines::add);

      assertThat(lines).contains("MEASURE_START", "MEASURE_END");
      assertThat(result.subscribers()).isEqualTo(10);
      assertThat(result.sent()).isGreaterThan(50);
      assertThat(result.delivered()).isEqualTo(result.expected());
      assertThat(result.deliveredRatio()).isEqualTo(1.0);
      assertThat(result.reordered()).isZero();
      assertThat(result.disconnects()).isZero();
      assertThat(result.resultLine())
          .matches(
              "RESULT deliveries_per_s=\\d+ p50_ms=[\\d.]+ p99_ms=[\\d.]+ p999_ms=[\\d.]+"
                  + " delivered_ratio=1\\.000000 reordered=0");
      JsonNode json = new ObjectMapper().readTree(Json.write(result.summary()));
      assertThat(json.get("delivered_ratio").asDouble()).isEqualTo(1.0);
      assertThat(json.get("delivered").asLong()).isEqualTo(result.delivered());
      assertThat(json.has("node0_delivered")).isFalse();
      LoadSummary read = Json.read(json.toString(), LoadSummary.class);
      assertThat(read.deliveredRatio()).isEqualTo(1.0);
      assertThat(read.p99Ms()).isEqualTo(result.percentileMillis(99));
    } finally {
      server.close();
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void load_acrossTwoNodes_splitsSubscribers_andTimesEachNode() throws Exception {
    InMemoryBackplane.Group group = InMemoryBackplane.group();
    List<Hub<String>> hubs = new ArrayList<>();
    List<NettyHubServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Hub<String> hub =
            Hub.create(
                HubConfig.textBuilder().policy(BroadcastPolicy.ALL).backplane(group::join).build());
        hubs.add(hub);
        servers.add(NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/").start());
      }
      LoadGenerator.Config config =
          new LoadGenerator.Config(
              servers.stream().map(s -> URI.create("ws://127.0.0.1:" + s.port() + "/")).toList(),
              9,
              1,
              50,
              64,
              Duration.ofSeconds(2),
              Duration.ofMillis(500),
              Duration.ofSeconds(5),
              2,
              20_000,
              true);

      LoadResult result = LoadGenerator.run(config, line -> {});

      // 5 subscribers on the publisher's node, 4 on the other (plus the publisher on the first).
      assertThat(hubs.get(0).metrics().connectionsOpened()).isEqualTo(6);
      assertThat(hubs.get(1).metrics().connectionsOpened()).isEqualTo(4);
      assertThat(result.delivered()).isEqualTo(result.expected()).isEqualTo(result.sent() * 9);
      assertThat(result.reordered()).isZero();
      JsonNode json = new ObjectMapper().readTree(Json.write(result.summary()));
      assertThat(json.get("nodes").asInt()).isEqualTo(2);
      assertThat(json.get("node0_delivered").asLong()).isEqualTo(result.sent() * 5);
      assertThat(json.get("node1_delivered").asLong()).isEqualTo(result.sent() * 4);
      assertThat(json.get("node1_p99_ms").asDouble()).isPositive();
      assertThat(Json.read(json.toString(), LoadSummary.class).nodeP99Ms(1))
          .isEqualTo(json.get("node1_p99_ms").asDouble());
    } finally {
      for (NettyHubServer s : servers) {
        s.close();
      }
      for (Hub<String> h : hubs) {
        h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
      }
      group.close();
    }
  }
}
