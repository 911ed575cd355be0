package dev.hubcast.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code server} command: starts a {@link BenchServer}, prints {@code READY transport=...
 * port=... policy=...} (and {@code room-history=N} in room mode), then answers {@code stats},
 * {@code gc} and {@code quit} on standard input until it is told to quit or killed.
 *
 * <p>Runs on the main thread, which reads standard input.
 */
@Command(
    name = "server",
    sortOptions = false,
    description = {
      "A relay of every message at path / to all clients (or all but the sender).",
      "",
      "netty-sse: the same hub at /ws (WebSocket) and /sse (Server-Sent Events: GET opens a"
          + " stream, POST with its Hubcast-Token sends), on one Netty server.",
      "",
      "tomcat: the same hub on embedded Tomcat 11 through hub-jakarta (JakartaHub.install);"
          + " tomcat-upgrade: the same on the servlet HTTP upgrade (JakartaHub.installUpgrade);"
          + " naive-tomcat: a set of Jakarta WebSocket sessions and a getAsyncRemote().sendText"
          + " loop, a send that Tomcat refuses (one in flight) dropped.",
      "",
      "With --room-history (Hubcast: jetty, netty, netty-sse, tomcat, tomcat-upgrade), every client joins one room and"
          + " each message goes to that room, numbered and kept (in Redis too with --redis).",
      "",
      "uws: uWebSockets.js on Node.js, every client subscribed to one topic and each message"
          + " published to it (app.publish); installed with npm ci into ~/.cache/hubcast-bench"
          + " the first time, then run as node itself (needs node and npm on PATH).",
      "",
      "With --redis (Hubcast), one node of a hub spread over several servers. Prints READY"
          + " transport=... port=... policy=... once it listens. Reads 'stats', 'gc' (stats"
          + " after a full GC) and 'quit' on standard input; answers STATS {json}.",
      ""
    })
final class ServerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--transport",
      required = true,
      paramLabel =
          "jetty|netty|netty-io-uring|netty-sse|naive-jetty|naive-netty|tomcat|tomcat-upgrade|naive-tomcat|uws",
      description =
          "jetty, netty: Hubcast with its default config; netty-sse: the same on Netty at /ws"
              + " and, as Server-Sent Events, at /sse; tomcat: the same on embedded Tomcat"
              + " (hub-jakarta); naive-jetty, naive-netty, naive-tomcat: a set of sessions and a"
              + " send loop; uws: uWebSockets.js (Node.js), one topic and"
              + " app.publish.")
  private String transport;

  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "P",
      description = "The port; 0 for any free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "The address to bind (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = "--policy",
      defaultValue = "all",
      paramLabel = "all|others",
      description = "Relay to all clients, or to all but the sender (default: ${DEFAULT-VALUE}).")
  private String policy;

  @Option(
      names = "--redis",
      paramLabel = "redis://HOST:PORT",
      description = "Be one node of a hub over this Redis (Hubcast only).")
  private String redis;

  @Option(
      names = "--room-history",
      paramLabel = "N",
      description =
          "Relay through one room that every client joins, keeping its last N broadcasts"
              + " (0-1000000; 0 only numbers them), in memory and, with --redis, in Redis"
              + " Streams (Hubcast only; default: no room, relay to all).")
  private Integer roomHistory;

  @Option(
      names = "--metrics",
      description =
          "Bind the hub's meters (hub-micrometer) to a Prometheus registry and scrape it every"
              + " second, as a Prometheus server would (Hubcast only).")
  private boolean metrics;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  private boolean help;

  @Override
  public Integer call() throws Exception {
    BenchServer.Transport t = BenchServer.Transport.find(transport);
    if (t == null) {
      throw Options.bad(spec, "--transport", '"' + transport + '"', BenchServer.Transport.EXPECTED);
    }
    Options.atLeast(spec, "--port", port, 0);
    if (!policy.equals("all") && !policy.equals("others")) {
      throw Options.bad(spec, "--policy", '"' + policy + '"', "all or others");
    }
    if (roomHistory != null && (roomHistory < 0 || roomHistory > 1_000_000)) {
      throw Options.bad(spec, "--room-history", Integer.toString(roomHistory), "0-1000000");
    }
    if (t.node()) {
      return node();
    }
    BenchServer server =
        BenchServer.start(t, host, port, policy.equals("others"), redis, roomHistory, metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    System.err.println("closing the server failed: " + e);
                  }
                  stopped.countDown();
                },
                "bench-server-stop"));
    // The sweep asks for stats as its measured window opens; a first call loads and builds the
    // JSON writer, tens of milliseconds on a server pinned to one core, which would land in that
    // window's latency. So it is made once here, before anyone connects.
    Json.write(server.stats(false));
    System.out.println(
        "READY transport="
            + t.label
            + " port="
            + server.port()
            + " policy="
            + policy
            + (roomHistory == null ? "" : " room-history=" + roomHistory)
            + (metrics ? " metrics=on" : ""));
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "stats" -> System.out.println("STATS " + Json.write(server.stats(false)));
        case "gc" -> System.out.println("STATS " + Json.write(server.stats(true)));
        case "quit" -> System.exit(0);
        case "" -> {}
        default -> System.out.println("ERROR unknown input (expected: stats, gc or quit)");
      }
      System.out.flush();
    }
    stopped.await(); // standard input closed: serve until killed
    return 0;
  }

  /**
   * {@code uws}: installs the script if need be, then runs {@code node} on this command's standard
   * input and output (it prints {@code READY} and answers {@code stats} itself) until it ends; its
   * exit status is this command's. The sweep starts {@code node} directly instead, so that the
   * process it measures is {@code node} (see {@link Launcher}).
   */
  private int node() throws Exception {
    BenchServer.checkOptions(BenchServer.Transport.UWS, redis, roomHistory, metrics);
    String path = System.getenv("PATH");
    String missing = UwsServer.missing(path);
    if (missing != null) {
      System.err.println(missing.replaceFirst("^uws skipped: ", "server: uws: "));
      return 1;
    }
    UwsServer.Node node = UwsServer.Node.find(path);
    Path dir = UwsServer.install(node);
    Process p =
        new ProcessBuilder(
                UwsServer.command(
                    node,
                    dir,
                    List.of("--port", Integer.toString(port), "--host", host, "--policy", policy)))
            .inheritIO()
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "uws-stop"));
    return p.waitFor();
  }
}
