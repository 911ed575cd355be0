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
 * The {@code sweep} command: its options, with the defaults that {@code --quick} lowers, made into
 * a {@link Sweep.Plan}.
 *
 * <p>Runs on the main thread, which runs the whole sweep.
 */
@Command(
    name = "sweep",
    sortOptions = false,
    description = {
      "Every server x subscriber count x rising rates; writes docs/benchmarks.md and plots.",
      "",
      "Each server in a child process (pinned to its own CPU unless --no-pin), 100 / 1,000 / 10,000 subscribers,"
          + " rates doubling until the p99 passes 50 ms or fewer than 99.9%% of the deliveries"
          + " arrive, then bisected; at 1,000 subscribers on to the saturation rate (the highest"
          + " with p99 <= 250 ms and 99.9%% delivered), likewise; then each --cross-node server as"
          + " two nodes over a Redis it"
          + " starts; then the idle memory per connection. Writes its section of"
          + " DOCS/benchmarks.md and DOCS/img/*.png. Run it on a quiet machine. Lists are"
          + " separated by commas.",
      ""
    })
final class SweepCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--quick",
      description = "A short check of the pipeline: lower defaults, marked 'quick' below.")
  private boolean quick;

  @Option(
      names = "--servers",
      defaultValue = "netty,jetty,naive-netty,naive-jetty",
      paramLabel = "LIST",
      description =
          "Servers to measure (default: ${DEFAULT-VALUE}); also netty-sse: Hubcast on Netty"
              + " serving one hub at /ws and /sse, loaded through Server-Sent Events (subscribers"
              + " read event streams, the publisher POSTs), netty-sse-ws: that same server"
              + " loaded through WebSocket at /ws, tomcat: Hubcast on embedded Tomcat 11"
              + " (hub-jakarta), tomcat-upgrade: the same on the servlet HTTP upgrade,"
              + " naive-tomcat: a Jakarta WebSocket getAsyncRemote().sendText loop"
              + " on the same Tomcat, and uws: uWebSockets.js on Node.js (one topic,"
              + " app.publish; skipped, with a message, without node on PATH).")
  private String servers;

  @Option(
      names = "--subscribers",
      paramLabel = "LIST|none",
      description = "Subscriber counts (default: 100,1000,10000; quick: 10,100).")
  private String subscribers;

  @Option(
      names = "--warmup",
      paramLabel = "S",
      description = "Seconds of warmup per point (default: 4; quick: 1).")
  private Double warmup;

  @Option(
      names = "--duration",
      paramLabel = "S",
      description = "Seconds measured per point, at least 0.5 (default: 8; quick: 2).")
  private Double duration;

  @Option(
      names = "--bisections",
      paramLabel = "N",
      description =
          "Geometric bisections between the last passing and the first failing rate at 1,000"
              + " subscribers; at most 1 elsewhere (default: 3; quick: 0).")
  private Integer bisections;

  @Option(
      names = "--repeats",
      paramLabel = "N",
      description =
          "At 1,000 subscribers, a failed rate is run again, up to N runs, and passes when"
              + " most pass; the first rate is run N times (default: 3; quick: 1).")
  private Integer repeats;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      description = "Rates tried before bisecting (default: 12; quick: 2).")
  private Integer maxSteps;

  @Option(
      names = "--idle",
      paramLabel = "LIST|none",
      description =
          "Idle connection counts for the memory per connection (default: 5000,10000;"
              + " quick: 50,100).")
  private String idle;

  @Option(
      names = "--cross-node",
      paramLabel = "LIST|none",
      description =
          "Servers (netty, jetty) also run as two nodes over Redis (default: netty,jetty;"
              + " quick: none).")
  private String crossNode;

  @Option(
      names = "--cross-node-room-history",
      paramLabel = "N",
      description =
          "Run the --cross-node nodes with --room-history N: one room, numbered by Redis, its"
              + " last N broadcasts kept in Redis Streams (0: numbered only; default: no room,"
              + " relay to all).")
  private Integer crossNodeRoomHistory;

  @Option(
      names = "--server-metrics",
      description =
          "Run the Hubcast servers with --metrics: their meters in a Prometheus registry"
              + " scraped every second.")
  private boolean serverMetrics;

  @Option(
      names = "--redis-server",
      defaultValue = "redis-server",
      paramLabel = "PATH",
      description = "The redis-server to start for --cross-node (default: ${DEFAULT-VALUE}).")
  private String redisServer;

  @Option(
      names = "--docs",
      defaultValue = "docs",
      paramLabel = "DOCS",
      description = "Where benchmarks.md and img/ are (default: ${DEFAULT-VALUE}).")
  private Path docs;

  @Option(
      names = "--work",
      defaultValue = "hub-bench/target/sweep",
      paramLabel = "DIR",
      description = "Every point's JSON and logs, and points.jsonl (default: ${DEFAULT-VALUE}).")
  private Path work;

  @Option(
      names = "--server-cpu",
      defaultValue = "1",
      paramLabel = "CPUS",
      description = "taskset CPU list of the servers and Redis (default: ${DEFAULT-VALUE}).")
  private String serverCpu;

  @Option(
      names = "--load-cpu",
      defaultValue = "0",
      paramLabel = "CPUS",
      description = "taskset CPU list of the load generator (default: ${DEFAULT-VALUE}).")
  private String loadCpu;

  @Option(
      names = "--server-jvm",
      defaultValue = "-Xmx2g",
      paramLabel = "OPTIONS",
      description = "JVM options of the servers, separated by spaces (default: ${DEFAULT-VALUE}).")
  private String serverJvm;

  @Option(
      names = "--load-jvm",
      defaultValue = "-Xmx2g",
      paramLabel = "OPTIONS",
      description =
          "JVM options of the load generator, separated by spaces (default: ${DEFAULT-VALUE}).")
  private String loadJvm;

  @Option(
      names = "--no-pin",
      description = "Do not pin with taskset (it never pins on one processor).")
  private boolean noPin;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  private boolean help;

  /** The options as a plan; a usage error for a value out of range. */
  Sweep.Plan plan() {
    List<String> serverList = List.of(servers.split(","));
    for (String s : serverList) {
      if (SweepServer.find(s) == null) {
        throw Options.bad(spec, "--servers", '"' + s + '"', SweepServer.EXPECTED);
      }
    }
    List<String> cross = none(or(crossNode, quick ? "none" : "netty,jetty"));
    for (String s : cross) {
      if (!s.equals("netty") && !s.equals("jetty")) {
        throw Options.bad(spec, "--cross-node", '"' + s + '"', "netty, jetty or none");
      }
    }
    if (crossNodeRoomHistory != null) {
      if (crossNodeRoomHistory < 0 || crossNodeRoomHistory > 1_000_000) {
        throw Options.bad(
            spec, "--cross-node-room-history", Integer.toString(crossNodeRoomHistory), "0-1000000");
      }
      if (cross.isEmpty()) {
        throw Options.bad(
            spec,
            "--cross-node-room-history",
            Integer.toString(crossNodeRoomHistory),
            "with --cross-node netty or jetty");
      }
    }
    String line =
        "java -jar hub-bench/target/hub-bench.jar sweep "
            + String.join(" ", spec.commandLine().getParseResult().expandedArgs());
    return new Sweep.Plan(
        serverList,
        counts("--subscribers", or(subscribers, quick ? "10,100" : "100,1000,10000")),
        Options.atLeast(spec, "--warmup", or(warmup, quick ? 1.0 : 4.0), 0),
        Options.atLeast(spec, "--duration", or(duration, quick ? 2.0 : 8.0), 0.5),
        Options.atLeast(spec, "--bisections", or(bisections, quick ? 0 : 3), 0),
        Options.atLeast(spec, "--repeats", or(repeats, quick ? 1 : 3), 1),
        Options.atLeast(spec, "--max-steps", or(maxSteps, quick ? 2 : 12), 1),
        counts("--idle", or(idle, quick ? "50,100" : "5000,10000")),
        cross,
        crossNodeRoomHistory,
        serverMetrics,
        !noPin && Runtime.getRuntime().availableProcessors() >= 2,
        serverCpu,
        loadCpu,
        List.of(serverJvm.split(" ")),
        List.of(loadJvm.split(" ")),
        redisServer,
        docs,
        work,
        line.trim());
  }

  @Override
  public Integer call() throws Exception {
    new Sweep(plan()).run();
    return 0;
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static List<String> none(String list) {
    return list.equals("none") ? List.of() : List.of(list.split(","));
  }

  private List<Integer> counts(String option, String list) {
    List<Integer> counts = new ArrayList<>();
    for (String s : none(list)) {
      try {
        counts.add(Integer.parseInt(s.trim()));
      } catch (NumberFormatException e) {
        throw Options.bad(spec, option, '"' + s + '"', "integers separated by commas, or none");
      }
    }
    return List.copyOf(counts);
  }
}
