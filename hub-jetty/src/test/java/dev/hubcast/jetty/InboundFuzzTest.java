package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.testkit.RawWebSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the Jetty adapter's inbound path with whatever a peer may send after a valid upgrade.
 * Jetty's frame parser cannot be driven without a socket, so each input goes over a real one to an
 * embedded server, in a bounded loop: the bytes right behind the upgrade request, then whatever the
 * server answers for at most 200 ms. Whatever they are, no message over the hub's {@code
 * maxMessageBytes} ever reaches it, and the server still upgrades the next client.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/jetty/InboundFuzzTestInputs/}. To fuzz: {@code JAZZER_FUZZ=1 mvn
 * -pl hub-jetty test -Dtest=InboundFuzzTest} (a few hundred inputs a second, over the socket).
 */
class InboundFuzzTest {

  private static final int MAX = 1024;
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1");
  private static final AtomicInteger LARGEST = new AtomicInteger();
  private static final Hub<Message> HUB =
      Hub.create(
          HubConfig.builder(MessageCodec.identity())
              .maxMessageBytes(MAX)
              .handler(
                  new HubHandler<>() {
                    @Override
                    public void onMessage(Hub<Message> hub, Client client, Message message) {
                      LARGEST.accumulateAndGet(message.length(), Math::max);
                    }
                  })
              .build());
  private static final JettyHubServer SERVER =
      JettyHubServer.builder(HUB).host("127.0.0.1").port(0).path("/ws").start();

  @AfterAll
  static void stop() throws Exception {
    SERVER.close();
    HUB.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  @FuzzTest(maxDuration = "2m")
  void framesAfterTheUpgrade_endAsMessagesWithinTheLimitOrAClose(byte[] input) throws IOException {
    // Jazzer's request-forgery detector: the test's own connections to its server are expected.
    try (SilentCloseable loopback =
        BugDetectors.allowNetworkConnections(
            (host, port) -> port == SERVER.port() && LOOPBACK.contains(host))) {
      exchange(input);
    }
  }

  private static void exchange(byte[] input) throws IOException {
    try (RawWebSocket ws =
        RawWebSocket.open(SERVER.port(), RawWebSocket.upgradeRequest("/ws"), input)) {
      assertThat(ws.response().status()).isEqualTo(101);
      long deadline = System.nanoTime() + Duration.ofMillis(200).toNanos();
      try {
        while (System.nanoTime() < deadline
            && ws.readFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) != null) {
          // what the server answers: pongs, a close
        }
      } catch (IOException timedOutOrReset) {
        // the server waits for more, or has reset the connection: both are answers
      }
    }
    assertThat(LARGEST.get()).isLessThanOrEqualTo(MAX);
    try (RawWebSocket next = RawWebSocket.upgrade(SERVER.port(), "/ws")) {
      assertThat(next.response().status()).as("the next client is still upgraded").isEqualTo(101);
    }
  }
}
