package dev.hubcast.jakarta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The servlet upgrade's writes on Tomcat: frames of every size, queued together, in order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpgradeWritesTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void framesOverTheBatchSize_queuedWithOthers_allArriveInOrder() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .drainTimeout(Duration.ZERO)
                .outboxLimits(16 * 1024 * 1024, 10_000)
                .build());
    try (Containers.Running tomcat = Containers.tomcatUpgrade(hub);
        TestClient client = JdkWebSocketClient.connect(tomcat.uri())) {
      await().atMost(WAIT).until(() -> hub.connectionCount() == 1);
      String big = "b".repeat(70_000); // over the 64 KiB joined write
      List<String> sent =
          List.of("small 1", big, big + "2", "small 2", "x".repeat(40_000), "small 3", big + "3");

      // A client that does not read: the socket fills, the output stops being ready, and the
      // frames queue, to leave in joined writes once it reads again.
      client.pauseReading();
      for (int round = 0; round < 3; round++) {
        for (String m : sent) {
          hub.broadcast(Target.all(), m);
        }
      }
      client.resumeReading();

      for (int round = 0; round < 3; round++) {
        assertThat(client.awaitTexts(sent.size(), WAIT)).containsExactlyElementsOf(sent);
      }
      assertThat(client.isClosed()).isFalse();
    } finally {
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }
}
