package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HubConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSocket on the wire, written and read on a raw socket: frames no well-behaved client sends (an
 * absurd declared length, a message in endless one-byte fragments, text that is not UTF-8),
 * malformed upgrades, pings to a silent client and a TCP connection that never upgrades. The server
 * answers each with the right code or status before reading what it need not, and the others go on.
 * Not thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link HardeningKit}. Every test is WebSocket's own: on a transport that is not a
 * WebSocket on a socket ({@link TestServer#uri()} empty) each is skipped, saying so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public interface RawFramesContract {

  /** The fixture of the running test. */
  KitFixture kit();

  private static int statusOf(KitFixture.Served s, Map<String, String> headers, int filler)
      throws IOException {
    try (RawWebSocket raw = RawWebSocket.tcp(s.uri())) {
      return raw.handshake(s.uri(), headers, filler).status();
    }
  }

  @Test
  @DisplayName("a declared frame length of 2^62 closes the connection with 1009 at once")
  default void hugeDeclaredLength_closes() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    s.assumeWebSocket();
    Assumptions.assumeTrue(
        s.server().refusesByDeclaredLength(),
        () ->
            "needs a server that reads a frame's declared length, and "
                + s.server()
                + " sees payload bytes only (TestServer.refusesByDeclaredLength() is false)");
    TestClient other = s.client();
    RawWebSocket raw = s.raw();
    s.awaitConnections(2);

    raw.sendHeader(true, RawWebSocket.BINARY, 1L << 62);

    RawWebSocket.ServerFrame close = raw.awaitClose(WAIT);
    if (close != null) {
      assertThat(close.closeCode()).isIn(CloseCodes.MESSAGE_TOO_BIG, CloseCodes.PROTOCOL_ERROR);
    }
    s.awaitConnections(1);
    s.assertOthersUnaffected(other);
  }

  @Test
  @DisplayName("a message in endless one-byte fragments is closed with 1009 once over the limit")
  default void tinyFragments_closedOverLimit() throws Exception {
    int limit = 1024;
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).maxMessageBytes(limit));
    s.assumeWebSocket();
    TestClient other = s.client();
    RawWebSocket raw = s.raw();
    s.awaitConnections(2);

    try {
      raw.sendFrame(false, RawWebSocket.TEXT, new byte[] {'x'});
      for (int sent = 1; sent < 100_000; sent++) {
        raw.sendFrame(false, RawWebSocket.CONTINUATION, new byte[] {'x'});
      }
    } catch (IOException closedByServer) {
      // expected once the server has had enough
    }

    RawWebSocket.ServerFrame close = raw.awaitClose(WAIT);
    assertThat(close).as("a close frame").isNotNull();
    assertThat(close.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    assertThat(s.hub().metrics().framesIn()).isZero();
    s.awaitConnections(1);
    s.assertOthersUnaffected(other);
  }

  @Test
  @DisplayName("text that is not UTF-8 closes the connection with 1007")
  default void invalidUtf8_closes1007() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
    s.assumeWebSocket();
    TestClient other = s.client();
    RawWebSocket raw = s.raw();
    s.awaitConnections(2);

    raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});

    RawWebSocket.ServerFrame close = raw.awaitClose(WAIT);
    assertThat(close).isNotNull();
    assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    s.awaitConnections(1);
    s.assertOthersUnaffected(other);
  }

  @Test
  @DisplayName("2,000 headers, a bad version or a missing key get a 4xx; others are unaffected")
  default void malformedHandshakes_are4xx() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    s.assumeWebSocket();
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
  @DisplayName("a silent client is pinged, then closed after the idle timeout")
  default void silentClient_pingedThenClosed() throws Exception {
    Duration idle = Duration.ofMillis(1200);
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().idleTimeout(idle).closeTimeout(Duration.ofSeconds(1)));
    s.assumeWebSocket();
    RawWebSocket silent = s.raw();
    s.awaitConnections(1);
    long start = System.nanoTime();

    boolean pinged = false;
    RawWebSocket.ServerFrame f;
    while ((f = silent.readFrame(WAIT)) != null && f.opcode() != RawWebSocket.CLOSE) {
      pinged |= f.opcode() == RawWebSocket.PING;
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(pinged).as("pinged before the close").isTrue();
    assertThat(tookMillis).isBetween(idle.toMillis() / 2, idle.toMillis() + 5000);
    s.awaitConnections(0);
  }

  @Test
  @DisplayName("a TCP connection that never sends its handshake is dropped after the timeout")
  default void halfOpen_droppedAfterHandshakeTimeout() throws Exception {
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().handshakeTimeout(Duration.ofMillis(800)));
    s.assumeWebSocket();
    RawWebSocket mute = s.tcp();
    long start = System.nanoTime();

    assertThat(mute.awaitEof(WAIT)).as("dropped by the server").isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(800 + 5000);
  }
}
