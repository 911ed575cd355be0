package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.spi.HubServer;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link JettyHubServer} as a {@link HubServer}: one validation, and a clear failure to bind. */
@Timeout(30)
class JettyHubServerTest {

  @Test
  void start_onAPortInUse_failsAtOnceNamingTheAddress() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    try (HubServer first = JettyHubServer.builder(hub).host("127.0.0.1").port(0).start()) {
      int taken = first.port();
      Set<Thread> before = liveNonDaemonThreads();

      assertThatThrownBy(() -> JettyHubServer.builder(hub).host("127.0.0.1").port(taken).start())
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("127.0.0.1:" + taken)
          .hasCauseInstanceOf(java.io.IOException.class);
      await("no thread of the failed start left running")
          .atMost(Duration.ofSeconds(5))
          .pollInSameThread() // a polling thread of its own would count
          .untilAsserted(
              () ->
                  assertThat(liveNonDaemonThreads())
                      .filteredOn(t -> !before.contains(t))
                      .extracting(Thread::getName)
                      .isEmpty());
      assertThat(first.uri().toString()).isEqualTo("ws://127.0.0.1:" + taken + "/ws");
    } finally {
      hub.shutdown(Duration.ZERO);
    }
  }

  /** The threads that would keep a JVM alive: what a failed start must not leave behind. */
  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  @Test
  void acceptBacklog_isNettysNotTheJdkDefault() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    try (JettyHubServer server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).start()) {
      // 0 would leave it to the JDK's 50, which a burst of connections overflows.
      assertThat(((ServerConnector) server.server().getConnectors()[0]).getAcceptQueueSize())
          .isEqualTo(1024);
    } finally {
      hub.shutdown(Duration.ZERO);
    }
  }

  @Test
  void builder_checksLikeEveryHubServer() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    JettyHubServer.Builder b = JettyHubServer.builder(hub);

    assertThatThrownBy(() -> b.host(" ")).hasMessageContaining("host: \" \"");
    assertThatThrownBy(() -> b.port(-1)).hasMessage("port: -1 (expected: 0-65535)");
    assertThatThrownBy(() -> b.path("/ws?x=1")).hasMessageContaining("no query");
    assertThatThrownBy(() -> b.path("ws")).hasMessageContaining("starts with '/'");
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void subprotocol_theHubsChoiceReachesTheClient() throws Exception {
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().subprotocols("chat.v2", "chat.v1").build());
    try (HubServer server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).start()) {
      java.net.http.WebSocket ws =
          java.net.http.HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .subprotocols("chat.v1", "chat.v2")
              .buildAsync(server.uri(), new java.net.http.WebSocket.Listener() {})
              .get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(ws.getSubprotocol()).isEqualTo("chat.v2");
      ws.abort();
    } finally {
      hub.shutdown(Duration.ZERO);
    }
  }
}
