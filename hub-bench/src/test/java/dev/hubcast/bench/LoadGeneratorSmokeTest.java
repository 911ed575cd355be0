package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.netty.NettyHubServer;
import java.net.URI;
import java.time.Duration;
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
    Hub<String> hub = Hub.create(HubConfig.text().policy(BroadcastPolicy.ALL).build());
    NettyHubServer server = NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/").start();
    try {
      List<String> lines = new CopyOnWriteArrayList<>();
      LoadGenerator.Config config =
          new LoadGenerator.Config(
              URI.create("ws://127.0.0.1:" + server.port() + "/"),
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
      assertThat(Json.parseFlat(result.toJson())).containsEntry("delivered_ratio", 1.0);
    } finally {
      server.close();
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }
}
