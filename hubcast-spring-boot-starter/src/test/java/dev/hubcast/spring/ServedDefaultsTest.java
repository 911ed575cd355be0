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

  /** hubcast.transport=auto: the servlet upgrade on Tomcat, the Jakarta endpoint on Jetty. */
  @Test
  void transport_isTheServletUpgradeOnTomcat_andTheJakartaEndpointElsewhere() {
    boolean tomcat =
        System.getProperty("hubcast.test.server", "TomcatWebServer").equals("TomcatWebServer");
    assertThat(installer.endpoints()).hasSize(1);
    assertThat(installer.endpoints().get(0).toString().contains("servlet upgrade"))
        .as("%s on %s", installer.endpoints().get(0), context.getWebServer())
        .isEqualTo(tomcat);
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
