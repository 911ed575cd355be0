package dev.hubcast.bench;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The soak: one adapter's {@link SoakServer} in a process of its own (pinned to CPU 1 when the
 * machine has two and {@code taskset} is there), the {@link SoakLoad} against it in another (CPU
 * 0), for a given number of minutes; and every {@link Plan#sampleEvery} seconds, from here, the
 * server's figures after a full GC (heap, direct memory, threads, open file descriptors) through
 * its standard input and output. At the end, {@link Trend} judges each series, and the load's
 * figures (loss, unexpected closes, the stalled clients) are checked.
 *
 * <p>Runs on the calling thread; a daemon thread per child process reads its output. Every child
 * process is ended before {@link #run} returns or throws.
 */
final class Soak {

  private static final double MIB = 1024.0 * 1024.0;

  /** The warm-up, as {@link Trend} leaves it out. */
  static final double WARMUP_FRACTION = Trend.WARMUP_FRACTION;

  /**
   * Heap after GC may grow by 10% of its mean over the run, and at least by 2 MiB: twice the one
   * stalled client's outbox (1 MiB), which a sample can catch full. Over 30 minutes a leak of 1 KB
   * per churned connection (3,600 of them) or of one stalled outbox in every 10 stalls exceeds it.
   */
  static final Trend.Bound HEAP_BOUND = new Trend.Bound(0.10, 2 * MIB);

  /**
   * Direct memory may grow by 10% of its mean over the run, and at least by 8 MiB: Netty's pool
   * grows by chunks of a few MiB and keeps them, and one such step in the middle of the run fits
   * its line with a growth of 1.5 times the step. Over 30 minutes a leak of 2.5 KB per churned
   * connection or of one stalled outbox (1 MiB) in every 3 stalls exceeds it.
   */
  static final Trend.Bound DIRECT_BOUND = new Trend.Bound(0.10, 8 * MIB);

  /** Threads at work may grow by 3 over the run: a thread of a pool more or less, no more. */
  static final Trend.Bound THREADS_BOUND = new Trend.Bound(0, 3);

  /**
   * Open file descriptors may grow by 10 over the run: connections mid-churn or stalled at a sample
   * come and go; one leaked per churn cycle would be 180 in 30 minutes.
   */
  static final Trend.Bound FDS_BOUND = new Trend.Bound(0, 10);

  /**
   * One adapter's run. Durations in seconds.
   *
   * @param rate the publisher's messages per second (each goes to every subscriber)
   * @param churn subscribers that leave, and as many that connect, every {@code period}
   * @param moves subscribers that move to another room every {@code period}
   * @param stallEvery how often a client connects and stops reading (the first 5 s in)
   * @param stallFor how long it does not read; the server must have closed it by then
   * @param pin pin the server to CPU 1 and the load to CPU 0 ({@code taskset}) when possible
   */
  record Plan(
      String transport,
      double minutes,
      int subscribers,
      double rate,
      int size,
      int rooms,
      int churn,
      int moves,
      double period,
      double sampleEvery,
      double stallEvery,
      double stallFor,
      double stallCloseWithin,
      boolean pin,
      List<String> serverJvm,
      List<String> loadJvm,
      Path work) {

    /** The documented soak of {@code transport} ({@code jetty}, {@code netty}) for N minutes. */
    static Plan of(String transport, double minutes, Path work) {
      return new Plan(
          transport,
          minutes,
          1000,
          Soak.rate(transport),
          64,
          8,
          20,
          100,
          10,
          10,
          60,
          40,
          15,
          true,
          List.of("-Xmx1g"),
          List.of("-Xmx1g"),
          work);
    }

    double seconds() {
      return minutes * 60;
    }

    /** This plan, pinned or not. */
    Plan pinned(boolean pinned) {
      return new Plan(
          transport,
          minutes,
          subscribers,
          rate,
          size,
          rooms,
          churn,
          moves,
          period,
          sampleEvery,
          stallEvery,
          stallFor,
          stallCloseWithin,
          pinned,
          serverJvm,
          loadJvm,
          work);
    }
  }

  /**
   * Half the sustainable rate at 1,000 subscribers (docs/benchmarks.md): {@code netty} sustained
   * 200,000-280,000 deliveries/s on one core, so 100 messages/s (100,000/s); {@code jetty}
   * 150,000-200,000, so 75 (75,000/s).
   */
  static double rate(String transport) {
    return switch (transport) {
      case "netty" -> 100;
      case "jetty" -> 75;
      default ->
          throw new IllegalArgumentException(
              "transport: \"" + transport + "\" (expected: jetty or netty)");
    };
  }

  /** One server sample, {@code t} seconds after the load started. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Sampled(double t, SoakServer.Sample sample) {}

  /**
   * The series {@link Trend} judges, with their units and bounds. Threads are the live ones less
   * the idle threads of Jetty's pool ({@link SoakServer.Sample#threadsLessIdle()}; all of them on
   * Netty, which has no such pool): Jetty grows its pool when work queues and retires one idle
   * thread per idle timeout (60 s), so a minute of a stalled machine leaves idle threads for half
   * an hour, which is no leak; a thread that never ends is not idle, and counts.
   */
  enum Series {
    HEAP("heap after GC", "bytes", HEAP_BOUND, s -> s.heapAfterGc()),
    DIRECT("direct memory", "bytes", DIRECT_BOUND, s -> s.direct()),
    THREADS("threads at work", "threads", THREADS_BOUND, s -> s.threadsLessIdle()),
    FDS("open fds", "fds", FDS_BOUND, s -> s.fds());

    final String label;
    final String unit;
    final Trend.Bound bound;
    final ToDoubleFunction<SoakServer.Sample> value;

    Series(
        String label, String unit, Trend.Bound bound, ToDoubleFunction<SoakServer.Sample> value) {
      this.label = label;
      this.unit = unit;
      this.bound = bound;
      this.value = value;
    }
  }

  /**
   * One adapter's soak: what was planned, sampled and measured, the verdicts, and what failed
   * ({@code problems}, empty when it passed).
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Result(
      Plan plan,
      String started,
      String machine,
      String loadAverageBefore,
      String loadAverageAfter,
      String serverCommand,
      String loadCommand,
      List<Sampled> samples,
      List<SoakLoad.Tick> ticks,
      SoakLoad.Done load,
      long slowConsumerCloses,
      List<Trend.Verdict> verdicts,
      List<String> problems) {

    boolean passed() {
      return problems.isEmpty();
    }

    /** The summary a report or a test failure shows. */
    String summary() {
      StringBuilder s = new StringBuilder();
      s.append(
          String.format(
              Locale.ROOT,
              "soak %s: %.0f min, %,d subscribers, %.0f msg/s (%,.0f deliveries/s), started %s%n",
              plan.transport(),
              plan.minutes(),
              plan.subscribers(),
              plan.rate(),
              plan.rate() * plan.subscribers(),
              started));
      s.append("  load average before ")
          .append(loadAverageBefore)
          .append(", after ")
          .append(loadAverageAfter)
          .append('\n');
      for (Trend.Verdict v : verdicts) {
        s.append("  ").append(v.line()).append('\n');
      }
      if (load != null) {
        s.append(
            String.format(
                Locale.ROOT,
                "  load: sent %,d, delivered %,d, lost %d, duplicates %d, reordered %d, room"
                    + " deliveries %,d; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms"
                    + " (after the warm-up); churned %,d, moves %,d, unexpected closes %d %s%n",
                load.sent(),
                load.delivered(),
                load.lost(),
                load.duplicates(),
                load.reordered(),
                load.roomDeliveries(),
                load.p50Ms(),
                load.p99Ms(),
                load.p999Ms(),
                load.maxMs(),
                load.churned(),
                load.moves(),
                load.unexpectedCloses(),
                load.unexpectedCodes()));
        long closed = load.stalls().stream().filter(SoakLoad.Stall::closed).count();
        s.append(
            String.format(
                Locale.ROOT,
                "  stalled clients: %d, closed %d; the server's slow-consumer closes: %d%n",
                load.stalls().size(),
                closed,
                slowConsumerCloses));
      }
      s.append(problems.isEmpty() ? "  PASSED" : "  FAILED: " + String.join("; ", problems));
      return s.toString();
    }
  }

  private Soak() {}

  /**
   * Runs {@code plan}; progress lines go to {@code log}. The samples, ticks and result are written
   * to {@code plan.work()} as {@code soak-<transport>.json} and CSV files, and the logs of the two
   * processes beside them.
   */
  static Result run(Plan plan, Consumer<String> log) throws Exception {
    Files.createDirectories(plan.work());
    String t = plan.transport();
    boolean pin = plan.pin() && canPin();
    String started = Instant.now().toString();
    String loadBefore = loadAverage();
    List<String> serverArgs = new ArrayList<>(List.of(t, "0"));
    List<String> serverCmd = java(pin ? "1" : null, plan.serverJvm(), SoakServer.class, serverArgs);
    Path serverLog = plan.work().resolve("soak-" + t + "-server.log");
    Child server = null;
    Child load = null;
    List<Sampled> samples = new ArrayList<>();
    List<SoakLoad.Tick> ticks = new CopyOnWriteArrayList<>();
    try {
      server = new Child(serverCmd, serverLog, null);
      String ready = server.await("READY", Duration.ofSeconds(60));
      int port = Integer.parseInt(ready.replaceAll(".*port=(\\d+).*", "$1"));
      SoakLoad.Config config =
          new SoakLoad.Config(
              "ws://127.0.0.1:" + port + "/",
              plan.subscribers(),
              plan.rate(),
              plan.size(),
              plan.rooms(),
              plan.churn(),
              plan.moves(),
              plan.period(),
              plan.stallEvery(),
              plan.stallFor(),
              plan.stallCloseWithin(),
              plan.seconds(),
              WARMUP_FRACTION * plan.seconds(),
              1);
      List<String> loadCmd =
          java(pin ? "0" : null, plan.loadJvm(), SoakLoad.class, List.of(Json.write(config)));
      log.accept(
          String.format(
              Locale.ROOT,
              "soak %s: server pid %d on port %d%s; %,d subscribers at %.0f msg/s for %.1f min",
              t,
              server.process.pid(),
              port,
              pin ? " (server CPU 1, load CPU 0)" : " (not pinned)",
              plan.subscribers(),
              plan.rate(),
              plan.minutes()));
      load =
          new Child(
              loadCmd,
              plan.work().resolve("soak-" + t + "-load.log"),
              line -> {
                if (line.startsWith("TICK ")) {
                  try {
                    ticks.add(Json.read(line.substring(5), SoakLoad.Tick.class));
                  } catch (IOException e) {
                    log.accept("unreadable tick: " + line);
                  }
                }
              });
      load.await("START", Duration.ofSeconds(120));
      long t0 = System.nanoTime();
      long end = t0 + nanos(plan.seconds());
      // Samples in the middle of each period, away from the churn at its start.
      for (long at = t0 + nanos(plan.sampleEvery() / 2);
          at < end;
          at += nanos(plan.sampleEvery())) {
        sleepUntil(at);
        double seconds = (System.nanoTime() - t0) / 1e9;
        SoakServer.Sample s = server.sample();
        samples.add(new Sampled(seconds, s));
        log.accept(
            String.format(
                Locale.ROOT,
                "  t=%5.0fs heap %.1f MiB, direct %.1f MiB, threads %d (%d idle in a pool), fds %d,"
                    + " connections %d, slow-consumer closes %d",
                seconds,
                s.heapAfterGc() / MIB,
                s.direct() / MIB,
                s.threads(),
                Math.max(0, s.poolIdleThreads()),
                s.fds(),
                s.connections(),
                s.slowConsumerCloses()));
        if (!load.process.isAlive()) {
          throw new IllegalStateException(
              "the load ended early (exit " + load.process.exitValue() + "); see " + load.log);
        }
      }
      String doneLine = load.await("DONE", Duration.ofSeconds((long) plan.stallCloseWithin() + 90));
      SoakLoad.Done done = Json.read(doneLine.substring(5), SoakLoad.Done.class);
      long closes = server.sample().slowConsumerCloses();
      Result result =
          judge(
              plan,
              started,
              loadBefore,
              loadAverage(),
              display(serverCmd),
              display(loadCmd),
              samples,
              List.copyOf(ticks),
              done,
              closes);
      write(result, plan.work());
      log.accept(result.summary());
      return result;
    } finally {
      if (load != null) {
        load.close();
      }
      if (server != null) {
        server.quit();
      }
    }
  }

  /** The verdicts and problems of a finished run. */
  static Result judge(
      Plan plan,
      String started,
      String loadBefore,
      String loadAfter,
      String serverCommand,
      String loadCommand,
      List<Sampled> samples,
      List<SoakLoad.Tick> ticks,
      SoakLoad.Done done,
      long slowConsumerCloses) {
    double[] t = samples.stream().mapToDouble(Sampled::t).toArray();
    List<Trend.Verdict> verdicts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Series series : Series.values()) {
      double[] y =
          samples.stream().mapToDouble(s -> series.value.applyAsDouble(s.sample())).toArray();
      Trend.Verdict v = Trend.check(series.label, series.unit, t, y, plan.seconds(), series.bound);
      verdicts.add(v);
      if (!v.passed()) {
        problems.add(v.series() + " grows: " + v.line().trim());
      }
    }
    if (done.lost() > 0 || done.duplicates() > 0 || done.reordered() > 0) {
      problems.add(
          String.format(
              Locale.ROOT,
              "deliveries: %d lost, %d duplicated, %d reordered",
              done.lost(),
              done.duplicates(),
              done.reordered()));
    }
    if (done.unexpectedCloses() > 0) {
      problems.add(
          done.unexpectedCloses()
              + " subscribers closed that the load did not close (codes: "
              + done.unexpectedCodes()
              + ")");
    }
    long stalls = done.stalls().size();
    long closed = done.stalls().stream().filter(SoakLoad.Stall::closed).count();
    if (stalls == 0) {
      problems.add("no client stalled: the run is shorter than its first stall");
    }
    if (closed < stalls) {
      problems.add(
          (stalls - closed)
              + " of "
              + stalls
              + " stalled clients were still open "
              + plan.stallCloseWithin()
              + " s after they read again");
    }
    if (slowConsumerCloses != stalls) {
      problems.add(
          "the server closed "
              + slowConsumerCloses
              + " slow consumers; "
              + stalls
              + " clients stalled");
    }
    if (done.roomDeliveries() == 0) {
      problems.add("no room broadcast arrived");
    }
    return new Result(
        plan,
        started,
        Machine.describe(),
        loadBefore,
        loadAfter,
        serverCommand,
        loadCommand,
        List.copyOf(samples),
        ticks,
        done,
        slowConsumerCloses,
        verdicts,
        problems);
  }

  /**
   * A saved run ({@code soak-<t>.json}) judged again by this build's rule and bounds, from its
   * samples and the load's figures as they were measured; written back beside the original, with
   * {@code -rejudged} in the file names.
   */
  static Result rejudge(Path json) throws IOException {
    Result r = Json.read(Files.readString(json), Result.class);
    Result again =
        judge(
            r.plan(),
            r.started(),
            r.loadAverageBefore(),
            r.loadAverageAfter(),
            r.serverCommand(),
            r.loadCommand(),
            r.samples(),
            r.ticks(),
            r.load(),
            r.slowConsumerCloses());
    Result kept =
        new Result(
            again.plan(),
            again.started(),
            r.machine(),
            again.loadAverageBefore(),
            again.loadAverageAfter(),
            again.serverCommand(),
            again.loadCommand(),
            again.samples(),
            again.ticks(),
            again.load(),
            again.slowConsumerCloses(),
            again.verdicts(),
            again.problems());
    write(kept, json.getParent(), "-rejudged");
    return kept;
  }

  /** {@code soak-<t>.json}, {@code soak-<t>-samples.csv} and {@code soak-<t>-ticks.csv}. */
  private static void write(Result r, Path dir) throws IOException {
    write(r, dir, "");
  }

  private static void write(Result r, Path dir, String suffix) throws IOException {
    String t = r.plan().transport();
    Files.writeString(dir.resolve("soak-" + t + suffix + ".json"), Json.write(r) + "\n");
    StringBuilder csv =
        new StringBuilder(
            "t_s,heap_after_gc,direct,direct_jdk,direct_netty,direct_netty_pooled,threads,pool_threads,"
                + "pool_idle_threads,fds,rss,"
                + "connections,rooms,slow_consumer_closes,pending_frames,pending_bytes,cpu_ns\n");
    for (Sampled s : r.samples()) {
      SoakServer.Sample x = s.sample();
      csv.append(
          String.format(
              Locale.ROOT,
              "%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d%n",
              s.t(),
              x.heapAfterGc(),
              x.direct(),
              x.directJdk(),
              x.directNetty(),
              x.directNettyPooled(),
              x.threads(),
              x.poolThreads(),
              x.poolIdleThreads(),
              x.fds(),
              x.rss(),
              x.connections(),
              x.rooms(),
              x.slowConsumerCloses(),
              x.pendingFrames(),
              x.pendingBytes(),
              x.cpuNs()));
    }
    Files.writeString(dir.resolve("soak-" + t + suffix + "-samples.csv"), csv);
    StringBuilder ticks =
        new StringBuilder(
            "t_s,connected,sent,delivered,lost,p50_ms,p99_ms,max_ms,room_deliveries,churned,"
                + "moves,unexpected_closes,stalls_started,stalls_closed\n");
    for (SoakLoad.Tick k : r.ticks()) {
      ticks.append(
          String.format(
              Locale.ROOT,
              "%.1f,%d,%d,%d,%d,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d,%d%n",
              k.t(),
              k.connected(),
              k.sent(),
              k.delivered(),
              k.lost(),
              k.p50Ms(),
              k.p99Ms(),
              k.maxMs(),
              k.roomDeliveries(),
              k.churnedTotal(),
              k.movesTotal(),
              k.unexpectedClosesTotal(),
              k.stallsStarted(),
              k.stallsClosed()));
    }
    Files.writeString(dir.resolve("soak-" + t + suffix + "-ticks.csv"), ticks);
  }

  /** Whether the server and the load can each have a CPU of their own. */
  static boolean canPin() {
    return Runtime.getRuntime().availableProcessors() >= 2
        && (Files.isExecutable(Path.of("/usr/bin/taskset"))
            || Files.isExecutable(Path.of("/bin/taskset")));
  }

  /** The 1, 5 and 15-minute load averages, from {@code /proc/loadavg}, or "unknown". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static List<String> java(String cpu, List<String> jvm, Class<?> main, List<String> args) {
    List<String> c = new ArrayList<>();
    if (cpu != null) {
      c.addAll(List.of("taskset", "-c", cpu));
    }
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.addAll(jvm);
    c.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    c.addAll(args);
    return c;
  }

  /** A command as a report shows it: the jar for the class path, the JSON argument quoted. */
  private static String display(List<String> command) {
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      String a = command.get(i);
      if (i > 0 && command.get(i - 1).equals("-cp")) {
        shown.add("hub-bench/target/hub-bench.jar");
      } else if (a.startsWith("{")) {
        shown.add("'" + a + "'");
      } else if (a.endsWith("/java")) {
        shown.add("java");
      } else {
        shown.add(a);
      }
    }
    return String.join(" ", shown);
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }

  /**
   * A child process whose standard output a daemon thread reads line by line (each also to {@code
   * each}, when given) and whose standard error goes to its log. Used by one thread.
   */
  private static final class Child implements AutoCloseable {
    final Process process;
    final Path log;
    private final OutputStream in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reaper;

    Child(List<String> command, Path log, Consumer<String> each) throws IOException {
      this.log = log;
      this.process =
          new ProcessBuilder(command)
              .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      // Should this JVM end first (a test run killed), the child goes with it.
      this.reaper = new Thread(process::destroyForcibly, "soak-child-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      this.in = process.getOutputStream();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread reader =
          new Thread(
              () -> {
                try {
                  String l;
                  while ((l = out.readLine()) != null) {
                    if (each != null) {
                      each.accept(l);
                    }
                    lines.add(l);
                  }
                } catch (IOException e) {
                  // ended
                }
              },
              "soak-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** The first line from now on that starts with {@code prefix}, within {@code timeout}. */
    String await(String prefix, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        String l = lines.poll(left, TimeUnit.NANOSECONDS);
        if (l != null && l.startsWith(prefix)) {
          return l;
        }
        if (l == null && !process.isAlive() && lines.isEmpty()) {
          break;
        }
      }
      throw new IllegalStateException(
          "no "
              + prefix
              + " line within "
              + timeout.toSeconds()
              + " s"
              + (process.isAlive() ? "" : " (the process ended, exit " + process.exitValue() + ")")
              + "; see "
              + log);
    }

    /** The server's figures, after a full GC. */
    SoakServer.Sample sample() throws Exception {
      lines.clear();
      in.write("sample\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      String l = await("SAMPLE ", Duration.ofSeconds(60));
      return Json.read(l.substring(7), SoakServer.Sample.class);
    }

    /** Asks a server to quit, then ends it as {@link #close} does. */
    void quit() throws Exception {
      try {
        in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
      } catch (IOException e) {
        // already gone
      }
      process.waitFor(15, TimeUnit.SECONDS);
      close();
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs anyway
      }
    }
  }
}
