package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed and unwelcome handshakes, written on a raw socket, are refused before the upgrade:
 * thousands of headers, a bad version or no key get a 4xx, look-alike origins 403, a refused token
 * 401, one address past its cap 429; no connection is registered and the others go on. Not
 * thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link HardeningKit}; needs a transport with sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public interface MalformedHandshakeContract {

  /** The fixture of the running test. */
  KitFixture kit();

  private static int statusOf(KitFixture.Served s, Map<String, String> headers, int filler)
      throws IOException {
    try (RawWebSocket raw = RawWebSocket.tcp(s.uri())) {
      return raw.handshake(s.uri(), headers, filler).status();
    }
  }

  @Test
  @DisplayName("2,000 headers, a bad version or a missing key get a 4xx; others are unaffected")
  default void malformedHandshakes_are4xx() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    TestClient other = s.client();
    s.awaitConnections(1);

    Map<String, String> many = RawWebSocket.standardHeaders(s.uri());
    Map<String, String> badVersion = RawWebSocket.standardHeaders(s.uri());
    badVersion.put("Sec-WebSocket-Version", "7");
    Map<String, String> noKey = RawWebSocket.standardHeaders(s.uri());
    noKey.remove("Sec-WebSocket-Key");

    int manyStatus = statusOf(s, many, 2000);
    assertThat(manyStatus == -1 || (manyStatus >= 400 && manyStatus < 500))
        .as("2,000 headers: status %d (4xx, or the connection dropped)", manyStatus)
        .isTrue();
    assertThat(statusOf(s, badVersion, 0)).isBetween(400, 499);
    assertThat(statusOf(s, noKey, 0)).isBetween(400, 499);
    assertThat(s.hub().clients()).hasSize(1);
    s.assertOthersUnaffected(other);
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
      Map<String, String> h = RawWebSocket.standardHeaders(s.uri());
      h.put("Origin", origin);
      assertThat(statusOf(s, h, 0)).as("origin %s", origin).isEqualTo(403);
    }
    assertThat(s.hub().clients()).as("no connection registered").isEmpty();
    Map<String, String> good = RawWebSocket.standardHeaders(s.uri());
    good.put("Origin", "https://example.com");
    assertThat(statusOf(s, good, 0)).isEqualTo(101);
    assertThat(s.hub().metrics().refusedHandshakes()).isEqualTo(7);
  }

  @Test
  @DisplayName("per-address cap: the next handshake gets 429; the count empties as they close")
  default void perAddressCap_is429AndEmpties() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().maxConnectionsPerAddress(3));
    List<RawWebSocket> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(s.raw());
    }
    s.awaitConnections(3);

    assertThat(statusOf(s, RawWebSocket.standardHeaders(s.uri()), 0)).isEqualTo(429);
    for (RawWebSocket r : three) {
      r.abort();
    }
    s.awaitConnections(0);
    for (int i = 0; i < 3; i++) {
      s.raw();
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
    URI withBadToken = URI.create(s.uri() + "?token=wrong");

    try (RawWebSocket raw = RawWebSocket.tcp(withBadToken)) {
      assertThat(raw.handshake(withBadToken, RawWebSocket.standardHeaders(s.uri()), 0).status())
          .isEqualTo(401);
    }
    assertThat(s.hub().clients()).isEmpty();
  }
}
