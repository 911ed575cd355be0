package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.RateLimit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flooding: a client over its rate limit is closed with 1008, and the others go on. Silence and
 * half-open connections (pings, the handshake timeout) are WebSocket's, in the {@link
 * RawFramesContract}. Not thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link HardeningKit}, on every transport.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
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

    s.assertClosedWith(flooder, CloseCodes.POLICY_VIOLATION);
    assertThat(s.hub().metrics().rateLimited()).isEqualTo(1);
    s.assertOthersUnaffected(other);
  }
}
