package dev.hubcast.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code soak} command: {@link Soak} for each transport in turn, a plot of each, and exit
 * status 1 when any failed. The same as {@code SoakTest} with {@code -Dhubcast.soak.minutes=N}.
 *
 * <p>Runs on the main thread.
 */
@Command(
    name = "soak",
    sortOptions = false,
    description = {
      "Each adapter for N minutes at half its sustainable rate: 1,000 subscribers, churn, room"
          + " moves and a stalled client every minute; heap after GC, direct memory, threads and"
          + " open files sampled every 10 s, and none may trend upward (docs/testing.md).",
      "",
      "Writes WORK/soak-<transport>.json and .csv files, and the plot soak-<transport>.png into"
          + " DOCS/img for a run of 30 minutes or more, into WORK otherwise. Run it on a quiet"
          + " machine.",
      ""
    })
final class SoakCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--minutes",
      defaultValue = "30",
      paramLabel = "N",
      description = "Minutes per adapter, 1-120 (default: ${DEFAULT-VALUE}).")
  private double minutes;

  @Option(
      names = "--transports",
      defaultValue = "netty,jetty",
      paramLabel = "LIST",
      description = "Adapters, in turn (default: ${DEFAULT-VALUE}).")
  private String transports;

  @Option(
      names = "--docs",
      defaultValue = "docs",
      paramLabel = "DIR",
      description =
          "Where img/soak-<transport>.png goes after a run of 30 minutes or more"
              + " (default: ${DEFAULT-VALUE}).")
  private Path docs;

  @Option(
      names = "--work",
      defaultValue = "hub-bench/target/soak",
      paramLabel = "DIR",
      description =
          "Samples, results, logs; the plots of shorter runs (default: ${DEFAULT-VALUE}).")
  private Path work;

  @Option(
      names = "--no-pin",
      description = "Do not pin the server to CPU 1 and the load to CPU 0 with taskset.")
  private boolean noPin;

  @Option(
      names = "--from",
      paramLabel = "JSON",
      split = ",",
      description =
          "Run nothing: judge saved runs (WORK/soak-<transport>.json) again by this build's rule"
              + " and bounds, and plot them; writes soak-<transport>-rejudged.* beside each.")
  private List<Path> from;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  private boolean help;

  /** The plans, one per transport, from the options. */
  List<Soak.Plan> plans() {
    if (!(minutes >= 1 && minutes <= 120)) {
      throw Options.bad(spec, "--minutes", Sweep.fmt(minutes), "1-120");
    }
    List<Soak.Plan> plans = new ArrayList<>();
    for (String t : transports.split(",")) {
      String name = t.trim();
      if (!name.equals("netty") && !name.equals("jetty")) {
        throw Options.bad(spec, "--transports", '"' + name + '"', "netty and/or jetty");
      }
      plans.add(Soak.Plan.of(name, minutes, work).pinned(!noPin));
    }
    return plans;
  }

  /** Where a run's plot goes. */
  static Path plot(Soak.Plan plan, Path docs) {
    Path dir = plan.minutes() >= 30 ? docs.resolve("img") : plan.work();
    return dir.resolve("soak-" + plan.transport() + ".png");
  }

  @Override
  public Integer call() throws Exception {
    if (from != null) {
      boolean passed = true;
      for (Path json : from) {
        Soak.Result r = Soak.rejudge(json);
        System.out.println(r.summary());
        Path png = plot(r.plan(), docs);
        SoakPlots.write(r, png);
        System.out.println("plot: " + png);
        passed &= r.passed();
      }
      return passed ? 0 : 1;
    }
    boolean passed = true;
    for (Soak.Plan plan : plans()) {
      Soak.Result r = Soak.run(plan, System.out::println);
      Path png = plot(plan, docs);
      SoakPlots.write(r, png);
      System.out.println("plot: " + png);
      passed &= r.passed();
    }
    return passed ? 0 : 1;
  }
}
