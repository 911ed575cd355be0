package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  @Test
  void query_isDecodedAndOrdered() {
    Handshake h = FakeConnection.handshake("127.0.0.1", "name=J%C3%BCrgen&a=1&a=2&flag", Map.of());

    assertThat(h.queryParam("name")).contains("Jürgen");
    assertThat(h.queryParams().get("a")).containsExactly("1", "2");
    assertThat(h.queryParam("flag")).contains("");
    assertThat(h.queryParam("missing")).isEmpty();
    assertThat(h.rawQuery()).startsWith("name=J%C3%BCrgen");
  }

  @Test
  void malformedEscape_staysAsSent() {
    Handshake h = FakeConnection.handshake("127.0.0.1", "x=%zz", Map.of());
    assertThat(h.queryParam("x")).contains("%zz");
  }

  @Test
  void headers_areCaseInsensitive() {
    Handshake h =
        FakeConnection.handshake(
            "127.0.0.1",
            null,
            Map.of("Origin", List.of("https://a"), "X-Multi", List.of("1", "2")));

    assertThat(h.origin()).contains("https://a");
    assertThat(h.header("origin")).contains("https://a");
    assertThat(h.headers().get("x-multi")).containsExactly("1", "2");
    assertThat(h.rawQuery()).isEmpty();
  }

  @Test
  void upgradeOnlyHeaders_areNotKept() {
    Handshake h =
        FakeConnection.handshake(
            "127.0.0.1",
            "",
            Map.of(
                "Upgrade", List.of("websocket"),
                "Connection", List.of("Upgrade"),
                "Sec-WebSocket-Key", List.of("dGhlIHNhbXBsZSBub25jZQ=="),
                "Sec-WebSocket-Version", List.of("13"),
                "Host", List.of("chat.example.com"),
                "Cookie", List.of("s=1")));

    assertThat(h.headers()).containsOnlyKeys("host", "cookie");
  }

  @Test
  void withIdentity_addsPrincipalAndUser() {
    Principal p = () -> "ada";
    Handshake h = FakeConnection.handshake("127.0.0.1", "", Map.of()).withIdentity(p, "ada");

    assertThat(h.principal()).contains(p);
    assertThat(h.user()).contains("ada");
  }

  @Test
  void toString_neverShowsHeadersOrQuery() {
    Handshake h =
        FakeConnection.handshake(
            "127.0.0.1", "token=s3cret", Map.of("Authorization", List.of("Bearer s3cret")));
    assertThat(h.toString()).doesNotContain("s3cret");
  }

  @Test
  void authResult_refusalsCarryStatus() {
    assertThat(AuthResult.unauthorized("no").status()).isEqualTo(401);
    assertThat(AuthResult.forbidden("no").status()).isEqualTo(403);
    assertThat(AuthResult.user("ada").isAccepted()).isTrue();
    assertThat(AuthResult.anonymous().user()).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuthResult.refuse(302, "x"))
        .hasMessage("status: 302 (expected: 400-499)");
  }
}
