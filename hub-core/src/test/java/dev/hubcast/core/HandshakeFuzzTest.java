package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes what a handshake takes from the network before anything is registered: the query string
 * (percent-decoding, repeated and empty parameters), the headers, and the origin checks of every
 * policy, and the resume id of {@code Last-Event-ID}. Whatever the bytes, building the handshake
 * and asking it and the policies never throws, and a decoded parameter never holds more characters
 * than the query it came from.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/core/HandshakeFuzzTestInputs/}. To fuzz: {@code JAZZER_FUZZ=1 mvn
 * -pl hub-core test -Dtest=HandshakeFuzzTest}.
 */
class HandshakeFuzzTest {

  private static final OriginPolicy ALLOW = OriginPolicy.allow("https://chat.example:8443");

  @FuzzTest(maxDuration = "2m")
  void queryHeadersAndOrigin_neverThrow(FuzzedDataProvider data) {
    String query = data.consumeString(400);
    String origin = data.consumeString(200);
    String host = data.consumeString(100);
    String name = data.consumeString(20);
    Handshake h =
        Handshake.of(
            "/ws",
            query,
            Map.of("Origin", List.of(origin), "Host", List.of(host), "X-Any", List.of(name)),
            new InetSocketAddress("127.0.0.1", 1024));

    for (Map.Entry<String, List<String>> p : h.queryParams().entrySet()) {
      assertThat(p.getKey().length()).isLessThanOrEqualTo(query.length());
      p.getValue().forEach(v -> assertThat(v.length()).isLessThanOrEqualTo(query.length()));
    }
    h.queryParam(name);
    assertThat(h.origin()).hasValue(origin);
    OriginPolicy.sameOrigin().allows(h.origin(), h);
    ALLOW.allows(h.origin(), h);
    assertThat(OriginPolicy.any().allows(h.origin(), h)).isTrue();
    assertThat(h.withIdentity(null, name).user()).hasValue(name);
  }

  /**
   * The resume id a client sends back ({@code Last-Event-ID}): any text is a mark or not one, never
   * an exception, and a mark it reads writes back to text that reads as the same mark.
   */
  @FuzzTest(maxDuration = "2m")
  void lastEventId_isAMarkOrNot_neverThrows(FuzzedDataProvider data) {
    String id = data.consumeRemainingAsString();
    Handshake h =
        Handshake.of(
            "/sse",
            "",
            Map.of("Last-Event-ID", List.of(id)),
            new InetSocketAddress("127.0.0.1", 1024));

    h.lastEventMark()
        .ifPresent(
            mark -> {
              assertThat(mark.room()).isNotEmpty();
              assertThat(mark.position().seq()).isNotNegative();
              assertThat(RoomMark.parse(mark.toText())).isEqualTo(mark);
            });
  }
}
