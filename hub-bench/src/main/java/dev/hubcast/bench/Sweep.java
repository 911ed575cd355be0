package dev.hubcast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@code sweep} command: every server against 100, 1,000 and 10,000 subscribers at rising
 * rates, each server in a child process (and, with {@code --pin}, on its own core), until the p99
 * latency passes 50 ms or fewer than 99.9% of the deliveries arrive; then the idle memory per
 * connection of each server. Writes the tables and the exact commands into {@code
 * docs/benchmarks.md} (between markers, so the hand-written text around them stays) and the plots
 * into {@code docs/img/}.
 *
 * <p>Runs on the calling thread; one child process at a time besides the load generator.
 */
final class Sweep {

  static final String BEGIN = "<!-- sweep:begin (written by `hub-bench.jar sweep`) -->";
  static final String END = "<!-- sweep:end -->";
  static final double P99_LIMIT_MS = 50;
  static final double DELIVERED_LIMIT = 0.999;

  private final List<String> servers;
  private final List<Integer> subscriberCounts;
  private final double warmup;
  private final double duration;
  private final int bisections;
  private final int repeats;
  private final int maxSteps;
  private final boolean pin;
  private final List<Integer> idleCounts;
  private final List<String> crossNode;
  private final String redisServer;
  private final Path docs;
  private final Path work;
  private final String serverCpu;
  private final String loadCpu;
  private final List<String> jvmServer;
  private final List<String> jvmLoad;
  private final String commandLine;
  private final List<Point> points = new ArrayList<>();
  private final List<Idle> idles = new ArrayList<>();
  private Deployment deployment; // the servers under test, between runs of one sweepOne
  private int nextPort = 19000 + (int) (ProcessHandle.current().pid() % 1000) * 10;

