package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.testkit.JdkWebSocketClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sweep's parts without a sweep: a real {@code server} child process started, asked for its
 * figures and stopped; two nodes over a real {@code redis-server} in room mode, under a short load;
 * and a report written from made-up points into a copy of the docs.
 */
class SweepPartsTest {
  @TempDir Path dir;

  private Sweep.Plan plan(List<String> servers, List<Integer> subscribers) {
    return plan(servers, subscribers, List.of(), null);
  }

  private Sweep.Plan plan(
      List<String> servers,
      List<Integer> subscribers,
      List<String> crossNode,
      Integer roomHistory) {
    return plan(servers, subscribers, crossNode, roomHistory, false);
  }

  private Sweep.Plan plan(
      List<String> servers,
      List<Integer> subscribers,
      List<String> crossNode,
      Integer roomHistory,
      boolean pin) {
    return new Sweep.Plan(
        servers,
        subscribers,
        1,
        2,
        0,
        3,
        2,
        List.of(),
        crossNode,
        roomHistory,
        false,
        pin,
        "1",
        "0",
        List.of("-Xmx256m"),
        List.of("-Xmx256m"),
        "redis-server",
        dir.resolve("docs"),
        dir.resolve("work"),
        "java -jar hub-bench/target/hub-bench.jar sweep --quick");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void launcher_startsAServer_thatAnswersStats() throws Exception {
    Sweep.Plan plan = plan(List.of("netty"), List.of(10));
    Files.createDirectories(plan.work().resolve("logs"));

    try (Deployment deployment = new Launcher(plan).deploy("netty", 1)) {
      ServerSample sample = deployment.sample(false);

      assertThat(deployment.urls()).matches("ws://127\\.0\\.0\\.1:\\d+/");
      assertThat(deployment.display)
          .startsWith("java -Xmx256m -jar hub-bench/target/hub-bench.jar server --transport netty");
      assertThat(sample.connections()).isZero();
      assertThat(sample.cpuNs()).isPositive();
      assertThat(sample.heapUsed()).isPositive();
      assertThat(sample.redisCpuNs()).isNaN();
    }
  }

  /**
   * {@code uws} as the sweep starts it: installed, then {@code node} itself (pinned with {@code
   * taskset} where it can be, which execs it), the process whose figures the sweep reads; three
   * subscribers and a publisher on the JDK's WebSocket client each get every message published.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void launcher_startsUws_asNodeItself_andRelaysEveryMessageToEveryClient() throws Exception {
    String path = System.getenv("PATH");
    Assumptions.assumeTrue(
        UwsServer.missing(path) == null, "uws cannot run here: " + UwsServer.missing(path));
    boolean pin =
        UwsServer.which("taskset", path) != null && Runtime.getRuntime().availableProcessors() >= 2;
    Sweep.Plan plan = plan(List.of("uws"), List.of(10), List.of(), null, pin);
    Files.createDirectories(plan.work().resolve("logs"));
    List<JdkWebSocketClient> clients = new ArrayList<>();

    try (Deployment deployment = new Launcher(plan, path).deploy("uws", 1)) {
      long pid = deployment.nodes.get(0).process.pid();
      assertThat(Path.of("/proc/" + pid + "/exe").toRealPath().getFileName().toString())
          .isEqualTo("node");
      assertThat(deployment.display)
          .isEqualTo(
              (pin ? "taskset -c 1 " : "")
                  + "node --expose-gc hub-bench/src/main/node/uws/server.js --port "
                  + deployment.nodes.get(0).port);
      for (int i = 0; i < 4; i++) {
        clients.add(JdkWebSocketClient.connect(URI.create(deployment.urls())));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> deployment.sample(false).connections() == 4);

      List<String> sent = List.of("one", "two", "three", "four", "five");
      for (String m : sent) {
        clients.get(3).sendText(m);
      }

      for (JdkWebSocketClient c : clients) { // the publisher too: policy all
        assertThat(c.awaitTexts(sent.size(), Duration.ofSeconds(10)))
            .containsExactlyElementsOf(sent);
      }
      ServerSample sample = deployment.sample(false);
      assertThat(sample.cpuNs()).isPositive().isLessThanOrEqualTo(Deployment.cpuNanos(pid));
      assertThat(sample.rss()).isPositive();
      assertThat(sample.allocatedBytes()).isNaN();
      assertThat(sample.directTotal()).isNaN();
    } finally {
      for (JdkWebSocketClient c : clients) {
        c.abort();
      }
    }
  }

  /**
   * {@code tomcat} and {@code naive-tomcat} as the sweep starts them: three subscribers and a
   * publisher on the JDK's WebSocket client each get every message, published at a low rate (the
   * next once every client has the last: {@code naive-tomcat} drops a message to a session whose
   * previous send is still in flight). Then a burst of 200 back to back: every client gets {@code
   * tomcat}'s all in order, and {@code naive-tomcat}'s in order with any refused ones missing, and
   * the publisher stays connected; the closed {@code naive-tomcat} logs how many it refused.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tomcat", "naive-tomcat"})
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void launcher_startsTomcat_andRelaysEveryMessageToEveryClient(String server) throws Exception {
    Sweep.Plan plan = plan(List.of(server), List.of(10));
    Files.createDirectories(plan.work().resolve("logs"));
    List<JdkWebSocketClient> clients = new ArrayList<>();
    int port;

    try (Deployment deployment = new Launcher(plan).deploy(server, 1)) {
      port = deployment.nodes.get(0).port;
      assertThat(deployment.urls()).isEqualTo("ws://127.0.0.1:" + port + "/");
      assertThat(deployment.display)
          .startsWith(
              "java -Xmx256m -jar hub-bench/target/hub-bench.jar server --transport " + server);
      for (int i = 0; i < 4; i++) {
        clients.add(JdkWebSocketClient.connect(URI.create(deployment.urls())));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> deployment.sample(false).connections() == 4);
      JdkWebSocketClient publisher = clients.get(3);

      for (String m : List.of("one", "two", "three", "four", "five")) {
        publisher.sendText(m);
        for (JdkWebSocketClient c : clients) { // the publisher too: policy all
          assertThat(c.awaitText(Duration.ofSeconds(10))).isEqualTo(m);
        }
      }

      List<String> burst = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        burst.add("burst-" + i);
        publisher.sendText("burst-" + i);
      }
      // "end" until every client has one (naive-tomcat may drop it too): what comes before it is
      // what the client got of the burst
      Map<JdkWebSocketClient, List<String>> got = new HashMap<>();
      clients.forEach(c -> got.put(c, new ArrayList<>()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                publisher.sendText("end");
                boolean all = true;
                for (JdkWebSocketClient c : clients) {
                  List<String> g = got.get(c);
                  while (c.pendingTexts() > 0 && !g.contains("end")) {
                    g.add(c.awaitText(Duration.ofSeconds(1)));
                  }
                  all &= g.contains("end");
                }
                return all;
              });
      for (JdkWebSocketClient c : clients) {
        List<String> g = got.get(c).subList(0, got.get(c).indexOf("end"));
        if (server.equals("tomcat")) {
          assertThat(g).containsExactlyElementsOf(burst);
        } else {
          assertThat(burst).containsSubsequence(g);
        }
      }
      assertThat(publisher.isClosed()).isFalse();
      assertThat(deployment.sample(false).connections()).isEqualTo(4);
    } finally {
      for (JdkWebSocketClient c : clients) {
        c.abort();
      }
    }
    if (server.equals("naive-tomcat")) {
      assertThat(Files.readString(plan.work().resolve("logs/server-naive-tomcat-" + port + ".log")))
          .containsPattern("naive-tomcat: \\d+ sends refused by Tomcat");
    }
  }

  /** Without {@code node} on the PATH the sweep leaves {@code uws} out, says so, and goes on. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sweep_withoutNodeOnPath_skipsUws_andGoesOnWithTheOthers() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("no-node"));
    Sweep.Plan plan = plan(List.of("uws", "netty"), List.of());
    Launcher launcher = new Launcher(plan, empty.toString());

    assertThat(launcher.prepare("uws")).isEqualTo("uws skipped: node not found on PATH");
    assertThat(launcher.prepare("netty")).isNull();

    Sweep sweep = new Sweep(plan, launcher);
    sweep.run();

    assertThat(sweep.plan().servers()).containsExactly("netty");
    assertThat(Files.readString(plan.docs().resolve("benchmarks.md")))
        .contains("- uws skipped: node not found on PATH.\n")
        .contains("| `netty` |")
        .doesNotContain("| `uws` |");
  }

  /**
   * The two-node case in room mode, as the sweep deploys it: both nodes relay through one room,
   * numbered in Redis, and keep the history they are given there (none with 0).
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 10})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void launcher_deploysTwoNodesInRoomMode_numberedAndKeptInRedis(int history) throws Exception {
    Sweep.Plan plan = plan(List.of("netty"), List.of(10), List.of("netty"), history);
    Files.createDirectories(plan.work().resolve("logs"));

    try (Deployment deployment = new Launcher(plan).deploy("netty", 2)) {
      LoadGenerator.Config config =
          new LoadGenerator.Config(
              Arrays.stream(deployment.urls().split(",")).map(URI::create).toList(),
              10,
              1,
              50,
              64,
              Duration.ofSeconds(1),
              Duration.ofMillis(500),
              Duration.ofSeconds(5),
              1,
              20_000,
              true);

      // A first run warms both nodes, as a sweep's warmup does: on a loaded machine a cold node's
      // first scripts can take longer than the command timeout, and a room broadcast that does
      // not get its number from Redis in time is numbered by its node alone (see
      // RedisBackplane), which this test of the bench does not judge. The second run is measured.
      LoadGenerator.run(config, line -> {});
      LoadResult result = LoadGenerator.run(config, line -> {});

      assertThat(deployment.display)
          .contains("--redis " + deployment.redisUri + " --room-history " + history);
      assertThat(result.sent()).isPositive();
      assertThat(result.delivered()).isEqualTo(result.expected()).isEqualTo(result.sent() * 10);
      assertThat(result.reordered()).isZero();
      assertThat(deployment.sample(false).redisCpuNs()).isNotNaN();
      RedisClient client = RedisClient.create(deployment.redisUri);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> redis = connection.sync();
        long numbered = Long.parseLong(redis.hget("hubcast:position:" + BenchServer.ROOM, "seq"));
        assertThat(numbered).isGreaterThanOrEqualTo(result.sent());
        if (history == 0) {
          assertThat(redis.exists("hubcast:history:" + BenchServer.ROOM)).isZero();
        } else {
          // Trimmed by whole stream nodes (reads answer the last `history`): at least that many.
          assertThat(redis.xlen("hubcast:history:" + BenchServer.ROOM))
              .isGreaterThanOrEqualTo(history);
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static Sweep.Point point(String server, double rate, int run, double p99) {
    return point(server, 1, rate, run, p99);
  }

  private static Sweep.Point point(String server, int nodes, double rate, int run, double p99) {
    LoadSummary load =
        new LoadSummary(
            "ws://127.0.0.1:1/",
            1,
            1000,
            1,
            rate,
            64,
            1,
            2,
            rate * 1000,
            (long) rate * 2,
            (long) rate * 2000,
            (long) rate * 2000,
            rate * 1000,
            1.0,
            0,
            0,
            0,
            p99 / 2,
            p99,
            p99,
            p99,
            p99,
            0.5,
            2,
            2,
            0.1,
            "epoll",
            Map.of(),
            null);
    return new Sweep.Point(
        server,
        nodes,
        1000,
        rate,
        run,
        load,
        0.5,
        100,
        200_000_000,
        50_000_000,
        Double.NaN,
        0.25,
        "java -jar hub-bench/target/hub-bench.jar load --rate " + rate,
        "java -jar hub-bench/target/hub-bench.jar server --transport " + server);
  }

  @Test
  void report_replacesItsSection_keepsTheTextAround_andDrawsThePlots() throws Exception {
    Sweep.Plan plan = plan(List.of("netty", "jetty"), List.of(1000));
    Path docs = plan.docs();
    Files.createDirectories(docs);
    Files.writeString(
        docs.resolve("benchmarks.md"),
        "# Benchmarks\n\nby hand, before\n\n"
            + Sweep.BEGIN
            + "\nthe last sweep\n"
            + Sweep.END
            + "\n\nby hand, after\n");
    List<Sweep.Point> points = new ArrayList<>();
    points.add(point("netty", 25, 1, 3));
    points.add(point("netty", 50, 1, 80)); // fails on latency
    points.add(point("netty", 50, 2, 4));
    points.add(point("netty", 50, 3, 5)); // 50 msg/s passes two runs of three
    points.add(point("jetty", 25, 1, 4));
    points.add(point("jetty", 50, 1, 90));
    points.add(point("jetty", 50, 2, 95));

    new Report(
            plan,
            points,
            List.of(),
            "2026-12-07 02:00 UTC",
            1.5,
            "0.1 0.2 0.3 1/2 3",
            "1 2 3",
            List.of())
        .write(docs);

    String md = Files.readString(docs.resolve("benchmarks.md"));
    assertThat(md).startsWith("# Benchmarks\n\nby hand, before\n\n" + Sweep.BEGIN);
    assertThat(md).endsWith(Sweep.END + "\n\nby hand, after\n");
    assertThat(md).doesNotContain("the last sweep");
    assertThat(md).contains("java -jar hub-bench/target/hub-bench.jar sweep --quick");
    assertThat(md).contains("| `netty` | 50,000 |").contains("| `jetty` | 25,000 |");
    assertThat(md).contains("| `netty` | 50 | 1 | 50,000 |").contains("| **no** |");
    assertThat(md)
        .contains("used a median 0.25 and at most 0.25 cores")
        .contains("7 of 7 points had 0.1 core or more")
        .contains("| 0.25 | 200 MB |");
    assertThat(docs.resolve("img/p99-vs-offered-1000.png")).isNotEmptyFile();
    assertThat(docs.resolve("img/throughput-vs-subscribers.png")).isNotEmptyFile();
  }

  @Test
  void report_leadsWithTheSaturationRate_andCpuPerDeliveryAtFixedRates() throws Exception {
    Sweep.Plan plan = plan(List.of("netty"), List.of(1000));
    List<Sweep.Point> points =
        List.of(
            point("netty", 25, 1, 3),
            point("netty", 25, 2, 4),
            point("netty", 25, 3, 5),
            point("netty", 100, 1, 20),
            point("netty", 200, 1, 120), // past 50 ms, within 250: kept up
            point("netty", 400, 1, 400), // a growing backlog
            point("netty", 400, 2, 300));

    new Report(plan, points, List.of(), "2026-12-08 00:40 UTC", 1, "0.1", "0.1", List.of())
        .write(plan.docs());

    // 0.5 cores: 20 µs per delivery at 25,000/s, 5 at 100,000/s, 2.5 at 200,000/s.
    assertThat(Files.readString(plan.docs().resolve("benchmarks.md")))
        .contains("### Saturation and cost per delivery, 1,000 subscribers")
        .contains("| `netty` | 200,000 | 20.00 | 5.00 | 2.50 | 1.5–2.5 / 3.0–5.0 |")
        .contains("| `netty` | 100,000 |"); // the 50 ms column
  }

  /** The Tomcat target: {@code tomcat} against the naive asyncRemote loop at 1,000 subscribers. */
  @Test
  void report_comparesTomcatWithNaiveTomcat() throws Exception {
    Sweep.Plan plan = plan(List.of("tomcat", "naive-tomcat"), List.of(1000));
    List<Sweep.Point> points =
        List.of(
            point("tomcat", 50, 1, 4),
            point("naive-tomcat", 25, 1, 4),
            point("naive-tomcat", 50, 1, 90)); // fails on latency

    new Report(plan, points, List.of(), "2026-12-07 02:00 UTC", 1, "0.1", "0.1", List.of())
        .write(plan.docs());

    assertThat(Files.readString(plan.docs().resolve("benchmarks.md")))
        .contains("| `tomcat` | 50,000 |")
        .contains("| `naive-tomcat` | 25,000 |")
        .contains(
            "At 1,000 subscribers, against `naive-tomcat`: `tomcat` 2.00×, `naive-tomcat` 1.00×.")
        .doesNotContain("against `naive-jetty`");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1000})
  void report_saysWhichModeTheTwoNodesRan(int history) throws Exception {
    Integer roomHistory = history < 0 ? null : history;
    Sweep.Plan plan = plan(List.of("netty"), List.of(1000), List.of("netty"), roomHistory);
    List<Sweep.Point> points = new ArrayList<>();
    points.add(point("netty", 25, 1, 3));
    points.add(point("netty", 2, 25, 1, 4));

    new Report(
            plan, points, List.of(), "2026-12-08 02:00 UTC", 1.0, "0.1 0.2 0.3", "1 2 3", List.of())
        .write(plan.docs());

    String md = Files.readString(plan.docs().resolve("benchmarks.md"));
    assertThat(md).contains("### Two nodes over Redis").contains("| `netty` ×2 | 25 | 1 |");
    switch (history) {
      case -1 -> assertThat(md).contains("**Mode: relay to all**").doesNotContain("XADD");
      case 0 ->
          assertThat(md)
              .contains("**Mode: one room, history 0** (`--cross-node-room-history 0`")
              .contains(".history(0)`")
              .doesNotContain("XADD");
      default ->
          assertThat(md)
              .contains("**Mode: one room, history 1,000** (`--cross-node-room-history 1000`")
              .contains("`XADD MAXLEN = 1000`")
              .contains("`historySize(1000)`");
    }
  }
}
