package com.example.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hubcast.core.Target;
import java.net.http.HttpClient;
import java.time.Duration;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AppTest {

  @Test
  void aClientAndABroadcast_showInThePrometheusScrape() throws Exception {
    try (App app = new App()) {
      CompletableFuture<String> received = new CompletableFuture<>();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  app.server.uri(),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(
                        WebSocket w, CharSequence data, boolean last) {
                      received.complete(data.toString());
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      // The server registers the connection just after the handshake: wait for it.
      await().atMost(Duration.ofSeconds(10)).until(() -> app.hub.connectionCount() == 1);
      app.hub.broadcast(Target.all(), "hello");
      received.get(10, TimeUnit.SECONDS);

      String scrape = app.registry.scrape();
      assertTrue(scrape.contains("hubcast_connections{app=\"consumer\"} 1"), scrape);
      assertTrue(
          scrape.contains("hubcast_deliveries_total{app=\"consumer\",outcome=\"queued\"} 1"),
          scrape);
      ws.abort();
    }
  }
}
