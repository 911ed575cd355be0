package dev.hubcast.bench;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Arrays;
import java.util.Locale;

/**
 * The soak's check that a sampled series (heap after GC, direct memory, threads, open file
 * descriptors) does not trend upward. The rule:
 *
 * <ol>
 *   <li>The warm-up is left out: samples taken in the first {@link #WARMUP_FRACTION} of the run.
 *   <li>What remains is smoothed by a running median of {@link #MEDIAN_WINDOW} samples (centred,
 *       shifted inward at the ends), so that one spike, or two in a row, leaves no trace. A short
 *       series (under {@link #SHORT_SERIES} samples: runs under 3 minutes) is smoothed over 3,
 *       which still takes out a single spike; over 5 it would be flat whatever it did.
 *   <li>A straight line is fitted to the smoothed samples by least squares.
 *   <li>Its slope times the run's length is the growth projected over the run. The series fails
 *       when that is more than its {@link Bound}: the larger of a fraction of the series' mean
 *       (after the warm-up) and a constant.
 * </ol>
 *
 * <p>A series that falls, or stays level with noise around it, passes. A step up (a pool that grows
 * once and stays) counts as a slope of about 1.5 times its height over the run when it is in the
 * middle; the constants are set above what a pool's single growth can add. Fewer than {@link
 * #MIN_SAMPLES} samples after the warm-up cannot be judged, and fail.
 *
 * <p>Stateless and thread-safe.
 */
final class Trend {
  /** The part of the run left out as warm-up. */
  static final double WARMUP_FRACTION = 0.2;

  /** The running median's width, in samples. */
  static final int MEDIAN_WINDOW = 5;

  /** Fewer samples than this after the warm-up (runs under 3 minutes) are smoothed over 3. */
  static final int SHORT_SERIES = 15;

  /** The fewest samples after the warm-up that a line is fitted to. */
  static final int MIN_SAMPLES = 3;

  private Trend() {}

  /**
   * How much a series may grow over the run: {@code max(fractionOfMean * mean, constant)}.
   *
   * @param fractionOfMean a share of the series' mean after the warm-up (0.1: 10%)
   * @param constant a floor, in the series' unit, for what sampling itself moves it by
   */
  record Bound(double fractionOfMean, double constant) {
    double of(double mean) {
      return Math.max(fractionOfMean * mean, constant);
    }

    String describe(String unit) {
      String c = format(constant, unit);
      return fractionOfMean > 0
          ? String.format(Locale.ROOT, "max(%.0f%% of mean, %s)", fractionOfMean * 100, c)
          : c;
    }
  }

  /**
   * One series' verdict. Values in the series' unit; {@code start} and {@code end} are the smoothed
   * series at the first and last sample after the warm-up; {@code growth} is the fitted slope times
   * the run's length.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Verdict(
      String series,
      String unit,
      int samples,
      double start,
      double end,
      double mean,
      double slopePerMinute,
      double growth,
      double bound,
      String rule,
      boolean passed) {

    /** One line for a report: start, end, slope, projected growth against the bound. */
    String line() {
      return String.format(
          Locale.ROOT,
          "%-14s %s: %s -> %s, slope %s/min, growth over the run %s (bound %s = %s), %d samples",
          series,
          passed ? "PASS" : "FAIL",
          format(start, unit),
          format(end, unit),
          formatSigned(slopePerMinute, unit),
          formatSigned(growth, unit),
          rule,
          format(bound, unit),
          samples);
    }
  }

  /**
   * Judges one series.
   *
   * @param seconds when each sample was taken, from the start of the run, rising
   * @param values the samples; negative ones (not measured) are left out
   * @param runSeconds the run's length
   */
  static Verdict check(
      String series,
      String unit,
      double[] seconds,
      double[] values,
      double runSeconds,
      Bound bound) {
    Fit fit = fit(seconds, values, runSeconds);
    String rule = bound.describe(unit);
    int n = fit.t().length;
    if (n < MIN_SAMPLES) {
      return new Verdict(
          series,
          unit,
          n,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          rule + "; too few samples after the warm-up",
          false);
    }
    double growth = fit.slope() * runSeconds;
    double limit = bound.of(fit.mean());
    return new Verdict(
        series,
        unit,
        n,
        fit.smooth()[0],
        fit.smooth()[n - 1],
        fit.mean(),
        fit.slope() * 60,
        growth,
        limit,
        rule,
        growth <= limit);
  }

  /**
   * The samples after the warm-up ({@code t}, {@code y}), smoothed ({@code smooth}), and the line
   * fitted to them: {@code intercept + slope * t}, slope per second. {@code mean} is the samples'.
   */
  record Fit(double[] t, double[] y, double[] smooth, double slope, double intercept, double mean) {
    double at(double seconds) {
      return intercept + slope * seconds;
    }
  }

  /** Steps 1 to 3 of the rule: leave out the warm-up, smooth, fit. */
  static Fit fit(double[] seconds, double[] values, double runSeconds) {
    if (seconds.length != values.length) {
      throw new IllegalArgumentException(seconds.length + " times, " + values.length + " values");
    }
    double from = WARMUP_FRACTION * runSeconds;
    int n = 0;
    double[] t = new double[values.length];
    double[] y = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      if (seconds[i] >= from && values[i] >= 0 && !Double.isNaN(values[i])) {
        t[n] = seconds[i];
        y[n] = values[i];
        n++;
      }
    }
    t = Arrays.copyOf(t, n);
    y = Arrays.copyOf(y, n);
    double[] smooth = runningMedian(y, n < SHORT_SERIES ? 3 : MEDIAN_WINDOW);
    double slope = slope(t, smooth);
    double tMean = Arrays.stream(t).average().orElse(0);
    double sMean = Arrays.stream(smooth).average().orElse(0);
    return new Fit(
        t, y, smooth, slope, sMean - slope * tMean, Arrays.stream(y).average().orElse(0));
  }

  /**
   * A running median of {@code width} (odd) samples, centred; near the ends the window keeps its
   * width and shifts inward, so that spikes at the first or last samples are taken out too.
   */
  static double[] runningMedian(double[] y, int width) {
    int w0 = Math.min(width, y.length);
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      int from = Math.max(0, Math.min(i - width / 2, y.length - w0));
      double[] w = Arrays.copyOfRange(y, from, from + w0);
      Arrays.sort(w);
      out[i] = w[w.length / 2];
    }
    return out;
  }

  /** The least-squares slope of {@code y} against {@code t}; 0 when all {@code t} are equal. */
  static double slope(double[] t, double[] y) {
    double tMean = Arrays.stream(t).average().orElse(0);
    double yMean = Arrays.stream(y).average().orElse(0);
    double num = 0;
    double den = 0;
    for (int i = 0; i < t.length; i++) {
      num += (t[i] - tMean) * (y[i] - yMean);
      den += (t[i] - tMean) * (t[i] - tMean);
    }
    return den == 0 ? 0 : num / den;
  }

  static String format(double v, String unit) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return unit.equals("bytes")
        ? String.format(Locale.ROOT, "%.2f MiB", v / (1024 * 1024))
        : String.format(Locale.ROOT, "%.1f %s", v, unit);
  }

  private static String formatSigned(double v, String unit) {
    String s = format(Math.abs(v), unit);
    return (v < 0 ? "-" : "+") + s;
  }
}
