package dev.hubcast.testkit;

import dev.hubcast.core.SlowConsumerPolicy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control: a client that stops reading backs its sends up into the hub's outbox, which stays
 * within its limit while the dropping policies drop and count; the readers beside it get
 * everything, in order. Closing a stalled client ({@code DISCONNECT}) among many readers is the
 * {@link FaultsUnderLoadContract}'s. Not thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface FlowControlContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("DROP_NEWEST: the stalled client stays, within its limit; drops are counted")
  default void dropNewest_boundedAndCounted() throws Exception {
    SlowConsumers.checkDropping(kit(), SlowConsumerPolicy.DROP_NEWEST);
  }

  @Test
  @DisplayName("DROP_OLDEST: the stalled client stays, within its limit; drops are counted")
  default void dropOldest_boundedAndCounted() throws Exception {
    SlowConsumers.checkDropping(kit(), SlowConsumerPolicy.DROP_OLDEST);
  }
}
