package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The soak (docs/testing.md), one adapter after the other, each for the minutes {@code
 * -Dhubcast.soak.minutes=N} gives (1-120; 30 is the documented run): 1,000 subscribers at half the
 * adapter's sustainable rate, churn, room moves and a stalled client every minute, against a server
 * in its own process. Heap after GC, direct memory, threads and open files must not trend upward
 * ({@link Trend}); nothing may be lost, no subscriber closed but by the load, and every stalled
 * client closed by the slow-consumer policy. The plot goes to {@code docs/img/soak-<adapter>.png}
 * for a run of 30 minutes or more, else to {@code target/soak/}.
 *
 * <p>Skipped without the flag: it takes minutes, and the project's test command stays within its
 * time without it. {@link Soak#run} ends both processes before it returns or throws, and bounds
 * every wait by the run's length; the timeout below is the longest flag's run plus its margins.
 */
class SoakTest {
  static final String FLAG = "hubcast.soak.minutes";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"netty", "jetty"})
  @Timeout(value = 130, unit = TimeUnit.MINUTES)
  void soak_noSeriesTrendsUpward_andNothingIsLost(String transport) throws Exception {
    String flag = System.getProperty(FLAG);
    assumeTrue(
        flag != null && !flag.isBlank(),
        "the soak runs only with -D"
            + FLAG
            + "=N (N minutes per adapter, 1-120; 30 for the documented run)");
    double minutes = Double.parseDouble(flag.trim());
    assertThat(minutes).as("-D" + FLAG).isBetween(1.0, 120.0);
    Path module = Path.of(System.getProperty("basedir", "."));
    Soak.Plan plan = Soak.Plan.of(transport, minutes, module.resolve("target/soak"));

    Soak.Result result = Soak.run(plan, System.out::println);
    Path png = SoakCommand.plot(plan, module.resolve("../docs"));
    SoakPlots.write(result, png);
    System.out.println("plot: " + png.normalize());

    assertThat(result.problems()).as(result.summary()).isEmpty();
  }
}
