package dev.hubcast.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of {@code hub-bench.jar}, with four commands:
 *
 * <pre>
 * java -jar hub-bench.jar server --transport jetty|netty|naive-jetty|naive-netty --port P [--policy all|others]
 *     [--redis redis://HOST:PORT]
 * java -jar hub-bench.jar load --url ws://127.0.0.1:P/[,ws://127.0.0.1:Q/] --subscribers N [--publishers K] --rate MSGS_PER_S
 *     --size BYTES --duration S [--warmup S]
 * java -jar hub-bench.jar sweep [--quick]
 * java -jar hub-bench.jar jmh FanOutBenchmark -prof gc
 * </pre>
 *
 * <p>Runs on the main thread; not for use as a library.
 */
public final class Bench {
  private Bench() {}

  /** Runs one command. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage(System.err);
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "server" -> server(rest);
        case "load" -> System.exit(load(rest, System.out));
        case "sweep" -> Sweep.main(rest);
        case "jmh" -> org.openjdk.jmh.Main.main(rest);
        case "help", "--help", "-h" -> usage(System.out);
        default -> {
          System.err.println("unknown command: " + args[0]);
          usage(System.err);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      usage(System.err);
      System.exit(2);
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: java -jar hub-bench.jar COMMAND [OPTIONS]");
    out.println();
    out.println("  server --transport jetty|netty|naive-jetty|naive-netty --port P");
    out.println("         [--host 127.0.0.1] [--policy all|others] [--redis redis://HOST:PORT]");
    out.println("      a relay of every message at path / to all clients (or all but the sender);");
    out.println(
        "      with --redis (jetty, netty), one node of a hub spread over several servers;");
    out.println("      reads 'stats', 'gc' (stats after a full GC) and 'quit' on standard input");
    out.println(
        "  load   --url ws://127.0.0.1:P/[,ws://...] --subscribers N [--publishers 1] --rate R");
    out.println("         [--size 64] --duration S [--warmup 5] [--drain 3] [--threads CORES]");
    out.println("         [--per-address 20000] [--json load-result.json]");
    out.println("      N subscribers, K publishers sending R messages/s in all, open loop;");
    out.println("      several URLs: subscribers split across them, publishers on the first;");
    out.println("      ends with RESULT deliveries_per_s=... p50_ms=... p99_ms=... p999_ms=...");
    out.println("      delivered_ratio=... reordered=...");
    out.println("  sweep  [--quick] [--servers jetty,netty,naive-jetty,naive-netty] [--docs docs]");
    out.println("         [--cross-node netty,jetty|none] [--redis-server redis-server]");
    out.println(
        "      every server x 100 / 1,000 / 10,000 subscribers x rising rates, servers in a");
    out.println("      child process, then each --cross-node server as two nodes over a Redis it");
    out.println("      starts; writes docs/benchmarks.md and docs/img/*.png");
    out.println("  jmh    [JMH options], such as: jmh FanOutBenchmark -prof gc");
  }

  private static void server(String[] args) throws Exception {
    Args a =
        Args.parse(
            "server", args, Set.of("transport", "port", "host", "policy", "redis"), Set.of());
    BenchServer.Transport transport = BenchServer.Transport.of(a.required("transport"));
    int port = a.integer("port", 8080, 0);
    String policy = a.string("policy", "all");
    if (!policy.equals("all") && !policy.equals("others")) {
      throw new IllegalArgumentException(
          "server: --policy: \"" + policy + "\" (expected: all or others)");
    }
    String redis = a.string("redis", null);
    BenchServer server =
        BenchServer.start(
            transport, a.string("host", "127.0.0.1"), port, policy.equals("others"), redis);
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
    System.out.println(
        "READY transport=" + transport.label + " port=" + server.port() + " policy=" + policy);
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "stats" -> System.out.println("STATS " + server.stats(false));
        case "gc" -> System.out.println("STATS " + server.stats(true));
        case "quit" -> System.exit(0);
        case "" -> {}
        default -> System.out.println("ERROR unknown input (expected: stats, gc or quit)");
      }
      System.out.flush();
    }
    stopped.await(); // standard input closed: serve until killed
  }

  /** The {@code load} command; returns the exit status. */
  static int load(String[] args, PrintStream out) throws Exception {
    Args a =
        Args.parse(
            "load",
            args,
            Set.of(
                "url",
                "subscribers",
                "publishers",
                "rate",
                "size",
                "duration",
                "warmup",
                "drain",
                "threads",
                "per-address",
                "json"),
            Set.of());
    for (String required : new String[] {"url", "subscribers", "rate", "duration"}) {
      a.required(required);
    }
    LoadGenerator.Config config =
        new LoadGenerator.Config(
            urls(a.required("url")),
            a.integer("subscribers", -1, 0),
            a.integer("publishers", 1, 0),
            a.decimal("rate", -1, 0),
            a.integer("size", 64, Payload.MIN_SIZE),
            seconds(a.decimal("duration", -1, 0.1)),
            seconds(a.decimal("warmup", 5, 0)),
            seconds(a.decimal("drain", 3, 0)),
            a.integer("threads", Runtime.getRuntime().availableProcessors(), 1),
            a.integer("per-address", 20_000, 1),
            false);
    for (URI url : config.urls()) {
      if (!"ws".equals(url.getScheme())) {
        throw new IllegalArgumentException("load: --url: " + url + " (expected: ws://...)");
      }
    }
    LoadResult result =
        LoadGenerator.run(
            config,
            line -> {
              out.println(line);
              out.flush();
            });
    Path json = Path.of(a.string("json", "load-result.json"));
    if (json.getParent() != null) {
      Files.createDirectories(json.getParent());
    }
    Files.writeString(json, result.toJson() + "\n");
    out.printf(
        java.util.Locale.ROOT,
        "offered %.0f deliveries/s; delivered %d of %d; disconnects %d; duplicates %d;"
            + " loadgen cpu %.2f of %d cores; json %s%n",
        result.offeredPerSecond(),
        result.delivered(),
        result.expected(),
        result.disconnects(),
        result.duplicates(),
        result.loadgenCpuCores(),
        result.loadgenProcessors(),
        json);
    out.println(result.resultLine());
    out.flush();
    return 0;
  }

  /** One address, or several separated by commas: the nodes of one hub. */
  static List<URI> urls(String list) {
    List<URI> urls = new java.util.ArrayList<>();
    for (String u : list.split(",")) {
      try {
        urls.add(new URI(u.trim()));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("load: --url: \"" + u + "\" is not a URI", e);
      }
    }
    return urls;
  }

  static Duration seconds(double s) {
    return s < 0 ? Duration.ofNanos(-1) : Duration.ofNanos((long) (s * 1e9));
  }
}
