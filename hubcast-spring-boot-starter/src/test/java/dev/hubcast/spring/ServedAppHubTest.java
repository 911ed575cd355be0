package dev.hubcast.spring;

import static dev.hubcast.spring.Sockets.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/** An application's own Hub bean: the auto-configuration makes none, and serves that one. */
@SpringBootTest(classes = ServedAppHubTest.App.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServedAppHubTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Hub<String> myHub() {
      return Hub.create(
          HubConfig.textBuilder()
              .nodeId("mine")
              .handler(
                  new HubHandler<>() {
                    @Override
                    public void onMessage(Hub<String> hub, Client client, String message) {
                      hub.send(client, hub.nodeId() + ": " + message);
                    }
                  })
              .build());
    }
  }

  @LocalServerPort int port;
  @Autowired ApplicationContext context;

  @Test
  void appHub_isTheOnlyHub() {
    assertThat(context.getBeanNamesForType(Hub.class)).containsExactly("myHub");
  }

  @Test
  void appHub_isServed() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/ws")) {
      a.sendText("hi");

      assertThat(a.awaitText(WAIT)).isEqualTo("mine: hi");
    }
  }
}
