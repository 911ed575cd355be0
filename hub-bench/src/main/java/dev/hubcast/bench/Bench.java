package dev.hubcast.bench;

import java.util.Arrays;

/**
 * The entry point of {@code hub-bench.jar}: {@code jmh} runs the JMH benchmarks (any JMH option
 * follows).
 *
 * <pre>
 * java -jar hub-bench/target/hub-bench.jar jmh FanOutBenchmark -prof gc
 * </pre>
 *
 * <p>Runs on the main thread; not for use as a library.
 */
public final class Bench {
  private Bench() {}

  /** Runs one command. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      default -> {
        System.err.println("unknown command: " + args[0]);
        usage();
        System.exit(2);
      }
    }
  }

  private static void usage() {
    System.err.println("usage: java -jar hub-bench.jar jmh [JMH options]");
  }
}
