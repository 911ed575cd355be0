package dev.hubcast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes a sweep's results: the markdown section of {@code docs/benchmarks.md} between {@link
 * Sweep#BEGIN} and {@link Sweep#END} (how the sweep ran, the summaries, idle memory, two nodes,
 * then every point), and through {@link Plots} the PNG plots in {@code docs/img/}. Confined to the
 * sweep's thread.
 */
final class Report {
  private final Sweep.Plan plan;
  private final List<Sweep.Point> points; // one server process each
  private final List<Sweep.Point> crossPoints; // two nodes over Redis
  private final List<Sweep.Idle> idles;
  private final List<String> servers;
  private final List<Integer> subscriberCounts;
  private final String started;
  private final double minutes;
  private final String loadBefore;
  private final String loadAfter;
  private final List<String> notes;

  /**
   * A report; {@code notes} are lines on how the sweep ran (a server it skipped, the runtime of one
   * that is not a JVM).
   */
  Report(
      Sweep.Plan plan,
      List<Sweep.Point> points,
      List<Sweep.Idle> idles,
      String started,
      double minutes,
      String loadBefore,
      String loadAfter,
      List<String> notes) {
    this.notes = List.copyOf(notes);
    this.plan = plan;
    this.points = points.stream().filter(p -> p.nodes() == 1).toList();
    this.crossPoints = points.stream().filter(p -> p.nodes() > 1).toList();
    this.idles = idles;
    this.servers = plan.servers();
    this.subscriberCounts = plan.subscriberCounts();
    this.started = started;
    this.minutes = minutes;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
  }

  private static String times(int n) {
    return switch (n) {
      case 0 -> "not";
      case 1 -> "once";
      case 2 -> "twice";
      default -> n + " times";
    };
  }

  private double maxSustainable(String server, int subscribers) {
    return Points.maxSustainable(points, server, subscribers);
  }

  void write(Path docs) throws Exception {
    Path img = docs.resolve("img");
    Files.createDirectories(img);
    if (!points.isEmpty()) {
      new Plots(points, servers, subscriberCounts).write(img);
    }
    Path md = docs.resolve("benchmarks.md");
    String section = markdown();
    String before = "# Benchmarks\n\n";
    String after = "";
    if (Files.exists(md)) {
      String old = Files.readString(md);
      int b = old.indexOf(Sweep.BEGIN);
      int e = old.indexOf(Sweep.END);
      if (b >= 0 && e > b) {
        before = old.substring(0, b);
        after = old.substring(e + Sweep.END.length());
      } else {
        before = old.endsWith("\n") ? old + "\n" : old + "\n\n";
      }
    }
    Files.writeString(md, before + Sweep.BEGIN + "\n" + section + Sweep.END + after);
  }

