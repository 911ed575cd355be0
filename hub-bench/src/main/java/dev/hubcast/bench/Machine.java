package dev.hubcast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This machine for the report: a one-line description, and the CPU time all its processes have
 * used. Stateless and thread-safe.
 */
final class Machine {
  private Machine() {}

  /**
   * The CPU time every process on this machine has used since boot (user, nice, system, irq,
   * softirq and steal, from {@code /proc/stat}), or -1 where there is none.
   */
  static long busyNanos() {
    try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"))) {
      String[] f = r.readLine().trim().split("\\s+"); // cpu user nice system idle iowait irq ...
      long ticks = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        ticks += Long.parseLong(f[i]);
      }
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (Exception e) {
      return -1;
    }
  }

  static String describe() {
    String cpu = "unknown CPU";
    long memKb = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
    return String.format(
        Locale.ROOT,
        "%s, %d cores, %.0f GiB, %s, Java %s (%s)",
        cpu,
        Runtime.getRuntime().availableProcessors(),
        memKb / 1024.0 / 1024.0,
        kernel,
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"));
  }
}
