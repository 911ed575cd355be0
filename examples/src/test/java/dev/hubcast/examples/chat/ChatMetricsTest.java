package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat's {@code --metrics}: a real chat server, a real client, a real scrape. */
@Timeout(60)
class ChatMetricsTest {

  private static final ChatOptions OPTIONS =
      new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", 0, 50);

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metrics_servesTheHubsAndTheJvmsMetersInPrometheusText() throws Exception {
    try (ChatServer chat = ChatServer.start(OPTIONS.withMetrics(0))) {
      URI metrics = chat.metricsUri().orElseThrow();
      assertThat(metrics.toString()).startsWith("http://127.0.0.1:").endsWith("/metrics");
      ChatClient ada = ChatClient.connect(chat.port(), "ada");
      ada.next("welcome");
      ada.next("history");
      ada.send("type", "say", "text", "hello");
      ada.next("message");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(metrics).body().contains("hubcast_messages_received_total 1"));
      HttpResponse<String> scrape = get(metrics);
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scrape.body())
          .contains("hubcast_connections 1")
          .contains("hubcast_room_members{room=\"lobby\"} 1")
          .contains("hubcast_connections_opened_total 1")
          .contains("hubcast_handshakes_refused_total{reason=\"origin\"} 0")
          .contains("jvm_memory_used_bytes")
          .doesNotContain("hello");

      ada.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(metrics).body().contains("hubcast_connections 0"));

      assertThat(get(metrics.resolve("/other")).statusCode()).isEqualTo(404);
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aMetricsPortInUse_failsTheStartNamingIt_andLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> ChatServer.start(OPTIONS.withMetrics(port)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("--metrics on 127.0.0.1:" + port);
    }
    try (ChatServer chat = ChatServer.start(OPTIONS)) {
      assertThat(chat.metricsUri()).isEmpty();
    }
  }
}
