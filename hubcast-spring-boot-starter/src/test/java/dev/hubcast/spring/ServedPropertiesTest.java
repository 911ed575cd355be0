package dev.hubcast.spring;

import static dev.hubcast.spring.Sockets.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HandshakeRefusedException;
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
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * {@code hubcast.*} properties take effect on the served hub, on the embedded server (Tomcat, and
 * Jetty in the "jetty" execution).
 */
@SpringBootTest(
    classes = ServedPropertiesTest.App.class,
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
      "hubcast.path=/chat",
      "hubcast.max-message-bytes=1024",
      "hubcast.policy=ALL_EXCEPT_SENDER",
      // The servlet upgrade on Tomcat, the Jakarta endpoint on Jetty.
      "hubcast.transport=auto"
    })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServedPropertiesTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Autowired HubcastEndpointInstaller installer;

  @Autowired WebServerApplicationContext context;

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

  @LocalServerPort int port;
  @Autowired Hub<String> hub;

  @Test
  void path_servesTheHubThere_andNotAtTheDefault() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/chat")) {
      assertThat(a.isClosed()).isFalse();
    }
    assertThatThrownBy(() -> Sockets.connect(port, "/ws"))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void maxMessageBytes_closesAnOversizeMessageWith1009() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/chat")) {
      a.sendText("x".repeat(1025));

      assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }
  }

  @Test
  void policy_allExceptSender_skipsTheSender() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/chat");
        JdkWebSocketClient b = Sockets.connect(port, "/chat")) {
      // the client's handshake can complete before the server has registered the connection
      await().atMost(WAIT).until(() -> hub.connectionCount() == 2);
      a.sendText("from a");
      assertThat(b.awaitText(WAIT)).isEqualTo("from a");

      b.sendText("from b");
      // FIFO per connection: had a received its own message, it would come first
      assertThat(a.awaitText(WAIT)).isEqualTo("from b");
    }
  }

  @Test
  void plainHttpRequest_isAnswered426() throws Exception {
    java.net.http.HttpResponse<String> response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/chat"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(426);
  }
}
