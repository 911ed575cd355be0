package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.BrokenTransport.Fault;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kit tests itself: each {@link BrokenTransport} breaks one rule of the SPI, and the kit's "SPI
 * rules" group must fail on it within seconds, with a failure that names the rule; the same
 * transport unbroken, and the real in-memory transport, pass every rule. As Micrometer's
 * compatibility kit is tested, this runs in the normal build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KitSelfTest {
  private static final Logger log = LoggerFactory.getLogger(KitSelfTest.class);

  /** How soon a broken transport must fail the kit. */
  private static final Duration FAILS_WITHIN = Duration.ofSeconds(15);

  private static final Duration PER_TEST = Duration.ofSeconds(20);

  private static TransportCompatibilityKit kitOn(Fault fault) {
    return new TransportCompatibilityKit() {
      @Override
      protected TestServer start(Hub<String> hub) {
        return BrokenTransport.serve(hub, fault);
      }
    };
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void brokenTransport_failsTheKit_namingTheRule(Fault fault) {
    long start = System.nanoTime();

    List<KitRun.Outcome> outcomes =
        KitRun.rules(
            () -> kitOn(fault),
            o -> o.failed() && fault.named.matcher(o.description()).find(),
            PER_TEST);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    KitRun.Outcome last = outcomes.get(outcomes.size() - 1);
    log.info("{}: the kit failed in {} ms: {}", fault, took.toMillis(), last);
    assertThat(last.failed() && fault.named.matcher(last.description()).find())
        .as("a failure naming /%s/ among %s", fault.named, outcomes)
        .isTrue();
    assertThat(took).as("time for the kit to fail on %s", fault).isLessThan(FAILS_WITHIN);
  }

  @Test
  void unbrokenTransport_passesEveryRule() {
    List<KitRun.Outcome> outcomes = KitRun.rules(() -> kitOn(Fault.NONE), o -> false, PER_TEST);

    assertThat(outcomes).hasSize(KitRun.ruleTests().size());
    assertThat(outcomes).as("%s", outcomes).noneMatch(KitRun.Outcome::failed);
    assertThat(outcomes).noneMatch(KitRun.Outcome::skipped);
  }

  @Test
  void inMemoryTransport_passesEveryRule() {
    List<KitRun.Outcome> outcomes =
        KitRun.rules(
            () ->
                new TransportCompatibilityKit() {
                  @Override
                  protected TestServer start(Hub<String> hub) {
                    return InMemoryTransport.serve(hub);
                  }
                },
            o -> false,
            PER_TEST);

    assertThat(outcomes).as("%s", outcomes).noneMatch(KitRun.Outcome::failed);
  }
}
