package dev.hubcast.jakarta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub's admission runs in the filter, before the container upgrades: each refusal reaches the
 * client as the HTTP status the hub chose, on both containers, and nothing is registered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdmissionTest {

  enum Container {
    TOMCAT,
    JETTY_EE11
  }

  private Hub<String> hub;
  private Containers.Running server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (hub != null) {
      hub.shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
    }
  }

  private URI serve(Container container, HubConfig.Builder<String> config) throws Exception {
    hub = Hub.create(config.build());
    server = container == Container.TOMCAT ? Containers.tomcat(hub) : Containers.jetty(hub);
    return server.uri();
  }

  private void assertRefused(URI uri, Map<String, String> headers, int status) {
    assertThatThrownBy(() -> JdkWebSocketClient.connect(uri, headers))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(status));
  }

  private void assertNothingRegistered() {
    assertThat(hub.clients()).isEmpty();
    assertThat(server.endpoint().openConnections()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void plainHttpAtThePath_is426_andNothingIsRegistered(Container container) throws Exception {
    URI uri = serve(container, HubConfig.textBuilder());
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http" + uri.toString().substring(2))).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.headers().firstValue("Upgrade")).hasValue("websocket");
    assertNothingRegistered();
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void originNotAllowed_is403(Container container) throws Exception {
    URI uri =
        serve(
            container,
            HubConfig.textBuilder().originPolicy(OriginPolicy.allow("https://good.example")));

    assertRefused(uri, Map.of("Origin", "https://evil.example"), 403);

    assertNothingRegistered();
    assertThat(hub.metrics().refusedHandshakes()).isEqualTo(1);
    JdkWebSocketClient.connect(uri, Map.of("Origin", "https://good.example"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.clients().size() == 1);
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void authenticatorRefusal_isItsStatus(Container container) throws Exception {
    URI uri =
        serve(
            container,
            HubConfig.textBuilder()
                .authenticator(
                    h ->
                        switch (h.queryParam("token").orElse("")) {
                          case "s3cret" -> AuthResult.user("ada");
                          case "banned" -> AuthResult.forbidden("banned");
                          case "legal" -> AuthResult.refuse(451, "not here");
                          default -> AuthResult.unauthorized("token required");
                        }));

    assertRefused(uri, Map.of(), 401);
    assertRefused(URI.create(uri + "?token=banned"), Map.of(), 403);
    assertRefused(URI.create(uri + "?token=legal"), Map.of(), 451);

    assertNothingRegistered();
    JdkWebSocketClient.connect(URI.create(uri + "?token=s3cret"), Map.of());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.users().contains("ada"));
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void perAddressCap_is429(Container container) throws Exception {
    URI uri = serve(container, HubConfig.textBuilder().maxConnectionsPerAddress(1));
    JdkWebSocketClient.connect(uri, Map.of());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.clients().size() == 1);

    assertRefused(uri, Map.of(), 429);

    assertThat(hub.clients()).hasSize(1);
    assertThat(server.endpoint().openConnections()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void closedEndpoint_is503(Container container) throws Exception {
    URI uri = serve(container, HubConfig.textBuilder());
    JdkWebSocketClient.connect(uri, Map.of());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.clients().size() == 1);

    server.endpoint().close();

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.clients().isEmpty());
    assertRefused(uri, Map.of(), 503);
    assertNothingRegistered();
  }
}
