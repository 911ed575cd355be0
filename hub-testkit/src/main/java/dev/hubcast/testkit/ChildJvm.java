package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A JVM started by a test on the test's own class path, optionally under a lower file-descriptor
 * limit ({@code ulimit -n}, through {@code bash}), and what a test reads of it on Linux: its lines
 * on standard output, its log (standard error, kept in a temporary file), its open file descriptors
 * and its CPU time from {@code /proc}. Closing it closes its standard input (the child's mains in
 * this package exit on that), waits a few seconds, then kills it, and deletes the log.
 *
 * <p>Thread-safe: a reader thread takes its output; the rest may be called from any thread.
 */
final class ChildJvm implements AutoCloseable {

  private static final Path PROC = Path.of("/proc");

  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reader;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ended) {
                // the child is gone
              }
            },
            "child-jvm-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Whether this machine can run children under a limit and read them: Linux, /proc and bash. */
  static boolean supported() {
    return Files.isDirectory(PROC.resolve("self/fd"))
        && Files.isReadable(PROC.resolve("self/stat"))
        && Files.isExecutable(Path.of("/bin/bash"));
  }

  /**
   * Starts {@code mainClass} with {@code args} in a JVM of its own (a small heap, the serial
   * collector) on this JVM's class path, under {@code ulimit -n fdLimit} if {@code fdLimit} &gt; 0.
   */
  static ChildJvm start(int fdLimit, String mainClass, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add("/bin/bash");
    command.add("-c");
    // exec: the JVM takes the shell's process, so Process.pid() is the JVM's.
    command.add(
        (fdLimit > 0 ? "ulimit -n " + fdLimit + " && " : "")
            + "exec \"$0\" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " -cp \"$HUBCAST_CHILD_CP\" \"$@\"");
    command.add(java);
    command.add(mainClass);
    command.addAll(List.of(args));
    Path log = Files.createTempFile("hubcast-child-", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
    pb.environment().put("HUBCAST_CHILD_CP", System.getProperty("java.class.path"));
    try {
      return new ChildJvm(pb.start(), log);
    } catch (IOException e) {
      Files.deleteIfExists(log);
      throw e;
    }
  }

  /** The child's process id. */
  long pid() {
    return process.pid();
  }

  /** Whether the child is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the child's next line on standard output that starts with {@code prefix} (earlier
   * lines are skipped) and returns the rest of it.
   */
  String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null) {
          throw new AssertionError(
              "waited "
                  + timeout
                  + " for a line starting with \""
                  + prefix
                  + "\" from the child JVM (alive: "
                  + process.isAlive()
                  + "); its log ends with:\n"
                  + logTail(40));
        }
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for the child JVM", e);
    }
  }

  /** Writes a line to the child's standard input. */
  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** How many file descriptors the child has open now. */
  int openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(PROC.resolve(pid() + "/fd"))) {
      return (int) fds.count();
    }
  }

  /** The child's CPU time so far, user and system, all its threads. */
  Duration cpuTime() throws IOException {
    String stat = Files.readString(PROC.resolve(pid() + "/stat"));
    // After the command name in parentheses (which may hold spaces): state is field 3, utime 14,
    // stime 15, counted from 1.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return Duration.ofNanos(ticks * (1_000_000_000L / ClockTicks.PER_SECOND));
  }

  /** The child's log lines so far (its standard error). */
  List<String> logLines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code n} lines of the child's log, for a failure message. */
  String logTail(int n) {
    List<String> all = logLines();
    return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
  }

  /**
   * Closes the child's standard input, waits up to 5 s for it to exit, kills it if it has not, and
   * deletes its log.
   */
  @Override
  public void close() throws IOException {
    try {
      process.getOutputStream().close();
    } catch (IOException gone) {
      // it has exited already
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(5000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Checks that the child is still running, with its log's end if not. */
  void assertAlive() {
    assertThat(process.isAlive())
        .as("the child JVM is running; its log ends with:\n%s", logTail(40))
        .isTrue();
  }

  @Override
  public String toString() {
    return "ChildJvm[pid " + pid() + (process.isAlive() ? "" : ", exited") + "]";
  }

  /** The kernel's clock ticks per second ({@code getconf CLK_TCK}), for {@code /proc/pid/stat}. */
  private static final class ClockTicks {
    static final long PER_SECOND = read();

    private static long read() {
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return Long.parseLong(out.trim());
        }
      } catch (IOException | NumberFormatException e) {
        // the usual value below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 100;
    }
  }
}
