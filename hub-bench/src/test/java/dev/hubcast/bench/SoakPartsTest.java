package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The soak's parts that need no server: its checks on a made-up run, its plot, its rates and the
 * {@code soak} command line. Fast; runs in every build. The trend rule itself: {@link TrendTest}.
 */
class SoakPartsTest {
  private static final double MIB = 1024 * 1024;

  /** A made-up 3-minute run: level series, every stall closed by the policy. */
  private static Soak.Result madeUp(
      Soak.Plan plan, long lost, boolean stallClosed, long slowConsumerCloses) {
    List<Soak.Sampled> samples = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      samples.add(
          new Soak.Sampled(
              5 + 10 * i,
              new SoakServer.Sample(
                  (long) (20 * MIB + (i % 3) * 100_000),
                  (long) (64 * MIB),
                  (long) (8 * MIB),
                  -1,
                  (long) (6 * MIB),
                  false,
                  9 + i % 2,
                  -1,
                  -1,
                  1086,
                  200_000_000,
                  1001,
                  8,
                  1000 + 2L * i,
                  i / 6,
                  0,
                  0,
                  100_000L * i,
                  1_000_000_000L * i)));
    }
    List<SoakLoad.Tick> ticks = new ArrayList<>();
    for (int i = 1; i <= 18; i++) {
      ticks.add(
          new SoakLoad.Tick(
              10 * i, 1000, 1000, 1_000_000, 0, 0, 0, 10_000, 1.5, 9.5, 20, 20 * i, 100 * i, 0, 3,
              3));
    }
    List<SoakLoad.Stall> stalls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      double at = 5 + 60 * i;
      stalls.add(
          new SoakLoad.Stall(at, at + 40, stallClosed ? at + 40.2 : Double.NaN, 1006, 2_000_000));
    }
    SoakLoad.Done done =
        new SoakLoad.Done(
            180,
            18_000,
            18_000_000,
            lost,
            0,
            0,
            180_000,
            1.5,
            9.5,
            20,
            40,
            360,
            1800,
            0,
            "{}",
            stalls);
    return Soak.judge(
        plan,
        "2026-12-07T00:00:00Z",
        "0.5",
        "0.6",
        "s",
        "l",
        samples,
        ticks,
        done,
        slowConsumerCloses);
  }

  @Test
  void judge_passesAGoodRun_andNamesEachProblem(@TempDir Path dir) throws Exception {
    Soak.Plan plan = Soak.Plan.of("netty", 3, dir);
    Soak.Result good = madeUp(plan, 0, true, 3);
    assertThat(good.problems()).as(good.summary()).isEmpty();
    assertThat(good.verdicts())
        .extracting(Trend.Verdict::series)
        .containsExactly("heap after GC", "direct memory", "threads at work", "open fds");
    assertThat(good.summary())
        .contains("soak netty: 3 min, 1,000 subscribers, 100 msg/s", "PASSED");

    assertThat(madeUp(plan, 5, true, 3).problems()).anyMatch(p -> p.contains("5 lost"));
    assertThat(madeUp(plan, 0, false, 3).problems())
        .anyMatch(p -> p.contains("3 of 3 stalled clients were still open"));
    assertThat(madeUp(plan, 0, true, 2).problems())
        .anyMatch(p -> p.contains("the server closed 2 slow consumers; 3 clients stalled"));

    Path png = dir.resolve("soak-netty.png");
    SoakPlots.write(good, png);
    assertThat(Files.size(png)).isGreaterThan(10_000);
    Json.read(Json.write(good), Soak.Result.class); // the JSON the run leaves reads back
  }

  @Test
  void directMemory_countsNettysBuffersOnce() {
    // Netty 4.2 counts the buffers it takes from the JDK (in the JDK's pool too) and those it
    // allocates itself (outside it); only the latter add to the pool's figure.
    SoakServer.Sample throughJdk = sample(5_000_000, 4_000_000, false);
    SoakServer.Sample outside = sample(1_000_000, 4_000_000, true);
    assertThat(throughJdk.direct()).isEqualTo(5_000_000);
    assertThat(outside.direct()).isEqualTo(5_000_000);
    assertThat(sample(100_000, -1, true).direct()).isEqualTo(100_000);
  }

  private static SoakServer.Sample sample(long jdk, long netty, boolean noCleaner) {
    return new SoakServer.Sample(
        0, 0, jdk, netty, -1, noCleaner, 8, -1, -1, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void rejudge_readsASavedRun_andWritesItsVerdictsBeside(@TempDir Path dir) throws Exception {
    Soak.Result saved = madeUp(Soak.Plan.of("jetty", 3, dir), 0, true, 3);
    Path json = dir.resolve("soak-jetty.json");
    Files.writeString(json, Json.write(saved));

    Soak.Result again = Soak.rejudge(json);

    assertThat(again.verdicts()).isEqualTo(saved.verdicts());
    assertThat(again.machine()).isEqualTo(saved.machine());
    assertThat(dir.resolve("soak-jetty-rejudged.json")).exists();
    assertThat(Files.readString(dir.resolve("soak-jetty-rejudged-samples.csv")))
        .startsWith("t_s,heap_after_gc,direct,");
  }

  @Test
  void rates_areHalfTheSustainedRates() {
    assertThat(Soak.Plan.of("netty", 30, Path.of("w")).rate()).isEqualTo(100);
    assertThat(Soak.Plan.of("jetty", 30, Path.of("w")).rate()).isEqualTo(75);
    assertThatThrownBy(() -> Soak.rate("naive-netty")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void soakCommand_parses_andRefusesBadValues() {
    CommandLine cl = Bench.commandLine();
    SoakCommand c =
        cl.parseArgs("soak", "--minutes", "1", "--transports", "jetty", "--no-pin")
            .subcommand()
            .commandSpec()
            .commandLine()
            .getCommand();
    List<Soak.Plan> plans = c.plans();
    assertThat(plans).extracting(Soak.Plan::transport).containsExactly("jetty");
    assertThat(plans.get(0).pin()).isFalse();
    assertThat(SoakCommand.plot(plans.get(0), Path.of("docs")))
        .isEqualTo(Path.of("hub-bench/target/soak/soak-jetty.png"));
    assertThat(SoakCommand.plot(Soak.Plan.of("netty", 30, Path.of("w")), Path.of("docs")))
        .isEqualTo(Path.of("docs/img/soak-netty.png"));

    SoakCommand d =
        Bench.commandLine().parseArgs("soak").subcommand().commandSpec().commandLine().getCommand();
    assertThat(d.plans()).extracting(Soak.Plan::transport).containsExactly("netty", "jetty");
    assertThat(d.plans()).allMatch(p -> p.minutes() == 30 && p.pin());
    // as docs/running-benchmarks.md and docs/testing.md show it
    SoakCommand documented =
        Bench.commandLine()
            .parseArgs("soak", "--minutes", "30")
            .subcommand()
            .commandSpec()
            .commandLine()
            .getCommand();
    assertThat(documented.plans()).extracting(Soak.Plan::minutes).containsExactly(30.0, 30.0);

    for (String[] bad :
        new String[][] {{"soak", "--minutes", "0.5"}, {"soak", "--transports", "naive-netty"}}) {
      SoakCommand b =
          Bench.commandLine().parseArgs(bad).subcommand().commandSpec().commandLine().getCommand();
      assertThatThrownBy(b::plans).isInstanceOf(CommandLine.ParameterException.class);
    }
  }
}
