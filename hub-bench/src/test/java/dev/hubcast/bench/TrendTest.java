package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The soak's trend rule ({@link Trend}) on made-up series: level noise passes, steady growth past
 * the bound fails, spikes leave no trace, the warm-up is left out. Fast; runs in every build.
 */
class TrendTest {
  private static final double RUN = 1800; // 30 minutes
  private static final Trend.Bound TEN_PERCENT = new Trend.Bound(0.10, 0);

  /** Every 10 s from 5 s, as the soak samples: 180 in 30 minutes. */
  private static double[] times() {
    double[] t = new double[180];
    for (int i = 0; i < t.length; i++) {
      t[i] = 5 + 10 * i;
    }
    return t;
  }

  /** 100 plus noise of ±2, plus {@code perRun} spread evenly over the run. */
  private static double[] noisy(double perRun, long seed) {
    Random r = new Random(seed);
    double[] t = times();
    double[] y = new double[t.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = 100 + perRun * t[i] / RUN + (r.nextDouble() * 4 - 2);
    }
    return y;
  }

  private static Trend.Verdict check(double[] y) {
    return Trend.check("x", "units", times(), y, RUN, TEN_PERCENT);
  }

  @Test
  void levelSeries_withNoise_passes() {
    for (long seed = 0; seed < 20; seed++) {
      Trend.Verdict v = check(noisy(0, seed));
      assertThat(v.passed()).as(v.line()).isTrue();
      assertThat(Math.abs(v.growth())).isLessThan(2);
    }
  }

  @Test
  void steadyGrowth_pastTheBound_fails_andWithinIt_passes() {
    Trend.Verdict grows = check(noisy(15, 1)); // 15% over the run, bound 10% of the mean
    assertThat(grows.passed()).as(grows.line()).isFalse();
    assertThat(grows.growth()).isBetween(13.0, 17.0);
    assertThat(grows.slopePerMinute()).isBetween(13.0 / 30, 17.0 / 30);
    assertThat(grows.line()).contains("FAIL", "slope +0.", "bound max(10% of mean");

    Trend.Verdict within = check(noisy(5, 1));
    assertThat(within.passed()).as(within.line()).isTrue();
  }

  @Test
  void oneSpike_orTwoInARow_anywhere_leaveNoTrace() {
    for (int at : new int[] {40, 100, 178, 179}) {
      double[] y = noisy(0, 3);
      y[at] += 1000;
      Trend.Verdict v = check(y);
      assertThat(v.passed()).as("spike at %d: %s", at, v.line()).isTrue();

      double[] two = noisy(0, 4);
      two[at] += 1000;
      two[at - 1] += 1000;
      Trend.Verdict v2 = check(two);
      assertThat(v2.passed()).as("two spikes at %d: %s", at, v2.line()).isTrue();
    }
    // Without the running median, least squares alone fails on the last sample's spike.
    double[] y = noisy(0, 3);
    y[179] += 1000;
    double[] t = times();
    double[] after = Arrays.copyOfRange(y, 36, 180);
    double[] tAfter = Arrays.copyOfRange(t, 36, 180);
    assertThat(Trend.slope(tAfter, after) * RUN).isGreaterThan(10);
  }

  @Test
  void theWarmUp_isLeftOut() {
    double[] y = noisy(0, 5);
    double[] t = times();
    for (int i = 0; i < y.length; i++) {
      if (t[i] < 0.2 * RUN) {
        y[i] = 50 + 50 * t[i] / (0.2 * RUN); // a rise to the level, as the JIT and pools warm up
      }
    }
    Trend.Verdict v = check(y);
    assertThat(v.passed()).as(v.line()).isTrue();
    assertThat(v.samples()).isEqualTo(144);
  }

  @Test
  void aConstantFloor_coversSmallSeries() {
    double[] threads = new double[180];
    Arrays.fill(threads, 20);
    for (int i = 90; i < 180; i++) {
      threads[i] = 21; // one more pool thread from the middle on: a step of 1
    }
    Trend.Verdict v =
        Trend.check("threads", "threads", times(), threads, RUN, new Trend.Bound(0, 3));
    assertThat(v.passed()).as(v.line()).isTrue();

    double[] leak = new double[180];
    for (int i = 0; i < leak.length; i++) {
      leak[i] = 20 + i / 30; // one more every 5 minutes
    }
    Trend.Verdict l = Trend.check("threads", "threads", times(), leak, RUN, new Trend.Bound(0, 3));
    assertThat(l.passed()).as(l.line()).isFalse();
  }

  @Test
  void aShortRun_isStillJudged() {
    // 1 minute: samples at 5..55 s, five after the warm-up (12 s), smoothed over 3
    double[] t = {5, 15, 25, 35, 45, 55};
    Trend.Verdict level =
        Trend.check("x", "units", t, new double[] {50, 100, 101, 99, 100, 500}, 60, TEN_PERCENT);
    assertThat(level.passed()).as(level.line()).isTrue();
    Trend.Verdict grows =
        Trend.check("x", "units", t, new double[] {50, 100, 110, 120, 130, 140}, 60, TEN_PERCENT);
    assertThat(grows.passed()).as(grows.line()).isFalse();
  }

  @Test
  void tooFewSamples_fail() {
    Trend.Verdict v =
        Trend.check("x", "units", new double[] {5, 15}, new double[] {1, 1}, 20, TEN_PERCENT);
    assertThat(v.passed()).isFalse();
    assertThat(v.rule()).contains("too few samples");
  }

  @Test
  void runningMedian_keepsItsWidth_atTheEnds() {
    double[] y = {1, 1, 1, 9, 9};
    assertThat(Trend.runningMedian(y, 5)).containsExactly(1, 1, 1, 1, 1);
    assertThat(Trend.runningMedian(new double[] {3, 1, 2}, 5)).containsExactly(2, 2, 2);
  }
}
