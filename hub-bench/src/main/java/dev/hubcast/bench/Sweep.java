package dev.hubcast.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The {@code sweep}: every server against 100, 1,000 and 10,000 subscribers at rising rates, each
 * server in a child process (and, unless {@code --no-pin}, on its own core), until the p99 latency
 * passes 50 ms or fewer than 99.9% of the deliveries arrive; at 1,000 subscribers on, to the
 * saturation rate, past which the server no longer keeps up (p99 over 250 ms, or deliveries lost);
 * then the idle memory per connection of each server. This class is the search for the rates;
 * {@link Launcher} starts the processes, {@link Report} and {@link Plots} write the tables and the
 * exact commands into {@code docs/benchmarks.md} (between markers, so the hand-written text around
 * them stays) and the plots into {@code docs/img/}.
 *
 * <p>Runs on the calling thread; one child process at a time besides the load generator.
 */
final class Sweep {

  static final String BEGIN = "<!-- sweep:begin (written by `hub-bench.jar sweep`) -->";
  static final String END = "<!-- sweep:end -->";
  static final double P99_LIMIT_MS = 50;
  static final double DELIVERED_LIMIT = 0.999;

  /**
   * The saturation rule's p99 bound: a server keeps up with a rate when its backlog does not grow,
   * so its p99 stays bounded (here, 250 ms) and ≥ 99.9% of the deliveries arrive. Less sensitive to
   * this VM's stalls than the 50 ms rule, which a stall of 100 ms fails on its own.
   */
  static final double SATURATION_P99_MS = 250;

  /**
   * What to run, from the {@code sweep} command's options (see {@link SweepCommand}).
   *
   * @param crossNodeRoomHistory {@code null}: the two-node servers relay to all; else they relay
   *     through one room that keeps this many broadcasts ({@code server --room-history})
   * @param pin whether to pin the servers and the load generator to their CPUs with {@code taskset}
   * @param commandLine the command as the report shows it
   */
  record Plan(
      List<String> servers,
      List<Integer> subscriberCounts,
      double warmup,
      double duration,
      int bisections,
      int repeats,
      int maxSteps,
      List<Integer> idleCounts,
      List<String> crossNode,
      Integer crossNodeRoomHistory,
      boolean serverMetrics,
      boolean pin,
      String serverCpu,
      String loadCpu,
      List<String> serverJvm,
      List<String> loadJvm,
      String redisServer,
      Path docs,
      Path work,
      String commandLine) {

    /** How the processes were pinned, for the report. */
    String pinning() {
      return pin ? "server on CPU " + serverCpu + ", load generator on CPU " + loadCpu : "none";
    }

    /** This plan with only {@code servers}, for those of its servers that can run here. */
    Plan withServers(List<String> servers) {
      return new Plan(
          List.copyOf(servers),
          subscriberCounts,
          warmup,
          duration,
          bisections,
          repeats,
          maxSteps,
          idleCounts,
          crossNode,
          crossNodeRoomHistory,
          serverMetrics,
          pin,
          serverCpu,
          loadCpu,
          serverJvm,
          loadJvm,
          redisServer,
          docs,
          work,
          commandLine);
    }

    /** How the two-node servers relay, in a file name: {@code -room1000}, or nothing. */
    String crossNodeMode() {
      return crossNodeRoomHistory == null ? "" : "-room" + crossNodeRoomHistory;
    }
  }

