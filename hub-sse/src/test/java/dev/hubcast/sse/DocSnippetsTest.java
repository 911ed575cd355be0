package dev.hubcast.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.RoomMark;
import dev.hubcast.core.Target;
import dev.hubcast.netty.NettyHubServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java snippets of docs/transports.md's Server-Sent Events section, as written there. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocSnippetsTest {

  @Test
  void mountBesideWebSocket_andResumeFromLastEventId() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .historySize(10)
                .handler(
                    new HubHandler<>() {
                      // docs/transports.md, "Resume"
                      @Override
                      public void onOpen(Hub<String> hub, Client client) {
                        client
                            .handshake()
                            .lastEventMark()
                            .ifPresentOrElse(
                                mark ->
                                    hub.joinAndResume(client.id(), mark.room(), mark.position()),
                                () -> hub.join(client.id(), "lobby"));
                      }
                    })
                .build());
    // docs/transports.md, the mount
    HubEventStream sse = HubEventStream.create(hub, "/sse");
    NettyHubServer server =
        NettyHubServer.builder(hub)
            .host("127.0.0.1")
            .port(0)
            .path("/ws") // WebSocket, as before
            .streamingHttpHandler(sse::newHandler) // and event streams at /sse
            .start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/sse");
      SseTestClient first = SseTestClient.connect(http, uri, Map.of());
      await().until(() -> hub.members("lobby").size() == 1);
      hub.broadcast(Target.room("lobby"), "one");
      assertThat(first.awaitText(Duration.ofSeconds(10))).isEqualTo("one");
      first.abort();
      await().until(() -> hub.clients().isEmpty());
      hub.broadcast(Target.room("lobby"), "two");

      SseTestClient back =
          SseTestClient.connect(http, uri, Map.of("Last-Event-ID", first.lastEventId()));

      assertThat(back.awaitText(Duration.ofSeconds(10))).isEqualTo("two");
      assertThat(RoomMark.parse(back.lastEventId()).position().seq()).isEqualTo(2);
      back.abort();
    } finally {
      hub.shutdown().join();
      server.close();
    }
  }
}
