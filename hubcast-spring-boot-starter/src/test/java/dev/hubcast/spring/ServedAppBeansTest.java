package dev.hubcast.spring;

import static dev.hubcast.spring.Sockets.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Authenticator;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The application's HubHandler, Authenticator and OriginPolicy beans are the hub's, on the embedded
 * server: refusals get their HTTP status before the upgrade.
 */
@SpringBootTest(classes = ServedAppBeansTest.App.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServedAppBeansTest {

  static final Map<String, String> TOKEN = Map.of("Authorization", "Bearer good");

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    HubHandler<String> echoToSender() {
      return new HubHandler<>() {
        @Override
        public void onMessage(Hub<String> hub, Client client, String message) {
          hub.send(client, "echo " + message + " from " + client.user().orElse("?"));
        }
      };
    }

    @Bean
    Authenticator bearer() {
      return handshake ->
          handshake
              .header("Authorization")
              .filter("Bearer good"::equals)
              .map(token -> AuthResult.user("alice"))
              .orElse(AuthResult.unauthorized("missing or unknown token"));
    }

    @Bean
    OriginPolicy origins() {
      return OriginPolicy.allow("https://good.example");
    }
  }

  @LocalServerPort int port;

  @Test
  void handlerBean_handlesMessages_asTheAuthenticatedUser() {
    try (JdkWebSocketClient a = Sockets.connect(port, "/ws", TOKEN)) {
      a.sendText("hi");

      assertThat(a.awaitText(WAIT)).isEqualTo("echo hi from alice");
    }
  }

  @Test
  void authenticatorBean_refusesWithoutToken_401() {
    assertThatThrownBy(() -> Sockets.connect(port, "/ws"))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void originPolicyBean_refusesAnotherOrigin_403() {
    assertThatThrownBy(
            () ->
                Sockets.connect(
                    port,
                    "/ws",
                    Map.of("Authorization", "Bearer good", "Origin", "https://evil.example")))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
  }

  @Test
  void originPolicyBean_letsItsOriginIn() {
    try (JdkWebSocketClient a =
        Sockets.connect(
            port,
            "/ws",
            Map.of("Authorization", "Bearer good", "Origin", "https://good.example"))) {
      a.sendText("ok");
      assertThat(a.awaitText(WAIT)).isEqualTo("echo ok from alice");
    }
  }
}