  /**
   * One measured load: a point of the sweep, also a line of {@code points.jsonl}. {@code nodes} is
   * 1 for one server process, 2 for two nodes of one hub over Redis (subscribers split across them,
   * the publisher on the first); the server figures are then both nodes' together, and Redis's CPU
   * is apart. {@code otherCpuCores} is what every other process on the machine used during the
   * measured window (all CPU time less the servers', Redis's, the load generator's and the sweep's
   * own): on a shared machine, the share of the cores the point did not have.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({
    "server",
    "nodes",
    "subscribers",
    "rate",
    "run",
    "server_cpu_cores",
    "server_allocated_per_delivery",
    "server_rss",
    "server_heap",
    "redis_cpu_cores",
    "other_cpu_cores",
    "passes",
    "keeps_up",
    "load"
  })
  record Point(
      String server,
      int nodes,
      int subscribers,
      double rate,
      int run,
      LoadSummary load,
      double serverCpuCores,
      double serverAllocatedPerDelivery,
      long serverRss,
      long serverHeap,
      double redisCpuCores,
      double otherCpuCores,
      @JsonIgnore String loadCommand,
      @JsonIgnore String serverCommand) {

    @JsonProperty("passes")
    boolean passes() {
      return load.p99Ms() <= P99_LIMIT_MS && load.deliveredRatio() >= DELIVERED_LIMIT;
    }

    /** Whether the server kept up: the saturation rule (p99 ≤ 250 ms, ≥ 99.9% delivered). */
    @JsonProperty("keeps_up")
    boolean keepsUp() {
      return load.p99Ms() <= SATURATION_P99_MS && load.deliveredRatio() >= DELIVERED_LIMIT;
    }
  }

  /** Idle memory of one server at two connection counts. */
  record Idle(String server, List<Integer> counts, List<ServerSample> samples) {
    double bytesPerConnection(ToDoubleFunction<ServerSample> figure) {
      int n = counts.size() - 1;
      double dm = figure.applyAsDouble(samples.get(n)) - figure.applyAsDouble(samples.get(0));
      return dm / (counts.get(n) - counts.get(0));
    }
  }

  private Plan plan; // less the servers that cannot run here, once run() has looked
  private final Launcher launcher;
  private final List<Point> points = new ArrayList<>();
  private final List<Idle> idles = new ArrayList<>();
  private Deployment deployment; // the servers under test, between runs of one sweepOne

  Sweep(Plan plan) {
    this(plan, new Launcher(plan));
  }

  Sweep(Plan plan, Launcher launcher) {
    this.plan = plan;
    this.launcher = launcher;
  }

  /**
   * Gets every server ready ({@link Launcher#prepare}: {@code uws} needs {@code node}, and installs
   * itself once) and leaves out, with a line in the log and in the report, those that cannot run
   * here. Returns those lines.
   */
  List<String> prepare() {
    List<String> ready = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (String server : plan.servers()) {
      String skipped = launcher.prepare(server);
      if (skipped == null) {
        ready.add(server);
      } else {
        log(skipped);
        notes.add(skipped);
      }
    }
    plan = plan.withServers(ready);
    if (ready.stream().anyMatch(s -> SweepServer.of(s).transport.node())) {
      notes.add(
          "`uws` is not a JVM: Node.js "
              + launcher.nodeVersion()
              + " (`node --expose-gc`), "
              + UwsServer.PACKAGE
              + "@"
              + UwsServer.VERSION
              + "; its heap is V8's, and it has no heap allocation count (–)");
    }
    return notes;
  }

  /** What this sweep runs: after {@link #prepare}, only the servers that can run here. */
  Plan plan() {
    return plan;
  }

  void run() throws Exception {
    Files.createDirectories(plan.work().resolve("logs"));
    List<String> notes = prepare();
    String started = now();
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    long t0 = System.nanoTime();
    List<Integer> subscriberCounts = plan.subscriberCounts();
    log(
        "sweep: servers "
            + plan.servers()
            + ", subscribers "
            + subscriberCounts
            + ", load "
            + loadBefore);
    for (int subscribers : subscriberCounts) {
      for (String server : plan.servers()) {
        sweepOne(server, 1, subscribers);
      }
    }
    if (!subscriberCounts.isEmpty()) {
      int crossSubscribers = subscriberCounts.contains(1000) ? 1000 : subscriberCounts.get(0);
      for (String server : plan.crossNode()) {
        sweepOne(server, 2, crossSubscribers);
      }
    }
    if (!plan.idleCounts().isEmpty()) {
      for (String server : plan.servers()) {
        idles.add(idleMemory(server));
      }
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    double minutes = (System.nanoTime() - t0) / 60e9;
    new Report(plan, points, idles, started, minutes, loadBefore, loadAfter, notes)
        .write(plan.docs());
    Files.writeString(
        plan.work().resolve("points.jsonl"),
        points.stream().map(Json::write).collect(Collectors.joining("\n")) + "\n");
    log(String.format(Locale.ROOT, "sweep: done in %.1f min; wrote %s", minutes, plan.docs()));
  }

  /** The first rate for a subscriber count: 25 msg/s at 1,000, else 25,000 deliveries/s. */
  static double startRate(int subscribers) {
    if (subscribers == 1000) {
      return 25;
    }
    return Math.max(1, 25_000.0 / subscribers);
  }

  private void sweepOne(String server, int nodes, int subscribers) throws Exception {
    double rate = startRate(subscribers);
    double lastPass = -1;
    double firstFail = -1;
    try {
      for (int step = 0; step < plan.maxSteps(); step++) {
        if (runRate(server, nodes, subscribers, rate)) {
          lastPass = rate;
          if (firstFail > 0) {
            break; // stepped down below a failure: found the bracket
          }
          rate *= 2;
        } else {
          firstFail = rate;
          if (lastPass > 0) {
            break;
          }
          rate /= 4; // even the first rate failed: look lower
          if (rate * subscribers < 1000) {
            break;
          }
        }
      }
      // Finer at 1,000 subscribers, where the targets compare servers.
      int steps = subscribers == 1000 ? plan.bisections() : Math.min(1, plan.bisections());
      for (int i = 0; i < steps && lastPass > 0 && firstFail > 0; i++) {
        double mid = Math.sqrt(lastPass * firstFail);
        if (runRate(server, nodes, subscribers, mid)) {
          lastPass = mid;
        } else {
          firstFail = mid;
        }
      }
      if (subscribers == 1000 && nodes == 1) {
        saturate(server, subscribers);
      }
    } finally {
      if (deployment != null) {
        deployment.close();
        deployment = null;
      }
    }
  }

  /**
   * Finds the saturation rate, the highest at which the server keeps up ({@link Point#keepsUp}),
   * going on from the rates the 50 ms search ran: doubling from the highest that kept up until one
   * does not, then bisecting as that search does. A rate measured already is not run again.
   */
  private void saturate(String server, int subscribers) throws Exception {
    double kept = -1;
    double lost = -1;
    for (List<Point> runs : Points.rates(points, server, subscribers)) {
      double rate = runs.get(0).rate();
      if (Points.keepsUp(runs)) {
        kept = Math.max(kept, rate);
      } else if (rate > kept && (lost < 0 || rate < lost)) {
        lost = rate;
      }
    }
    if (kept < 0) {
      return; // not even the first rate kept up
    }
    if (lost >= 0 && lost < kept) {
      lost = -1; // a fluke below a rate that kept up: look above
    }
    double rate = kept * 2;
    for (int step = 0; step < plan.maxSteps() && lost < 0; step++, rate *= 2) {
      if (runRate(server, 1, subscribers, rate, Point::keepsUp)) {
        kept = rate;
      } else {
        lost = rate;
      }
    }
    for (int i = 0; i < plan.bisections() && lost > 0; i++) {
      double mid = Math.sqrt(kept * lost);
      if (runRate(server, 1, subscribers, mid, Point::keepsUp)) {
        kept = mid;
      } else {
        lost = mid;
      }
    }
  }

  private boolean runRate(String server, int nodes, int subscribers, double rate) throws Exception {
    return runRate(server, nodes, subscribers, rate, Point::passes);
  }

  /**
   * Runs one rate and says whether it passes {@code rule}; every run is a point. At 1,000
   * subscribers (where the targets compare servers) one run is not trusted to fail: this VM
   * sometimes stalls a process for 100 ms or more, which fails a run that the same server passes
   * again and again. A failed run is run up to {@code repeats - 1} more times and the rate passes
   * when most of its runs pass; a passing first run is accepted, as a stall can only add latency.
   * The first rate is run {@code repeats} times whatever happens, so that the latency reported for
   * it is a median. The server is restarted after every failed run.
   */
  private boolean runRate(
      String server, int nodes, int subscribers, double rate, Predicate<Point> rule)
      throws Exception {
    int runs = subscribers == 1000 ? plan.repeats() : 1;
    boolean all = runs > 1 && rate == startRate(subscribers);
    int passed = 0;
    int failed = 0;
    for (int run = 1; run <= runs; run++) {
      if (deployment == null) {
        deployment = launcher.deploy(server, nodes);
      }
      if (rule.test(measure(deployment, server, subscribers, rate, run))) {
        passed++;
      } else {
        failed++;
        deployment.close();
        deployment = null;
      }
      if (!all && (passed > failed || 2 * failed > runs)) {
        break; // a pass, or a majority of failures: settled
      }
    }
    return passed > failed;
  }

  private Point measure(Deployment sp, String server, int subscribers, double rate, int run)
      throws Exception {
    int nodes = sp.nodes.size();
    String name = nodes == 1 ? server : server + "-x" + nodes + plan.crossNodeMode();
    Path json =
        plan.work()
            .resolve(
                String.format(Locale.ROOT, "%s-%d-%.3f-%d.json", name, subscribers, rate, run)
                    .replace(",", "."));
    List<String> args =
        new ArrayList<>(
            List.of(
                "load",
                "--url",
                sp.urls(),
                "--subscribers",
                Integer.toString(subscribers),
                "--publishers",
                "1",
                "--rate",
                fmt(rate),
                "--size",
                "64",
                "--warmup",
                fmt(plan.warmup()),
                "--duration",
                fmt(plan.duration()),
                "--json",
                json.toString()));
    log(
        String.format(
            Locale.ROOT,
            "  %-11s %6d subscribers x %9s msg/s (%s deliveries/s offered)%s",
            name,
            subscribers,
            fmt(rate),
            fmt(rate * subscribers),
            run > 1 ? ", run " + run : ""));
    Process load = launcher.startLoad(args);
    ServerSample atStart = ServerSample.UNKNOWN;
    ServerSample atEnd = ServerSample.UNKNOWN;
    long wallStart = 0;
    long wallEnd = 0;
    long busyStart = 0;
    long busyEnd = 0;
    long ownStart = 0;
    long ownEnd = 0;
    String resultLine = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (line.equals("MEASURE_START")) {
          wallStart = System.nanoTime();
          busyStart = Machine.busyNanos();
          ownStart = ownCpuNanos(load);
          atStart = sp.sample(false);
        } else if (line.equals("MEASURE_END")) {
          wallEnd = System.nanoTime();
          busyEnd = Machine.busyNanos();
          ownEnd = ownCpuNanos(load);
          atEnd = sp.sample(false);
        } else if (line.startsWith("RESULT ")) {
          resultLine = line;
        }
      }
    }
    int status = load.waitFor();
    Files.write(launcher.log(json.getFileName() + ".log"), output);
    ServerSample after = sp.sample(false);
    LoadSummary result;
    double delivered;
    if (status != 0 || resultLine == null || !Files.exists(json)) {
      log("    load failed (status " + status + "): " + tail(output));
      result = LoadSummary.failed(tail(output));
      delivered = Double.NaN;
    } else {
      result = Json.read(Files.readString(json), LoadSummary.class);
      delivered = result.delivered();
      log("    " + resultLine);
    }
    double wall = wallEnd - wallStart;
    double redisCpu = nodes > 1 ? atEnd.redisCpuNs() - atStart.redisCpuNs() : 0;
    double otherCpu =
        busyStart < 0 || busyEnd < 0
            ? Double.NaN
            : (busyEnd - busyStart)
                - (atEnd.cpuNs() - atStart.cpuNs())
                - redisCpu
                - (ownEnd - ownStart);
    Point p =
        new Point(
            server,
            nodes,
            subscribers,
            rate,
            run,
            result,
            wall > 0 ? (atEnd.cpuNs() - atStart.cpuNs()) / wall : Double.NaN,
            (atEnd.allocatedBytes() - atStart.allocatedBytes()) / delivered,
            (long) after.rss(),
            (long) after.heapUsed(),
            wall > 0 ? (atEnd.redisCpuNs() - atStart.redisCpuNs()) / wall : Double.NaN,
            wall > 0 ? Math.max(0, otherCpu / wall) : Double.NaN,
            launcher.loadDisplay(args),
            sp.display);
    points.add(p);
    return p;
  }

  /** The CPU time of the load generator and of this process (the sweep), from {@code /proc}. */
  private static long ownCpuNanos(Process load) {
    return Math.max(0, Deployment.cpuNanos(load.pid()))
        + Math.max(0, Deployment.cpuNanos(ProcessHandle.current().pid()));
  }

  private static String tail(List<String> lines) {
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private Idle idleMemory(String server) throws Exception {
    List<Integer> counts = plan.idleCounts();
    log("  idle memory: " + server + " at " + counts + " connections");
    List<ServerSample> samples = new ArrayList<>();
    List<Process> loads = new ArrayList<>();
    ServerProcess sp = launcher.startServer(server, null, null);
    try {
      int connected = 0;
      for (int count : counts) {
        int more = count - connected;
        Process load =
            launcher.startLoad(
                List.of(
                    "load",
                    "--url",
                    sp.url,
                    "--subscribers",
                    Integer.toString(more),
                    "--publishers",
                    "0",
                    "--rate",
                    "0",
                    "--warmup",
                    "0",
                    "--duration",
                    "600",
                    "--json",
                    plan.work().resolve("idle-" + server + "-" + count + ".json").toString()));
        loads.add(load);
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("CONNECTED")) {
          // wait for every connection
        }
        if (line == null) {
          throw new IllegalStateException("idle load for " + server + " ended before connecting");
        }
        Thread daemonDrain = new Thread(() -> drain(r), "drain-idle-load");
        daemonDrain.setDaemon(true);
        daemonDrain.start();
        connected = count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ServerSample s = ServerSample.of(sp.stats(false));
        while (s.connections() < count && System.nanoTime() < deadline) {
          Thread.sleep(200);
          s = ServerSample.of(sp.stats(false));
        }
        Thread.sleep(1000); // let handshake garbage and buffers settle
        s = ServerSample.of(sp.stats(true));
        log(
            String.format(
                Locale.ROOT,
                "    %d connections: heap %.1f MB, direct %.1f MB, rss %.1f MB",
                (long) s.connections(),
                s.heapUsed() / 1e6,
                s.directTotal() / 1e6,
                s.rss() / 1e6));
        samples.add(s);
      }
    } finally {
      for (Process p : loads) {
        p.destroy();
      }
      for (Process p : loads) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
      sp.close();
    }
    return new Idle(server, counts, samples);
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // discard
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  static String fmt(double v) {
    if (v == Math.rint(v)) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
  }

  private static String now() {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
        .format(Instant.now().atOffset(ZoneOffset.UTC));
  }

  private static void log(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