  private String markdown() throws Exception {
    StringBuilder sb = new StringBuilder();
    sb.append("\n### How this sweep ran\n\n");
    sb.append("- Started ").append(started).append(", took ");
    sb.append(String.format(Locale.ROOT, "%.1f", minutes)).append(" minutes.\n");
    sb.append("- Machine: ").append(Machine.describe()).append(".\n");
    sb.append("- Load average (1, 5, 15 min) before: `")
        .append(first3(loadBefore))
        .append("`, after: `")
        .append(first3(loadAfter))
        .append("`.\n");
    sb.append("- Pinning: ").append(plan.pinning()).append(" (`taskset`).\n");
    sb.append(otherCpu());
    sb.append("- Server JVM options `")
        .append(String.join(" ", plan.serverJvm()))
        .append("`, load generator `")
        .append(String.join(" ", plan.loadJvm()))
        .append(
            "`; both otherwise JDK defaults (on one CPU the JVM picks the Serial collector).\n");
    for (String note : notes) {
      sb.append("- ").append(note).append(".\n");
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "- Each point: %s s warmup, then %s s measured; one publisher, 64-byte text"
                + " messages, policy `all`; a point passes when p99 ≤ %.0f ms and ≥ %.1f%%"
                + " of the deliveries arrive. Rates double until a point fails, then the"
                + " gap is bisected geometrically (%s at 1,000 subscribers, %s elsewhere);"
                + " the server is restarted after a failing run.\n",
            Sweep.fmt(plan.warmup()),
            Sweep.fmt(plan.duration()),
            Sweep.P99_LIMIT_MS,
            Sweep.DELIVERED_LIMIT * 100,
            times(plan.bisections()),
            times(Math.min(1, plan.bisections()))));
    if (plan.repeats() > 1) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- At 1,000 subscribers a rate is not failed on one run: this VM now and then"
                  + " stalls a process for 100 ms or more, which fails a run that the same"
                  + " server passes when run again. A failed run is run again, up to %d runs in"
                  + " all, and the rate passes when most of its runs pass; a first run that"
                  + " passes is kept, as a stall can only add latency. The first rate (25 msg/s,"
                  + " the latency target) is run %d times whatever happens. Every run is in the"
                  + " tables below (`run`); where a rate has several runs, its figures in the"
                  + " summaries and plots are those of the run with the median p99.\n",
              plan.repeats(),
              plan.repeats()));
    }
    sb.append("\nThe command:\n\n```\n").append(plan.commandLine()).append("\n```\n\n");
    sb.append("and the commands it ran for each point, for example:\n\n```\n");
    if (!points.isEmpty()) {
      sb.append(points.get(0).serverCommand()).append('\n');
      sb.append(points.get(0).loadCommand()).append('\n');
    }
    sb.append("```\n");

    if (subscriberCounts.contains(1000)) {
      saturation(sb);
    }

    sb.append("\n### Max sustainable deliveries/s\n\n");
    sb.append(
        "Deliveries per second to the subscribers at the best passing rate (p99 ≤ 50 ms:"
            + " tail-sensitive, as one stall of this VM fails a point; kept for continuity).\n\n");
    sb.append("| server |");
    for (int s : subscriberCounts) {
      sb.append(String.format(Locale.ROOT, " %,d subscribers |", s));
    }
    sb.append("\n|---|");
    sb.append("---:|".repeat(subscriberCounts.size())).append('\n');
    for (String server : servers) {
      sb.append("| `").append(server).append("` |");
      for (int s : subscriberCounts) {
        double m = maxSustainable(server, s);
        sb.append(m == 0 ? " none passed |" : String.format(Locale.ROOT, " %,.0f |", m));
      }
      sb.append('\n');
    }
    for (String baseline : List.of("naive-jetty", "naive-tomcat")) {
      double base = maxSustainable(baseline, 1000);
      if (subscriberCounts.contains(1000) && servers.contains(baseline) && base > 0) {
        sb.append("\nAt 1,000 subscribers, against `").append(baseline).append("`: ");
        List<String> parts = new ArrayList<>();
        for (String server : servers) {
          parts.add(
              String.format(
                  Locale.ROOT, "`%s` %.2f×", server, maxSustainable(server, 1000) / base));
        }
        sb.append(String.join(", ", parts)).append(".\n");
      }
    }
    sb.append(
        "\n![p99 against offered deliveries/s, 1,000 subscribers](img/p99-vs-offered-1000.png)\n");
    sb.append(
        "\n![max sustainable deliveries/s against subscribers](img/throughput-vs-subscribers.png)\n");
    for (int s : subscriberCounts) {
      if (s != 1000) {
        sb.append(
            String.format(
                Locale.ROOT,
                "\n![p99 against offered deliveries/s, %,d subscribers](img/p99-vs-offered-%d.png)\n",
                s,
                s));
      }
    }

    if (!idles.isEmpty()) {
      sb.append("\n### Idle memory per connection\n\n");
      Sweep.Idle first = idles.get(0);
      sb.append(
          String.format(
              Locale.ROOT,
              "Heap used after a full GC (`System.gc()` twice) plus direct memory (the JDK's"
                  + " `direct` buffer pool, plus Netty's own counter when it allocates outside"
                  + " it), at %,d and %,d idle connections; the slope between them is the cost"
                  + " of one more connection.\n\n",
              first.counts().get(0),
              first.counts().get(first.counts().size() - 1)));
      sb.append(
          "| server | heap+direct at first count | heap+direct at second count | per connection"
              + " (heap + direct) | heap only | direct only | RSS per connection |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
      for (Sweep.Idle idle : idles) {
        ServerSample a = idle.samples().get(0);
        ServerSample b = idle.samples().get(idle.samples().size() - 1);
        double ta = a.heapUsed() + a.directTotal();
        double tb = b.heapUsed() + b.directTotal();
        double per =
            (tb - ta) / (idle.counts().get(idle.counts().size() - 1) - idle.counts().get(0));
        sb.append(
            String.format(
                Locale.ROOT,
                "| `%s` | %s | %s | **%s** | %s | %s | %s |\n",
                idle.server(),
                megabytes(ta),
                megabytes(tb),
                bytes(per),
                bytes(idle.bytesPerConnection(ServerSample::heapUsed)),
                bytes(idle.bytesPerConnection(ServerSample::directTotal) + 0.0),
                bytes(idle.bytesPerConnection(ServerSample::rss))));
      }
    }

    if (!crossPoints.isEmpty()) {
      crossNode(sb);
    }

    sb.append("\n### Every point\n\n");
    sb.append(
        "Offered and delivered are deliveries/s to the subscribers; CPU is cores used during the"
            + " measured window (each process's own CPU time, user and system); the server's CPU"
            + " and heap allocation per delivery are over the same window (allocation from"
            + " `ThreadMXBean.getTotalThreadAllocatedBytes`); other CPU is what the rest of the"
            + " machine used meanwhile; RSS is the server's after the point.\n");
    for (int s : subscriberCounts) {
      sb.append(String.format(Locale.ROOT, "\n#### %,d subscribers\n\n", s));
      sb.append(
          "| server | msg/s | run | offered/s | delivered/s | p50 ms | p99 ms | p99.9 ms | max ms |"
              + " delivered | reordered | disconnects | server CPU | server µs CPU per delivery"
              + " | server B alloc. per delivery | loadgen CPU | other CPU | server RSS | pass |\n");
      sb.append(
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
              + "---:|---|\n");
      for (String server : servers) {
        points.stream()
            .filter(p -> p.server().equals(server) && p.subscribers() == s)
            .sorted(Comparator.comparingDouble(Sweep.Point::rate))
            .forEach(
                p ->
                    sb.append(
                        String.format(
                            Locale.ROOT,
                            "| `%s` | %s | %d | %,.0f | %,.0f | %s | %s | %s | %s | %.4f%% | %.0f |"
                                + " %.0f | %.2f | %.2f | %s | %.2f | %s | %.0f MB | %s |\n",
                            server,
                            Sweep.fmt(p.rate()),
                            p.run(),
                            p.rate() * s,
                            orZero(p.load().deliveriesPerS()),
                            ms(p.load().p50Ms()),
                            ms(p.load().p99Ms()),
                            ms(p.load().p999Ms()),
                            ms(p.load().maxMs()),
                            p.load().deliveredRatio() * 100,
                            orZero(p.load().reordered()),
                            orZero(p.load().disconnects()),
                            p.serverCpuCores(),
                            orZero(p.serverCpuCores() * 1e6 / p.load().deliveriesPerS()),
                            allocated(p.serverAllocatedPerDelivery()),
                            orZero(p.load().loadgenCpuCores()),
                            cores(p.otherCpuCores()),
                            p.serverRss() / 1e6,
                            p.passes() ? "yes" : "**no**")));
      }
    }
    return sb.toString();
  }

  /** The two-node section: each server as two nodes over Redis against itself on one. */
  /** Fixed rates at which the lead table gives CPU per delivery, in deliveries/s. */
  private static final int[] FIXED_RATES = {25_000, 100_000, 200_000};

  /**
   * The lead table at 1,000 subscribers: the saturation rate, CPU per delivery at fixed rates and
   * the latency at 25 msg/s, each with its spread where a rate ran more than once.
   */
  private void saturation(StringBuilder sb) {
    sb.append("\n### Saturation and cost per delivery, 1,000 subscribers\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "Saturation: the highest rate the server kept up with (p99 ≤ %.0f ms and ≥ %.1f%%"
                + " delivered: its backlog did not grow), found by doubling and bisecting past"
                + " the 50 ms search. CPU per delivery is the server's process CPU time over the"
                + " deliveries, at fixed rates; a range is the spread over the runs of that rate."
                + " Latency at 25 msg/s is reported, not used as a pass mark.\n\n",
            Sweep.SATURATION_P99_MS,
            Sweep.DELIVERED_LIMIT * 100));
    sb.append("| server | saturation deliveries/s |");
    for (int r : FIXED_RATES) {
      sb.append(String.format(Locale.ROOT, " µs CPU per delivery at %,d/s |", r));
    }
    sb.append(" p50 / p99 ms at 25 msg/s |\n|---|---:|");
    sb.append("---:|".repeat(FIXED_RATES.length)).append("---:|\n");
    for (String server : servers) {
      double saturation = Points.saturation(points, server, 1000);
      sb.append("| `").append(server).append("` | ");
      sb.append(saturation == 0 ? "none kept up" : String.format(Locale.ROOT, "%,.0f", saturation));
      sb.append(" |");
      for (int r : FIXED_RATES) {
        List<Sweep.Point> runs = runsAt(server, r / 1000.0);
        sb.append(' ')
            .append(spread(runs, p -> p.serverCpuCores() * 1e6 / p.load().deliveriesPerS(), "%.2f"))
            .append(" |");
      }
      List<Sweep.Point> low = runsAt(server, Sweep.startRate(1000));
      sb.append(' ')
          .append(spread(low, p -> p.load().p50Ms(), "%.1f"))
          .append(" / ")
          .append(spread(low, p -> p.load().p99Ms(), "%.1f"))
          .append(" |\n");
    }
  }

  private List<Sweep.Point> runsAt(String server, double rate) {
    return points.stream()
        .filter(p -> p.server().equals(server) && p.nodes() == 1 && p.subscribers() == 1000)
        .filter(p -> Math.abs(p.rate() - rate) < 1e-9)
        .filter(p -> p.load().deliveriesPerS() > 0)
        .toList();
  }

  /** "a" or "a–b" over {@code runs}, or "–" for none. */
  private static String spread(
      List<Sweep.Point> runs, java.util.function.ToDoubleFunction<Sweep.Point> f, String format) {
    if (runs.isEmpty()) {
      return "–";
    }
    double min = runs.stream().mapToDouble(f).min().orElseThrow();
    double max = runs.stream().mapToDouble(f).max().orElseThrow();
    String a = String.format(Locale.ROOT, format, min);
    String b = String.format(Locale.ROOT, format, max);
    return a.equals(b) ? a : a + "–" + b;
  }

  private void crossNode(StringBuilder sb) {
    Sweep.Point first = crossPoints.get(0);
    int subscribers = first.subscribers();
    int nodes = first.nodes();
    List<String> crossServers = crossPoints.stream().map(Sweep.Point::server).distinct().toList();
    sb.append("\n### Two nodes over Redis\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "Each server below ran as %d processes, nodes of one hub sharing a `redis-server`"
                + " (`--redis`, `RedisBackplane`), all of them on the server's CPU, against"
                + " %,d subscribers split evenly across the nodes, the publisher on the first:"
                + " every message is published once to Redis, and half the deliveries cross it."
                + " Same steps and pass rule as above; the server CPU is the nodes' together,"
                + " Redis's is apart; the one-node figures are the relay to all above. The"
                + " commands of a point:\n\n```\n%s\n%s\n```\n\n",
            nodes,
            subscribers,
            first.serverCommand(),
            first.loadCommand()));
    sb.append(crossNodeMode(plan.crossNodeRoomHistory())).append("\n\n");
    sb.append(
        "| server | max sustainable deliveries/s, one node | two nodes | two ÷ one |"
            + " p50 / p99 ms at the first rate, one node | two nodes | p99 added |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (String server : crossServers) {
      double one = maxSustainable(server, subscribers);
      Sweep.Point bestTwo = Points.best(crossPoints, server, subscribers);
      double two = bestTwo == null ? 0 : bestTwo.load().deliveriesPerS();
      double rate = Sweep.startRate(subscribers);
      Sweep.Point lowOne = Points.at(points, server, subscribers, rate);
      Sweep.Point lowTwo = Points.at(crossPoints, server, subscribers, rate);
      sb.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %s | %s | %s | %s | %s | %s |\n",
              server,
              one == 0 ? "none passed" : String.format(Locale.ROOT, "%,.0f", one),
              two == 0 ? "none passed" : String.format(Locale.ROOT, "%,.0f", two),
              one > 0 && two > 0 ? String.format(Locale.ROOT, "**%.0f%%**", two / one * 100) : "–",
              lowOne == null ? "–" : ms(lowOne.load().p50Ms()) + " / " + ms(lowOne.load().p99Ms()),
              lowTwo == null ? "–" : ms(lowTwo.load().p50Ms()) + " / " + ms(lowTwo.load().p99Ms()),
              lowOne == null || lowTwo == null
                  ? "–"
                  : String.format(
                      Locale.ROOT, "**%+.2f ms**", lowTwo.load().p99Ms() - lowOne.load().p99Ms())));
    }
    sb.append(
        "\nEvery two-node point; p99 by node separates the deliveries that stayed on the"
            + " publisher's node from those that crossed Redis.\n\n");
    sb.append(
        "| server | msg/s | run | offered/s | delivered/s | p50 ms | p99 ms | p99 ms, publisher's"
            + " node | p99 ms, other node | delivered | reordered | disconnects | servers CPU |"
            + " Redis CPU | other CPU | pass |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (String server : crossServers) {
      crossPoints.stream()
          .filter(p -> p.server().equals(server))
          .sorted(Comparator.comparingDouble(Sweep.Point::rate))
          .forEach(
              p ->
                  sb.append(
                      String.format(
                          Locale.ROOT,
                          "| `%s` ×%d | %s | %d | %,.0f | %,.0f | %s | %s | %s | %s | %.4f%% |"
                              + " %.0f | %.0f | %.2f | %.2f | %s | %s |\n",
                          server,
                          p.nodes(),
                          Sweep.fmt(p.rate()),
                          p.run(),
                          p.rate() * p.subscribers(),
                          orZero(p.load().deliveriesPerS()),
                          ms(p.load().p50Ms()),
                          ms(p.load().p99Ms()),
                          ms(p.load().nodeP99Ms(0)),
                          ms(p.load().nodeP99Ms(1)),
                          p.load().deliveredRatio() * 100,
                          orZero(p.load().reordered()),
                          orZero(p.load().disconnects()),
                          orZero(p.serverCpuCores()),
                          orZero(p.redisCpuCores()),
                          cores(p.otherCpuCores()),
                          p.passes() ? "yes" : "**no**")));
    }
  }

  /**
   * A line on what other processes used during the measured windows (the machine's CPU time less
   * the sweep's own processes'), or nothing when it is not known.
   */
  private String otherCpu() {
    List<Double> other =
        java.util.stream.Stream.concat(points.stream(), crossPoints.stream())
            .map(Sweep.Point::otherCpuCores)
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toList();
    if (other.isEmpty()) {
      return "";
    }
    long over = other.stream().filter(v -> v >= 0.1).count();
    return String.format(
        Locale.ROOT,
        "- Other processes (the machine's CPU time less the servers', Redis's, the load"
            + " generator's and the sweep's) used a median %.2f and at most %.2f cores during the"
            + " measured windows; %d of %d points had 0.1 core or more taken from them (column"
            + " `other CPU` below).\n",
        other.get((other.size() - 1) / 2),
        other.get(other.size() - 1),
        over,
        other.size());
  }

  /** What the two-node servers ran: the relay to all, or a room and how much it keeps. */
  static String crossNodeMode(Integer roomHistory) {
    if (roomHistory == null) {
      return "**Mode: relay to all** (`BroadcastPolicy.ALL`, `Target.all`): no room, so nothing is"
          + " numbered or kept; one `PUBLISH` per message.";
    }
    String mode =
        String.format(
            Locale.ROOT,
            "**Mode: one room, history %,d** (`--cross-node-room-history %d`, each node `server"
                + " --room-history %d`): every connection joins one room as it opens and every"
                + " message is broadcast to it (`Target.room`); one Lua script in Redis numbers it"
                + " (the room's hash: `HGET`, `HSET`, `PEXPIRE`)",
            roomHistory,
            roomHistory,
            roomHistory);
    if (roomHistory == 0) {
      return mode
          + " and publishes it, with no stream (`RedisBackplane.builder(redis).history(0)`,"
          + " `historySize(0)`). A node delivers a message once Redis has numbered it.";
    }
    return mode
        + String.format(
            Locale.ROOT,
            ", appends it to the room's stream (`XADD MAXLEN = %d`, `PEXPIRE`) and publishes it"
                + " (`RedisBackplane.builder(redis).history(%d)`); each hub keeps the same %,d in"
                + " memory (`historySize(%d)`). A node delivers a message once Redis has stored"
                + " it.",
            roomHistory,
            roomHistory,
            roomHistory,
            roomHistory);
  }

  private static String first3(String loadavg) {
    String[] f = loadavg.split(" ");
    return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : loadavg;
  }

  private static String cores(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ms(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** Bytes per delivery; "–" for a server that does not count them (NaN), 0 for no delivery. */
  private static String allocated(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", orZero(v));
  }

  private static String megabytes(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f MB", v / 1e6);
  }

  private static String bytes(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f B", v);
  }

  private static double orZero(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
  }
}
