package dev.hubcast.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts the sweep's child processes: servers (this jar's {@code server} command), the Redis that
 * two nodes share, and load generators (its {@code load} command), each pinned to its CPU with
 * {@code taskset} when the plan pins, with the plan's JVM options and a fresh port. Also writes
 * each command as the report shows it.
 *
 * <p>Used by the sweep's thread only.
 */
final class Launcher {
  private final Sweep.Plan plan;
  private final String path; // where node and npm are looked for ({@code uws})
  private int nextPort = 19000 + (int) (ProcessHandle.current().pid() % 1000) * 10;
  private UwsServer.Node node; // set, with uwsDir, once uws is prepared
  private Path uwsDir;

  Launcher(Sweep.Plan plan) {
    this(plan, System.getenv("PATH"));
  }

  /** A launcher that looks for {@code node} and {@code npm} on {@code path} (a PATH value). */
  Launcher(Sweep.Plan plan, String path) {
    this.plan = plan;
    this.path = path;
  }

  /**
   * Gets the sweep's server {@code server} ready to start: for {@code uws}, finds {@code node} and
   * {@code npm} on the PATH and installs the script (once, see {@link UwsServer#install}); the JVM
   * servers are always ready. Returns null when it can start, else why not, as a line for the log
   * that starts with {@code "uws skipped: "}.
   */
  String prepare(String server) {
    SweepServer kind = SweepServer.of(server);
    if (!kind.transport.node() || uwsDir != null) {
      return null;
    }
    String missing = UwsServer.missing(path);
    if (missing != null) {
      return missing;
    }
    UwsServer.Node found = UwsServer.Node.find(path);
    try {
      uwsDir = UwsServer.install(found);
    } catch (Exception e) {
      return server + " skipped: " + String.valueOf(e.getMessage()).replaceFirst("^uws: ", "");
    }
    node = found;
    return null;
  }

  /** The {@code node --version} of a prepared {@code uws}, or null before. */
  String nodeVersion() {
    return node == null ? null : UwsServer.nodeVersion(node);
  }

  /** One server process, or {@code nodes} of them sharing a Redis started for them. */
  Deployment deploy(String server, int nodes) throws Exception {
    if (nodes == 1) {
      return new Deployment(List.of(startServer(server, null, null)), null, null, null);
    }
    int redisPort = nextPort++;
    List<String> command = new ArrayList<>();
    if (plan.pin()) {
      command.addAll(List.of("taskset", "-c", plan.serverCpu()));
    }
    command.addAll(
        List.of(
            plan.redisServer(),
            "--port",
            Integer.toString(redisPort),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no"));
    Process redis =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log("redis-" + redisPort + ".log").toFile()))
            .start();
    List<ServerProcess> started = new ArrayList<>();
    try {
      awaitListening(redisPort, redis);
      String url = "redis://127.0.0.1:" + redisPort;
      for (int i = 0; i < nodes; i++) {
        started.add(startServer(server, url, plan.crossNodeRoomHistory()));
      }
      String display =
          String.join(" ", command).replace("--save  ", "--save '' ")
              + "\n"
              + started.stream().map(n -> n.display).collect(Collectors.joining("\n"));
      return new Deployment(started, redis, url, display);
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
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50); // polling a child process that has not bound its port yet
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
  }

  /**
   * A {@code server} process on a fresh port for the sweep's server {@code server} ({@link
   * SweepServer}), once it has printed {@code READY}: a node of a hub over {@code redis} unless
   * that is null, relaying through a room that keeps {@code roomHistory} broadcasts unless that is
   * null.
   */
  ServerProcess startServer(String server, String redis, Integer roomHistory) throws Exception {
    SweepServer kind = SweepServer.of(server);
    if (kind.transport.node()) {
      return startNode(server, kind, redis, roomHistory);
    }
    int port = nextPort++;
    List<String> args =
        new ArrayList<>(
            List.of(
                "server", "--transport", kind.transport.label, "--port", Integer.toString(port)));
    if (redis != null) {
      args.addAll(List.of("--redis", redis));
    }
    if (roomHistory != null) {
      args.addAll(List.of("--room-history", Integer.toString(roomHistory)));
    }
    if (plan.serverMetrics() && kind.transport.hubcast()) {
      args.add("--metrics");
    }
    Process p =
        new ProcessBuilder(javaCommand(plan.serverCpu(), plan.serverJvm(), args))
            .redirectError(
                ProcessBuilder.Redirect.to(log("server-" + server + "-" + port + ".log").toFile()))
            .start();
    ServerProcess sp =
        new ServerProcess(
            p, port, kind.url(port), displayCommand(args, plan.serverCpu(), plan.serverJvm()));
    sp.awaitReady();
    return sp;
  }

  /**
   * {@code uws}: {@code node} itself, pinned as the JVM servers are ({@code taskset} execs it, so
   * the process held, whose CPU time and memory the sweep reads, is {@code node}'s), its standard
   * error in the log directory.
   */
  private ServerProcess startNode(
      String server, SweepServer kind, String redis, Integer roomHistory) throws Exception {
    BenchServer.checkOptions(kind.transport, redis, roomHistory, false);
    String why = prepare(server);
    if (why != null) {
      throw new IllegalStateException(why);
    }
    int port = nextPort++;
    List<String> args = List.of("--port", Integer.toString(port));
    List<String> command = new ArrayList<>();
    if (plan.pin()) {
      command.addAll(List.of("taskset", "-c", plan.serverCpu()));
    }
    command.addAll(UwsServer.command(node, uwsDir, args));
    Path log = log("server-" + server + "-" + port + ".log");
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    ServerProcess sp =
        new ServerProcess(
            p,
            port,
            kind.url(port),
            (plan.pin() ? "taskset -c " + plan.serverCpu() + " " : "") + UwsServer.display(args));
    try {
      sp.awaitReady();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + "; see " + log, e);
    }
    return sp;
  }

  /** A {@code load} process with {@code args}; its standard error goes to its standard output. */
  Process startLoad(List<String> args) throws IOException {
    return new ProcessBuilder(javaCommand(plan.loadCpu(), plan.loadJvm(), args))
        .redirectErrorStream(true)
        .start();
  }

  /** The {@code load} command with {@code args} as the report shows it, without its JSON file. */
  String loadDisplay(List<String> args) {
    return displayCommand(args, plan.loadCpu(), plan.loadJvm());
  }

  /** A file in the sweep's log directory. */
  Path log(String name) {
    return plan.work().resolve("logs").resolve(name);
  }

  private List<String> javaCommand(String cpu, List<String> jvm, List<String> args) {
    List<String> c = new ArrayList<>();
    if (plan.pin()) {
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

  private String displayCommand(List<String> args, String cpu, List<String> jvm) {
    return (plan.pin() ? "taskset -c " + cpu + " " : "")
        + "java "
        + String.join(" ", jvm)
        + " -jar hub-bench/target/hub-bench.jar "
        + String.join(" ", args.stream().filter(s -> !s.endsWith(".json")).toList())
            .replaceAll(" --json$", "");
  }
}
