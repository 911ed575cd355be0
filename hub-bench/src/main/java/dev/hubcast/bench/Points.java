package dev.hubcast.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the report reads a sweep's points: a rate's runs, whether the rate passed (most of its runs
 * did, the rule of {@code Sweep.runRate}), the run that stands for it (the median p99), and a
 * server's best passing rate. Shared by the tables ({@link Report}) and the plots ({@link Plots}).
 *
 * <p>Stateless and thread-safe.
 */
final class Points {
  private Points() {}

  /** The runs of each rate a server was measured at, by rising rate. */
  static List<List<Sweep.Point>> rates(List<Sweep.Point> points, String server, int subscribers) {
    Map<Double, List<Sweep.Point>> byRate = new TreeMap<>();
    points.stream()
        .filter(p -> p.server().equals(server) && p.subscribers() == subscribers)
        .forEach(p -> byRate.computeIfAbsent(p.rate(), r -> new ArrayList<>()).add(p));
    return List.copyOf(byRate.values());
  }

  /** A rate passes when most of its runs pass (see {@code Sweep.runRate}). */
  static boolean passes(List<Sweep.Point> runs) {
    long passed = runs.stream().filter(Sweep.Point::passes).count();
    return 2 * passed > runs.size();
  }

  /** A rate kept up when most of its runs kept up (the saturation rule, {@code Point.keepsUp}). */
  static boolean keepsUp(List<Sweep.Point> runs) {
    long kept = runs.stream().filter(Sweep.Point::keepsUp).count();
    return 2 * kept > runs.size();
  }

  /** The deliveries/s of a server's highest rate that kept up (median run), or 0 when none did. */
  static double saturation(List<Sweep.Point> points, String server, int subscribers) {
    return rates(points, server, subscribers).stream()
        .filter(Points::keepsUp)
        .map(runs -> median(runs.stream().filter(Sweep.Point::keepsUp).toList()))
        .mapToDouble(p -> p.load().deliveriesPerS())
        .max()
        .orElse(0);
  }

  /** The run with the median p99 (the lower middle one of an even count). */
  static Sweep.Point median(List<Sweep.Point> runs) {
    List<Sweep.Point> sorted =
        runs.stream()
            .sorted(
                Comparator.comparingDouble(
                    p -> Double.isNaN(p.load().p99Ms()) ? Double.MAX_VALUE : p.load().p99Ms()))
            .toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** The best passing point of a server at a subscriber count, or null. */
  static Sweep.Point best(List<Sweep.Point> points, String server, int subscribers) {
    return rates(points, server, subscribers).stream()
        .filter(Points::passes)
        .map(runs -> median(runs.stream().filter(Sweep.Point::passes).toList()))
        .max(Comparator.comparingDouble(p -> p.load().deliveriesPerS()))
        .orElse(null);
  }

  /** The deliveries/s of a server's best passing point, or 0 when none passed. */
  static double maxSustainable(List<Sweep.Point> points, String server, int subscribers) {
    Sweep.Point p = best(points, server, subscribers);
    return p == null ? 0 : p.load().deliveriesPerS();
  }

  /** The median run at a rate, or null. */
  static Sweep.Point at(List<Sweep.Point> points, String server, int subscribers, double rate) {
    List<Sweep.Point> runs =
        points.stream()
            .filter(p -> p.server().equals(server) && p.subscribers() == subscribers)
            .filter(p -> Math.abs(p.rate() - rate) < 1e-9)
            .toList();
    return runs.isEmpty() ? null : median(runs);
  }
}
