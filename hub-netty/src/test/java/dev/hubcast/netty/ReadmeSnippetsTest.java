package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's snippets serve real clients. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeSnippetsTest {

  @Test
  void ownPipeline_servesTheHub() throws Exception {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    EventLoopGroup group = ReadmeSnippets.group();
    try {
      Channel server = ReadmeSnippets.ownPipeline(hub, group, 0);
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      try (TestClient c =
          JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of())) {
        c.sendText("hello");
        assertThat(c.awaitText(Duration.ofSeconds(10))).isEqualTo("hello");
      }
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void embedded_servesTheHub() throws Exception {
    ReadmeSnippets.Embedded embedded = ReadmeSnippets.embedded(0);
    NettyHubServer server = embedded.server();
    try (TestClient a =
            JdkWebSocketClient.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/ws"), Map.of());
        TestClient b =
            JdkWebSocketClient.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/ws"), Map.of())) {
      // The client sees 101 before the hub has opened the connection: wait for both.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> embedded.hub().metrics().connections() == 2);
      a.sendText("to b");
      assertThat(b.awaitText(Duration.ofSeconds(10))).isEqualTo("to b");
      HttpResponse<String> page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).isEqualTo("hub is up\n");
    } finally {
      server.close();
      embedded.hub().shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }
}
