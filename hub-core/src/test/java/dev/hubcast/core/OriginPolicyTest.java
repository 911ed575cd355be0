package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {

  private static Handshake withHost(String host) {
    return FakeConnection.handshake("127.0.0.1", "", Map.of("Host", List.of(host)));
  }

  @Test
  void sameOrigin_acceptsPageFromThisServer() {
    OriginPolicy p = OriginPolicy.sameOrigin();

    assertThat(
            p.allows(
                Optional.of("http://chat.example.com:8080"), withHost("chat.example.com:8080")))
        .isTrue();
    assertThat(p.allows(Optional.of("https://chat.example.com"), withHost("CHAT.example.com")))
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://evil.example:8080",
        "http://chat.example.com.evil:8080",
        "http://chat.example.com:9090",
        "null",
        "not a url",
        "http://chat.example.com:8080/path"
      })
  void sameOrigin_refusesOtherOrigins(String origin) {
    assertThat(
            OriginPolicy.sameOrigin()
                .allows(Optional.of(origin), withHost("chat.example.com:8080")))
        .isFalse();
  }

  @Test
  void everyPolicy_letsHandshakesWithoutOriginThrough() {
    Handshake h = withHost("x");
    assertThat(OriginPolicy.sameOrigin().allows(Optional.empty(), h)).isTrue();
    assertThat(OriginPolicy.allow("https://a.example").allows(Optional.empty(), h)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://example.com.evil",
        "https://evil.com",
        "http://example.com",
        "https://example.com:8443",
        "https://sub.example.com",
        "https://xexample.com",
        "null",
        ""
      })
  void allowList_refusesEverythingElse(String origin) {
    assertThat(OriginPolicy.allow("https://example.com").allows(Optional.of(origin), withHost("x")))
        .isFalse();
  }

  @Test
  void allowList_normalisesCaseAndDefaultPort() {
    OriginPolicy p = OriginPolicy.allow("https://Example.com");
    assertThat(p.allows(Optional.of("https://EXAMPLE.com:443"), withHost("x"))).isTrue();
    assertThat(p.allows(Optional.of("https://example.com"), withHost("x"))).isTrue();
  }

  @Test
  void allowList_refusesMalformedEntries() {
    assertThatThrownBy(() -> OriginPolicy.allow("example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("origin: \"example.com\"");
    assertThatThrownBy(() -> OriginPolicy.allow("https://example.com/app"))
        .hasMessageContaining("no path");
  }

  @Test
  void any_allowsEvenNull() {
    assertThat(OriginPolicy.any().allows(Optional.of("null"), withHost("x"))).isTrue();
  }
}
