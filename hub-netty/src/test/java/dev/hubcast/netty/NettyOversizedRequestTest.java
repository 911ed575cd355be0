package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.testkit.RawWebSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handshake larger than the HTTP codec takes is refused for what it is, before any upgrade: 414
 * for a request line over the limit, 431 for headers over it, as Jetty answers; and the server goes
 * on upgrading other connections.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyOversizedRequestTest {

  private Hub<String> hub;
  private NettyHubServer server;

  @BeforeEach
  void start() {
    hub = Hub.create(HubConfig.textBuilder().build());
    server = NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestLineOverTheLimit_is414_andTheNextUpgradeStillWorks() throws Exception {
    String path = "/ws?" + "a".repeat(10_000);

    try (RawWebSocket ws =
        RawWebSocket.open(server.port(), RawWebSocket.upgradeRequest(path), new byte[0])) {
      assertRefusedAsPlainText(ws.response(), 414);
      assertThat(ws.awaitEof(Duration.ofSeconds(10))).isTrue();
    }
    assertAnUpgradeStillWorks();
  }

  @Test
  void headersOverTheLimit_are431_andTheNextUpgradeStillWorks() throws Exception {
    String request =
        RawWebSocket.upgradeRequest("/ws")
            .replace("\r\n\r\n", "\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");

    try (RawWebSocket ws = RawWebSocket.open(server.port(), request, new byte[0])) {
      assertRefusedAsPlainText(ws.response(), 431);
      assertThat(ws.awaitEof(Duration.ofSeconds(10))).isTrue();
    }
    assertAnUpgradeStillWorks();
  }

  @Test
  void aLongPathForAnotherResource_isAlso414_notTheApplications404() throws Exception {
    String request = "GET /" + "p".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    try (RawWebSocket ws = RawWebSocket.open(server.port(), request, new byte[0])) {
      assertRefusedAsPlainText(ws.response(), 414);
    }
  }

  private static void assertRefusedAsPlainText(RawWebSocket.Response response, int status) {
    assertThat(response.status()).as(response.head()).isEqualTo(status);
    String head = response.head().toLowerCase(java.util.Locale.ROOT);
    assertThat(head)
        .contains("content-type: text/plain; charset=utf-8")
        .contains("connection: close")
        .contains("content-length: ")
        .doesNotContain("upgrade: websocket")
        .doesNotContain("sec-websocket-accept");
  }

  private void assertAnUpgradeStillWorks() throws Exception {
    try (RawWebSocket ws = RawWebSocket.upgrade(server.port(), "/ws")) {
      assertThat(ws.response().status()).isEqualTo(101);
      assertThat(ws.response().head()).contains(RawWebSocket.SAMPLE_ACCEPT);
    }
  }
}
