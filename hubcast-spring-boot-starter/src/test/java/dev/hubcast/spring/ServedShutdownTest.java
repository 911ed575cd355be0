package dev.hubcast.spring;

import static dev.hubcast.spring.Sockets.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient.CloseStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application context closes every client with 1001 (going away): the hub shuts down
 * before the web server stops, which would otherwise drop the connections without a close frame.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServedShutdownTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void contextClose_closesClientsWith1001() {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class).properties("server.port=0").run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    Hub<?> hub = context.getBean(Hub.class);
    try (JdkWebSocketClient a = Sockets.connect(port, "/ws");
        JdkWebSocketClient b = Sockets.connect(port, "/ws")) {
      await().atMost(WAIT).until(() -> hub.connectionCount() == 2);

      context.close();

      CloseStatus closeA = a.awaitClose(WAIT);
      CloseStatus closeB = b.awaitClose(WAIT);
      assertThat(closeA.code()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(closeB.code()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(hub.isShutdown()).isTrue();
    } finally {
      context.close();
    }
  }
}
