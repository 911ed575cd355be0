package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator through Server-Sent Events against the bench's {@code netty-sse} server in
 * this process: every message posted reaches every subscriber's stream, once and in order. And the
 * same server loaded through its WebSocket path. No assertion on speed.
 */
class SseLoadTest {

  private static LoadGenerator.Config config(String url, int subscribers) {
    return new LoadGenerator.Config(
        List.of(URI.create(url)),
        subscribers,
        1,
        50,
        64,
        Duration.ofMillis(1500),
        Duration.ofMillis(300),
        Duration.ofSeconds(5),
        2,
        20_000,
        true);
  }

  private static void assertEverythingArrived(LoadResult result, int subscribers) {
    assertThat(result.subscribers()).isEqualTo(subscribers);
    assertThat(result.sent()).isGreaterThan(20);
    assertThat(result.expected()).isEqualTo(result.sent() * subscribers);
    assertThat(result.delivered()).isEqualTo(result.expected());
    assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.delivered());
    assertThat(result.reordered()).isZero();
    assertThat(result.duplicates()).isZero();
    assertThat(result.disconnects()).isZero();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sseLoad_postsAndStreams_countEveryMessage() throws Exception {
    try (BenchServer server =
        BenchServer.start(
            BenchServer.Transport.NETTY_SSE, "127.0.0.1", 0, false, null, null, false)) {
      List<String> lines = new CopyOnWriteArrayList<>();

      LoadResult result =
          LoadGenerator.run(
              config("http://127.0.0.1:" + server.port() + BenchServer.SSE_PATH, 5), lines::add);

      assertEverythingArrived(result, 5);
      assertThat(lines).anyMatch(l -> l.startsWith("CONNECTED") && l.endsWith("protocol=sse"));
      assertThat(lines).noneMatch(l -> l.startsWith("POSTS_REFUSED"));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sseLoad_inRoomMode_readsPastTheEventIds() throws Exception {
    try (BenchServer server =
        BenchServer.start(
            BenchServer.Transport.NETTY_SSE, "127.0.0.1", 0, false, null, 100, false)) {
      LoadResult result =
          LoadGenerator.run(
              config("http://127.0.0.1:" + server.port() + BenchServer.SSE_PATH, 3), line -> {});

      assertEverythingArrived(result, 3);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void webSocketLoad_onTheSameServer_countsEveryMessage() throws Exception {
    try (BenchServer server =
        BenchServer.start(
            BenchServer.Transport.NETTY_SSE, "127.0.0.1", 0, false, null, null, false)) {
      List<String> lines = new CopyOnWriteArrayList<>();

      LoadResult result =
          LoadGenerator.run(
              config("ws://127.0.0.1:" + server.port() + BenchServer.WS_PATH, 4), lines::add);

      assertEverythingArrived(result, 4);
      assertThat(lines)
          .anyMatch(l -> l.startsWith("CONNECTED") && l.endsWith("protocol=websocket"));
    }
  }
}
