package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README snippets run: each serves the hub, and the rest of the server still answers. */
@Timeout(30)
class ReadmeSnippetsTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static Hub<String> relayHub() {
    return Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
  }

  /** Bob hears Ann once the hub has registered both (ALL_EXCEPT_SENDER relays to the others). */
  private static void chat(URI uri, Hub<String> hub) {
    try (TestClient ann = JdkWebSocketClient.connect(uri);
        TestClient bob = JdkWebSocketClient.connect(uri)) {
      await("ann and bob registered").atMost(WAIT).until(() -> hub.clients().size() == 2);
      ann.sendText("hi bob");
      assertThat(bob.awaitText(WAIT)).isEqualTo("hi bob");
    }
  }

  /**
   * As {@link #chat(URI, Hub)}, for a snippet that keeps its hub to itself: with no registry to
   * look at, Ann speaks again until Bob, once registered, hears her.
   */
  private static void chatWithoutTheHub(URI uri) {
    try (TestClient ann = JdkWebSocketClient.connect(uri);
        TestClient bob = JdkWebSocketClient.connect(uri)) {
      await("bob to hear ann")
          .atMost(WAIT)
          .pollDelay(Duration.ZERO)
          .pollInSameThread()
          .untilAsserted(
              () -> {
                ann.sendText("hi bob");
                assertThat(bob.awaitText(Duration.ofMillis(200))).isEqualTo("hi bob");
              });
    }
  }

  private static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @Test
  void ownServer_servesTheHubBesideOtherHandlers() throws Exception {
    Hub<String> hub = relayHub();
    Handler hello =
        new Handler.Abstract() {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request, Response response, Callback callback) {
            Response.writeError(request, response, callback, 418, "other handler");
            return true;
          }
        };
    Server server = ReadmeSnippets.ownServer(hub, 0, hello);
    try {
      chat(URI.create("ws://127.0.0.1:" + port(server) + "/chat"), hub);
      HttpResponse<String> other =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port(server) + "/anything"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(418);
    } finally {
      hub.close();
      server.stop();
    }
  }

  @Test
  void ownUpgradeHandler_mapsTheHub() throws Exception {
    Hub<String> hub = relayHub();
    WebSocketUpgradeHandler upgrades = ReadmeSnippets.ownUpgradeHandler(hub);
    Server server = new Server(0);
    server.setHandler(upgrades);
    server.start();
    try {
      chat(URI.create("ws://127.0.0.1:" + port(server) + "/chat"), hub);
    } finally {
      hub.close();
      server.stop();
    }
  }

  @Test
  void embedded_servesTheHubAndThePage() throws Exception {
    JettyHubServer server = ReadmeSnippets.embedded(0);
    try {
      assertThat(server.uri().toString()).endsWith(":" + server.port() + "/chat");
      chatWithoutTheHub(server.uri());
      HttpResponse<String> page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).contains("hub-jetty test page");
    } finally {
      server.close();
    }
  }
}