  private Sweep(Args a, String commandLine) {
    boolean quick = a.flag("quick");
    this.servers = List.of(a.string("servers", "netty,jetty,naive-netty,naive-jetty").split(","));
    for (String s : servers) {
      BenchServer.Transport.of(s);
    }
    String subs = a.string("subscribers", quick ? "10,100" : "100,1000,10000");
    this.subscriberCounts =
        subs.equals("none")
            ? List.of()
            : Arrays.stream(subs.split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .collect(Collectors.toList());
    this.warmup = a.decimal("warmup", quick ? 1 : 4, 0);
    this.duration = a.decimal("duration", quick ? 2 : 8, 0.5);
    this.bisections = a.integer("bisections", quick ? 0 : 3, 0);
    this.repeats = a.integer("repeats", quick ? 1 : 3, 1);
    this.maxSteps = a.integer("max-steps", quick ? 2 : 12, 1);
    this.pin = !a.flag("no-pin") && Runtime.getRuntime().availableProcessors() >= 2;
    String idle = a.string("idle", quick ? "50,100" : "5000,10000");
    this.idleCounts =
        idle.equals("none")
            ? List.of()
            : Arrays.stream(idle.split(",")).map(String::trim).map(Integer::parseInt).toList();
    String cross = a.string("cross-node", quick ? "none" : "netty,jetty");
    this.crossNode = cross.equals("none") ? List.of() : List.of(cross.split(","));
    for (String s : crossNode) {
      if (!s.equals("netty") && !s.equals("jetty")) {
        throw new IllegalArgumentException(
            "sweep: --cross-node: \"" + s + "\" (expected: netty, jetty or none)");
      }
    }
    this.redisServer = a.string("redis-server", "redis-server");
    this.docs = Path.of(a.string("docs", "docs"));
    this.work = Path.of(a.string("work", "hub-bench/target/sweep"));
    this.serverCpu = a.string("server-cpu", "1");
    this.loadCpu = a.string("load-cpu", "0");
    this.jvmServer = List.of(a.string("server-jvm", "-Xmx2g").split(" "));
    this.jvmLoad = List.of(a.string("load-jvm", "-Xmx2g").split(" "));
    this.commandLine = commandLine;
  }

  static void main(String[] args) throws Exception {
    Args a =
        Args.parse(
            "sweep",
            args,
            Set.of(
                "servers",
                "subscribers",
                "warmup",
                "duration",
                "bisections",
                "repeats",
                "max-steps",
                "idle",
                "docs",
                "work",
                "server-cpu",
                "load-cpu",
                "server-jvm",
                "load-jvm",
                "cross-node",
                "redis-server"),
            Set.of("quick", "no-pin"));
    String line = "java -jar hub-bench/target/hub-bench.jar sweep " + String.join(" ", args);
    new Sweep(a, line.trim()).run();
  }

  /**
   * One measured load: a point of the sweep. {@code nodes} is 1 for one server process, 2 for two
   * nodes of one hub over Redis (subscribers split across them, the publisher on the first); the
   * server figures are then both nodes' together, and Redis's CPU is apart.
   */
  record Point(
      String server,
      int nodes,
      int subscribers,
      double rate,
      int run,
      Map<String, Object> load,
      double serverCpuCores,
      double serverAllocatedPerDelivery,
      long serverRss,
      long serverHeap,
      double redisCpuCores,
      String loadCommand,
      String serverCommand) {

    double num(String key) {
      Object v = load.get(key);
      return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }

    boolean passes() {
      return num("p99_ms") <= P99_LIMIT_MS && num("delivered_ratio") >= DELIVERED_LIMIT;
    }
  }

  /** Idle memory of one server at two connection counts. */
  record Idle(String server, List<Integer> counts, List<Map<String, Object>> stats) {
    double bytesPerConnection(String key) {
      int n = counts.size() - 1;
      double dm = num(stats.get(n), key) - num(stats.get(0), key);
      return dm / (counts.get(n) - counts.get(0));
    }

    static double num(Map<String, Object> m, String key) {
      Object v = m.get(key);
      return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }
  }

  private void run() throws Exception {
    Files.createDirectories(work.resolve("logs"));
    String started = now();
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    long t0 = System.nanoTime();
    log("sweep: servers " + servers + ", subscribers " + subscriberCounts + ", load " + loadBefore);
    for (int subscribers : subscriberCounts) {
      for (String server : servers) {
        sweepOne(server, 1, subscribers);
      }
    }
    if (!subscriberCounts.isEmpty()) {
      int crossSubscribers = subscriberCounts.contains(1000) ? 1000 : subscriberCounts.get(0);
      for (String server : crossNode) {
        sweepOne(server, 2, crossSubscribers);
      }
    }
    if (!idleCounts.isEmpty()) {
      for (String server : servers) {
        idles.add(idleMemory(server));
      }
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    double minutes = (System.nanoTime() - t0) / 60e9;
    Report report =
        new Report(
            points,
            idles,
            servers,
            subscriberCounts,
            commandLine,
            started,
            minutes,
            loadBefore,
            loadAfter,
            pin ? "server on CPU " + serverCpu + ", load generator on CPU " + loadCpu : "none",
            warmup,
            duration,
            bisections,
            repeats,
            String.join(" ", jvmServer),
            String.join(" ", jvmLoad));
    report.write(docs);
    Files.writeString(
        work.resolve("points.jsonl"),
        points.stream().map(Sweep::pointJson).collect(Collectors.joining("\n")) + "\n");
    log(String.format(Locale.ROOT, "sweep: done in %.1f min; wrote %s", minutes, docs));
  }

  static String pointJson(Point p) {
    return new Json()
        .put("server", p.server())
        .put("nodes", p.nodes())
        .put("subscribers", p.subscribers())
        .put("rate", p.rate())
        .put("run", p.run())
        .put("server_cpu_cores", p.serverCpuCores())
        .put("server_allocated_per_delivery", p.serverAllocatedPerDelivery())
        .put("server_rss", p.serverRss())
        .put("server_heap", p.serverHeap())
        .put("redis_cpu_cores", p.redisCpuCores())
        .put("passes", p.passes())
        .raw("load", loadJson(p.load()))
        .toString();
  }

  private static String loadJson(Map<String, Object> m) {
    Json j = new Json();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Number) {
        j.put(e.getKey(), ((Number) v).doubleValue());
      } else if (v instanceof Boolean) {
        j.put(e.getKey(), (Boolean) v);
      } else {
        j.put(e.getKey(), v == null ? null : v.toString());
      }
    }
    return j.toString();
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
      for (int step = 0; step < maxSteps; step++) {
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
      int steps = subscribers == 1000 ? bisections : Math.min(1, bisections);
      for (int i = 0; i < steps && lastPass > 0 && firstFail > 0; i++) {
        double mid = Math.sqrt(lastPass * firstFail);
        if (runRate(server, nodes, subscribers, mid)) {
          lastPass = mid;
        } else {
          firstFail = mid;
        }
      }
    } finally {
      if (deployment != null) {
        deployment.close();
        deployment = null;
      }
    }
  }

