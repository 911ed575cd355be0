package dev.hubcast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A one-line description of this machine for the report. Stateless and thread-safe. */
final class Machine {
  private Machine() {}

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
