package dev.hubcast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three seed programs, each on a real server with real WebSocket clients. */
@Timeout(30)
class SeedProgramsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static TestClient connect(int port) throws Exception {
    return JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of());
  }

  @Test
  void broadcastAll_reachesEveryone_senderIncluded_andForgetsWhoLeft() throws Exception {
    try (JettyHubServer server = BroadcastAll.start("127.0.0.1", 0);
        TestClient a = connect(server.port());
        TestClient b = connect(server.port())) {
      // Jetty opens b on the hub just after its 101: a speaks until b, once open, hears.
      AtomicInteger said = new AtomicInteger();
      AtomicReference<String> heard = new AtomicReference<>();
      await("b to hear a")
          .atMost(WAIT)
          .pollDelay(Duration.ZERO)
          .pollInSameThread()
          .untilAsserted(
              () -> {
                a.sendText("hello " + said.incrementAndGet());
                heard.set(b.awaitText(Duration.ofMillis(200)));
                assertThat(heard.get()).startsWith("hello ");
              });
      String last = "hello " + said.get();
      // a, open from the start, hears all it said, in order; b from the first it heard on.
      for (int i = 1; i <= said.get(); i++) {
        assertThat(a.awaitText(WAIT)).isEqualTo("hello " + i);
      }
      while (!last.equals(heard.get())) {
        heard.set(b.awaitText(WAIT));
      }

      b.close(1000, "bye");
      b.awaitClose(WAIT);
      try (TestClient c = connect(server.port())) {
        c.sendText("after b left");
        assertThat(a.awaitText(WAIT)).isEqualTo("after b left");
        assertThat(c.awaitText(WAIT)).isEqualTo("after b left");
      }
    }
  }

  @Test
  void broadcastOthers_reachesEveryoneButTheSender() throws Exception {
    try (NettyHubServer server = BroadcastOthers.start("127.0.0.1", 0);
        TestClient a = connect(server.port());
        TestClient b = connect(server.port());
        TestClient c = connect(server.port())) {
      a.sendText("from a");
      assertThat(b.awaitText(WAIT)).isEqualTo("from a");
      assertThat(c.awaitText(WAIT)).isEqualTo("from a");
      b.sendText("from b");
      assertThat(a.awaitText(WAIT)).as("a's next message is b's, not its own").isEqualTo("from b");
      assertThat(c.awaitText(WAIT)).isEqualTo("from b");

      c.close(1000, "bye");
      c.awaitClose(WAIT);
      a.sendText("after c left");
      assertThat(b.awaitText(WAIT)).isEqualTo("after c left");
    }
  }

  @Test
  void lastTen_sendsANewcomerTheLastTenThenRelaysToAll() throws Exception {
    try (NettyHubServer server = LastTen.start("127.0.0.1", 0);
        TestClient a = connect(server.port())) {
      List<String> sent = new ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        a.sendText("m" + i);
        sent.add("m" + i);
      }
      assertThat(a.awaitTexts(12, WAIT)).isEqualTo(sent);

      try (TestClient b = connect(server.port())) {
        assertThat(b.awaitTexts(10, WAIT)).isEqualTo(sent.subList(2, 12));
        b.sendText("hi all");
        assertThat(b.awaitText(WAIT)).isEqualTo("hi all");
        assertThat(a.awaitText(WAIT)).isEqualTo("hi all");
      }
    }
  }
}