  /**
   * Runs one rate and says whether it passes; every run is a point. At 1,000 subscribers (where the
   * targets compare servers) one run is not trusted to fail: this VM sometimes stalls a process for
   * 100 ms or more, which fails a run that the same server passes again and again. A failed run is
   * run up to {@code repeats - 1} more times and the rate passes when most of its runs pass; a
   * passing first run is accepted, as a stall can only add latency. The first rate is run {@code
   * repeats} times whatever happens, so that the latency reported for it is a median. The server is
   * restarted after every failed run.
   */
  private boolean runRate(String server, int nodes, int subscribers, double rate) throws Exception {
    int runs = subscribers == 1000 ? repeats : 1;
    boolean all = runs > 1 && rate == startRate(subscribers);
    int passed = 0;
    int failed = 0;
    for (int run = 1; run <= runs; run++) {
      if (deployment == null) {
        deployment = deploy(server, nodes);
      }
      if (measure(deployment, server, subscribers, rate, run).passes()) {
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
    String name = nodes == 1 ? server : server + "-x" + nodes;
    Path json =
        work.resolve(
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
                fmt(warmup),
                "--duration",
                fmt(duration),
                "--json",
                json.toString()));
    List<String> command = javaCommand(loadCpu, jvmLoad, args);
    log(
        String.format(
            Locale.ROOT,
            "  %-11s %6d subscribers x %9s msg/s (%s deliveries/s offered)%s",
            name,
            subscribers,
            fmt(rate),
            fmt(rate * subscribers),
            run > 1 ? ", run " + run : ""));
    Process load =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    Map<String, Object> atStart = Map.of();
    Map<String, Object> atEnd = Map.of();
    long wallStart = 0;
    long wallEnd = 0;
    String resultLine = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (line.equals("MEASURE_START")) {
          wallStart = System.nanoTime();
          atStart = sp.stats(false);
        } else if (line.equals("MEASURE_END")) {
          wallEnd = System.nanoTime();
          atEnd = sp.stats(false);
        } else if (line.startsWith("RESULT ")) {
          resultLine = line;
        }
      }
    }
    int status = load.waitFor();
    Files.write(work.resolve("logs").resolve(json.getFileName() + ".log"), output);
    Map<String, Object> stats = sp.stats(false);
    Map<String, Object> result;
    if (status != 0 || resultLine == null || !Files.exists(json)) {
      log("    load failed (status " + status + "): " + tail(output));
      result = new LinkedHashMap<>();
      result.put("delivered_ratio", 0.0);
      result.put("p99_ms", Double.NaN);
      result.put("error", tail(output));
    } else {
      result = Json.parseFlat(Files.readString(json));
      log("    " + resultLine);
    }
    double serverCpu =
        wallEnd > wallStart
            ? (Idle.num(atEnd, "cpu_ns") - Idle.num(atStart, "cpu_ns")) / (wallEnd - wallStart)
            : Double.NaN;
    double delivered = Idle.num(result, "delivered");
    double allocatedPerDelivery =
        (Idle.num(atEnd, "allocated_bytes") - Idle.num(atStart, "allocated_bytes")) / delivered;
    double redisCpu =
        wallEnd > wallStart
            ? (Idle.num(atEnd, "redis_cpu_ns") - Idle.num(atStart, "redis_cpu_ns"))
                / (wallEnd - wallStart)
            : Double.NaN;
    Point p =
        new Point(
            server,
            nodes,
            subscribers,
            rate,
            run,
            result,
            serverCpu,
            allocatedPerDelivery,
            (long) Idle.num(stats, "rss"),
            (long) Idle.num(stats, "heap_used"),
            redisCpu,
            displayCommand(args, loadCpu),
            sp.display);
    points.add(p);
    return p;
  }

  private static String tail(List<String> lines) {
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private Idle idleMemory(String server) throws Exception {
    log("  idle memory: " + server + " at " + idleCounts + " connections");
    List<Map<String, Object>> stats = new ArrayList<>();
    List<Process> loads = new ArrayList<>();
    ServerProcess sp = startServer(server, null);
    try {
      int connected = 0;
      for (int count : idleCounts) {
        int more = count - connected;
        List<String> args =
            List.of(
                "load",
                "--url",
                "ws://127.0.0.1:" + sp.port + "/",
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
                work.resolve("idle-" + server + "-" + count + ".json").toString());
        Process load =
            new ProcessBuilder(javaCommand(loadCpu, jvmLoad, args))
                .redirectErrorStream(true)
                .start();
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
        Map<String, Object> s = sp.stats(false);
        while (Idle.num(s, "connections") < count && System.nanoTime() < deadline) {
          Thread.sleep(200);
          s = sp.stats(false);
        }
        Thread.sleep(1000); // let handshake garbage and buffers settle
        s = sp.stats(true);
        log(
            String.format(
                Locale.ROOT,
                "    %d connections: heap %.1f MB, direct %.1f MB, rss %.1f MB",
                (long) Idle.num(s, "connections"),
                Idle.num(s, "heap_used") / 1e6,
                Idle.num(s, "direct_total") / 1e6,
                Idle.num(s, "rss") / 1e6));
        stats.add(s);
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
    return new Idle(server, idleCounts, stats);
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

  /** One server process, or {@code nodes} of them sharing a Redis started for them. */
  private Deployment deploy(String server, int nodes) throws Exception {
    if (nodes == 1) {
      return new Deployment(List.of(startServer(server, null)), null, null);
    }
    int redisPort = nextPort++;
    List<String> command = new ArrayList<>();
    if (pin) {
      command.addAll(List.of("taskset", "-c", serverCpu));
    }
    command.addAll(
        List.of(
            redisServer,
            "--port",
            Integer.toString(redisPort),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no"));
    Path logFile = work.resolve("logs").resolve("redis-" + redisPort + ".log");
    Process redis =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
            .start();
    List<ServerProcess> started = new ArrayList<>();
    try {
      awaitListening(redisPort, redis);
      String url = "redis://127.0.0.1:" + redisPort;
      for (int i = 0; i < nodes; i++) {
        started.add(startServer(server, url));
      }
      String display =
          String.join(" ", command).replace("--save  ", "--save '' ")
              + "\n"
              + started.stream().map(n -> n.display).collect(Collectors.joining("\n"));
      return new Deployment(started, redis, display);
    } catch (Exception | Error e) {
      for (ServerProcess sp : started) {
        sp.close();
      }
      redis.destroy();
      throw e;
    }
  }

  private static void awaitListening(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server ended at once (exit " + process.exitValue() + ")");
      }
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50); // polling a child process that has not bound its port yet
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
  }

  private ServerProcess startServer(String server, String redis) throws Exception {
    int port = nextPort++;
    List<String> args =
        new ArrayList<>(List.of("server", "--transport", server, "--port", Integer.toString(port)));
    if (redis != null) {
      args.addAll(List.of("--redis", redis));
    }
    List<String> command = javaCommand(serverCpu, jvmServer, args);
    Path logFile = work.resolve("logs").resolve("server-" + server + "-" + port + ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(logFile.toFile()))
            .start();
    ServerProcess sp = new ServerProcess(p, port, displayCommand(args, serverCpu));
    sp.awaitReady();
    return sp;
  }

  private List<String> javaCommand(String cpu, List<String> jvm, List<String> args) {
    List<String> c = new ArrayList<>();
    if (pin) {
      c.addAll(List.of("taskset", "-c", cpu));
    }
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : jvm) {
      if (!o.isBlank()) {
        c.add(o);
      }
    }
    c.addAll(List.of("-cp", System.getProperty("java.class.path"), Bench.class.getName()));
    c.addAll(args);
    return c;
  }

  private String displayCommand(List<String> args, String cpu) {
    String jvm = String.join(" ", cpu.equals(serverCpu) ? jvmServer : jvmLoad);
    return (pin ? "taskset -c " + cpu + " " : "")
        + "java "
        + jvm
        + " -jar hub-bench/target/hub-bench.jar "
        + String.join(" ", args.stream().filter(s -> !s.endsWith(".json")).toList())
            .replaceAll(" --json$", "");
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

  /**
   * What a point runs against: one server process, or several nodes and the Redis they share. Its
   * stats are the nodes' summed, plus Redis's CPU time as {@code redis_cpu_ns}.
   */
  private static final class Deployment implements AutoCloseable {
    final List<ServerProcess> nodes;
    final Process redis; // null for one node
    final String display;

    Deployment(List<ServerProcess> nodes, Process redis, String display) {
      this.nodes = List.copyOf(nodes);
      this.redis = redis;
      this.display = display == null ? nodes.get(0).display : display;
    }

    String urls() {
      return nodes.stream()
          .map(n -> "ws://127.0.0.1:" + n.port + "/")
          .collect(Collectors.joining(","));
    }

    Map<String, Object> stats(boolean gc) throws Exception {
      if (nodes.size() == 1) {
        return nodes.get(0).stats(gc);
      }
      Map<String, Object> sum = new LinkedHashMap<>();
      for (ServerProcess n : nodes) {
        Map<String, Object> one = n.stats(gc);
        for (String key : List.of("cpu_ns", "allocated_bytes", "rss", "heap_used")) {
          sum.merge(key, Idle.num(one, key), (a, b) -> (Double) a + (Double) b);
        }
      }
      sum.put("redis_cpu_ns", (double) cpuNanos(redis.pid()));
      return sum;
    }

    /** A process's CPU time (user and system) from {@code /proc}, or -1. */
    static long cpuNanos(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
      } catch (Exception e) {
        return -1;
      }
    }

    @Override
    public void close() throws Exception {
      for (ServerProcess n : nodes) {
        n.close();
      }
      if (redis != null) {
        redis.destroy();
        if (!redis.waitFor(10, TimeUnit.SECONDS)) {
          redis.destroyForcibly();
        }
      }
    }
  }

  /** A server child process, spoken to on its standard input and output. */
  private static final class ServerProcess implements AutoCloseable {
    final Process process;
    final int port;
    final String display;
    final BufferedReader out;
    final OutputStream in;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    ServerProcess(Process process, int port, String display) {
      this.process = process;
      this.port = port;
      this.display = display;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = process.getOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try {
                  String l;
                  while ((l = out.readLine()) != null) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  // ended
                }
              },
              "server-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitReady() throws Exception {
      String l = lines.poll(30, TimeUnit.SECONDS);
      while (l != null && !l.startsWith("READY")) {
        l = lines.poll(30, TimeUnit.SECONDS);
      }
      if (l == null) {
        close();
        throw new IllegalStateException("server on port " + port + " did not start");
      }
    }

    synchronized Map<String, Object> stats(boolean gc) throws Exception {
      lines.clear();
      in.write((gc ? "gc\n" : "stats\n").getBytes(StandardCharsets.US_ASCII));
      in.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String l = lines.poll(1, TimeUnit.SECONDS);
        if (l != null && l.startsWith("STATS ")) {
          return Json.parseFlat(l.substring(6));
        }
      }
      return new LinkedHashMap<>();
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
