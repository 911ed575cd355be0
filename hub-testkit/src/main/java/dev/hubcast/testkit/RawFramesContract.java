package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HubConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames no well-behaved client sends, written on a raw socket: an absurd declared length, a
 * message in endless one-byte fragments, text that is not UTF-8. The server closes that connection
 * with the right code before reading what it need not, and the others go on. Not thread-safe: JUnit
 * runs one test of an instance at a time.
 *
 * <p>Run by the {@link HardeningKit}; needs a transport with sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public interface RawFramesContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("a declared frame length of 2^62 closes the connection with 1009 at once")
  default void hugeDeclaredLength_closes() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
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
}
