package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake: what the transport hands the hub (path, query, headers, address) reaches the
 * connection, and the hub's refusals (401, 403, 503) reach the client as HTTP statuses before the
 * upgrade, with no connection registered. Not thread-safe: JUnit runs one test of an instance at a
 * time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}. Malformed handshakes are the {@link
 * MalformedHandshakeContract}'s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface HandshakeContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("the principal, user, query and headers reach the connection's handshake")
  default void handshakeData_reachConnection() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .policy(BroadcastPolicy.NONE)
                    .authenticator(
                        h ->
                            h.queryParam("user")
                                .map(u -> AuthResult.of((Principal) () -> u, u))
                                .orElse(AuthResult.anonymous())));
    s.connect("ada", "user=ada&x=1", Map.of("X-Test", "yes"));

    Client ada = s.find("ada");
    assertThat(ada.user()).contains("ada");
    assertThat(ada.handshake().principal()).map(Principal::getName).contains("ada");
    assertThat(ada.handshake().queryParam("x")).contains("1");
    assertThat(ada.handshake().header("x-test")).contains("yes");
    assertThat(ada.handshake().path()).isNotEmpty();
    assertThat(ada.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  @DisplayName("an authenticator's 401 and 403 reach the client before the upgrade")
  default void authenticatorRefusal_isHttpStatus() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .authenticator(
                        h -> {
                          String token = h.queryParam("token").orElse("");
                          if (token.isEmpty()) {
                            return AuthResult.unauthorized("token required");
                          }
                          return token.equals("good")
                              ? AuthResult.user("ada")
                              : AuthResult.forbidden("token not allowed");
                        }));

    assertThatThrownBy(() -> s.server().connect("tag=x", Map.of()))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
    assertThatThrownBy(() -> s.server().connect("tag=y&token=bad", Map.of()))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThat(s.hub().clients()).isEmpty();
    assertThat(s.hub().metrics().refusedHandshakes()).isEqualTo(2);

    s.connect("ok", "token=good", Map.of());
    assertThat(s.find("ok").user()).contains("ada");
  }

  @Test
  @DisplayName("an origin outside the allow-list gets 403; a listed one is admitted")
  default void originNotAllowed_is403() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .originPolicy(OriginPolicy.allow("https://chat.example.com")));

    for (String evil :
        List.of(
            "https://evil.example",
            "https://chat.example.com.evil",
            "http://chat.example.com",
            "https://chat.example.com:8443",
            "null")) {
      assertThatThrownBy(() -> s.server().connect("tag=evil", Map.of("Origin", evil)))
          .as("origin %s", evil)
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
    }
    assertThat(s.hub().clients()).isEmpty();

    s.connect("good", "", Map.of("Origin", "https://chat.example.com"));
    assertThat(s.hub().clients()).hasSize(1);
  }

  @Test
  @DisplayName("past maxConnections the next handshake is refused with 503")
  default void overCap_is503() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().maxConnections(2));
    s.connect("a");
    s.connect("b");

    assertThatThrownBy(() -> s.server().connect("tag=c", Map.of()))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(s.hub().clients()).hasSize(2);
  }
}
