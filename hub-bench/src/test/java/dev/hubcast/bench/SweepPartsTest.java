package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's parts without a sweep: a real {@code server} child process started, asked for its
 * figures and stopped; and a report written from made-up points into a copy of the docs.
 */
class SweepPartsTest {
  @TempDir Path dir;

  private Sweep.Plan plan(List<String> servers, List<Integer> subscribers) {
    return new Sweep.Plan(
        servers,
        subscribers,
        1,
        2,
        0,
        3,
        2,
        List.of(),
        List.of(),
        false,
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

  private static Sweep.Point point(String server, double rate, int run, double p99) {
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
        1,
        1000,
        rate,
        run,
        load,
        0.5,
        100,
        200_000_000,
        50_000_000,
        Double.NaN,
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

    new Report(plan, points, List.of(), "2026-12-07 02:00 UTC", 1.5, "0.1 0.2 0.3 1/2 3", "1 2 3")
        .write(docs);

    String md = Files.readString(docs.resolve("benchmarks.md"));
    assertThat(md).startsWith("# Benchmarks\n\nby hand, before\n\n" + Sweep.BEGIN);
    assertThat(md).endsWith(Sweep.END + "\n\nby hand, after\n");
    assertThat(md).doesNotContain("the last sweep");
    assertThat(md).contains("java -jar hub-bench/target/hub-bench.jar sweep --quick");
    assertThat(md).contains("| `netty` | 50,000 |").contains("| `jetty` | 25,000 |");
    assertThat(md).contains("| `netty` | 50 | 1 | 50,000 |").contains("| **no** |");
    assertThat(docs.resolve("img/p99-vs-offered-1000.png")).isNotEmptyFile();
    assertThat(docs.resolve("img/throughput-vs-subscribers.png")).isNotEmptyFile();
  }
}
