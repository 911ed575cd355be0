package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.RateLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flooding, silence and half-open connections: a client over its rate limit is closed with 1008, a
 * silent one is pinged and then closed after the idle timeout, a TCP connection that never sends
 * its handshake is dropped after the handshake timeout. Not thread-safe: JUnit runs one test of an
 * instance at a time.
 *
 * <p>Run by the {@link HardeningKit}; needs a transport with sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public interface RateAndTimeLimitsContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("a client over its rate limit is closed with 1008; the others go on")
  default void overRateLimit_closes1008() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .policy(BroadcastPolicy.ALL)
                    .rateLimit(RateLimit.of(0.01, 5)));
    TestClient flooder = s.client();
    TestClient other = s.client();
    s.awaitConnections(2);

    for (int i = 0; i < 6; i++) {
      flooder.sendText("flood " + i);
    }

    int code = flooder.awaitClose(WAIT).code();
    assertThat(code).isEqualTo(CloseCodes.POLICY_VIOLATION);
    assertThat(s.hub().metrics().rateLimited()).isEqualTo(1);
    s.assertOthersUnaffected(other);
  }

  @Test
  @DisplayName("a silent client is pinged, then closed after the idle timeout")
  default void silentClient_pingedThenClosed() throws Exception {
    Duration idle = Duration.ofMillis(1200);
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().idleTimeout(idle).closeTimeout(Duration.ofSeconds(1)));
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
    RawWebSocket mute = s.tcp();
    long start = System.nanoTime();

    assertThat(mute.awaitEof(WAIT)).as("dropped by the server").isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(800 + 5000);
  }
}
