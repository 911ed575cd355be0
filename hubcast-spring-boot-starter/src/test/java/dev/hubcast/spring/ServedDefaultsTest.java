package dev.hubcast.spring;

import static dev.hubcast.spring.Sockets.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.JdkWebSocketClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The starter with nothing but itself, on the embedded server (Tomcat, and Jetty in the "jetty"
 * execution): the hub at /ws with its defaults.
 */
@SpringBootTest(classes = ServedDefaultsTest.App.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServedDefaultsTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @LocalServerPort int port;
  @Autowired Hub<String> hub;
  @Autowired MeterRegistry registry;
  @Autowired WebServerApplicationContext context;

  /** TomcatWebServer, or JettyServletWebServer in the POM's "jetty" execution. */
  @Test
  void server_isTheOneThisExecutionRunsOn() {
    assertThat(context.getWebServer().getClass().getSimpleName())
        .isEqualTo(System.getProperty("hubcast.test.server", "TomcatWebServer"));
  }

  @Autowired HubcastEndpointInstaller installer;

  /** By default the container's Jakarta WebSocket implementation serves the hub. */
  @Test
  void transport_isTheJakartaEndpoint_byDefault() {
    assertThat(installer.endpoints()).hasSize(1);
    assertThat(installer.endpoints().get(0).toString())
        .as("on %s", context.getWebServer())
        .contains("Jakarta WebSocket");
  }

  @Test
  void message_fansOutToEveryClient_senderIncluded() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/ws");
        JdkWebSocketClient b = Sockets.connect(port, "/ws")) {
      await().atMost(WAIT).until(() -> hub.connectionCount() == 2);

      a.sendText("hello");

      assertThat(b.awaitText(WAIT)).isEqualTo("hello");
      assertThat(a.awaitText(WAIT)).isEqualTo("hello");
    }
  }

  @Test
  void meters_areBoundToTheRegistryBean() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/ws")) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(registry.get("hubcast.connections").gauge().value())
                      .isGreaterThanOrEqualTo(1));
      assertThat(registry.find("hubcast.connections.opened").functionCounter()).isNotNull();
    }
  }
}
