package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
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

  private static void chat(URI uri) throws Exception {
    try (TestClient ann = JdkWebSocketClient.connect(uri, Map.of());
        TestClient bob = JdkWebSocketClient.connect(uri, Map.of())) {
      // ALL_EXCEPT_SENDER: bob hears ann once both are registered; retry until then.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        ann.sendText("hi bob");
        try {
          assertThat(bob.awaitText(Duration.ofMillis(200))).isEqualTo("hi bob");
          return;
        } catch (AssertionError e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
      }
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
      chat(URI.create("ws://127.0.0.1:" + port(server) + "/chat"));
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
      chat(URI.create("ws://127.0.0.1:" + port(server) + "/chat"));
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
      chat(server.uri());
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
