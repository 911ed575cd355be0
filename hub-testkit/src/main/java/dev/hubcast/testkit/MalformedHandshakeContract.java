package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unwelcome handshakes are refused before anything is registered, through the transport's own
 * client ({@link TestServer#connect}, which throws {@link HandshakeRefusedException} with the
 * status): look-alike origins 403, a refused token 401, one address past its cap 429, and the count
 * empties as its connections end. Malformed WebSocket upgrades are the {@link RawFramesContract}'s.
 * Not thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link HardeningKit}, on every transport.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public interface MalformedHandshakeContract {

  /** The fixture of the running test. */
  KitFixture kit();

  /** The status {@code connect} was refused with; fails the test if it was admitted. */
  private static int refusal(KitFixture.Served s, String query, Map<String, String> headers) {
    try {
      TestClient admitted = s.server().connect(query, headers);
      admitted.abort();
      throw new AssertionError("admitted: query " + query + ", headers " + headers);
    } catch (HandshakeRefusedException e) {
      return e.status();
    } catch (Exception e) {
      throw new AssertionError("connect failed: " + e, e);
    }
  }

  @Test
  @DisplayName("with an allow-list, look-alike, other-scheme, other-port and null origins get 403")
  default void lookAlikeOrigins_are403() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(HubConfig.textBuilder().originPolicy(OriginPolicy.allow("https://example.com")));

    for (String origin :
        List.of(
            "https://evil.com",
            "https://example.com.evil",
            "https://evilexample.com",
            "https://example.co",
            "http://example.com",
            "https://example.com:8443",
            "null")) {
      assertThat(refusal(s, "", Map.of("Origin", origin))).as("origin %s", origin).isEqualTo(403);
    }
    assertThat(s.hub().clients()).as("no connection registered").isEmpty();
    assertThat(s.hub().metrics().connectionsOpened()).isZero();
    s.connect("good", "", Map.of("Origin", "https://example.com"));
    assertThat(s.hub().metrics().refusedHandshakes()).isEqualTo(7);
  }

  @Test
  @DisplayName("per-address cap: the next handshake gets 429; the count empties as they close")
  default void perAddressCap_is429AndEmpties() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().maxConnectionsPerAddress(3));
    List<TestClient> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(s.client());
    }
    s.awaitConnections(3);

    assertThat(refusal(s, "", Map.of())).isEqualTo(429);
    for (TestClient c : three) {
      c.abort();
    }
    s.awaitConnections(0);
    for (int i = 0; i < 3; i++) {
      s.client();
    }
    s.awaitConnections(3);
  }

  @Test
  @DisplayName("a refused token gets 401 before the upgrade, and no connection is registered")
  default void refusedToken_is401() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .authenticator(
                        h ->
                            h.queryParam("token").orElse("").equals("s3cret")
                                ? AuthResult.user("ada")
                                : AuthResult.unauthorized("bad token")));

    assertThatThrownBy(() -> s.server().connect("token=wrong", Map.of()))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
    assertThat(s.hub().clients()).isEmpty();
    assertThat(s.hub().metrics().connectionsOpened()).isZero();
    s.connect("ada", "token=s3cret", Map.of());
    assertThat(s.find("ada").user()).contains("ada");
  }
}
