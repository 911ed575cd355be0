package dev.hubcast.bench;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} or {@code --flag}, checked against the
 * names a command knows. Not thread-safe; one per command line.
 */
final class Args {
  private final String command;
  private final Map<String, String> values = new HashMap<>();

  private Args(String command) {
    this.command = command;
  }

  /**
   * Parses {@code args}; {@code known} lists the options taking a value, {@code flags} those taking
   * none.
   *
   * @throws IllegalArgumentException for an unknown option or a missing value
   */
  static Args parse(String command, String[] args, Set<String> known, Set<String> flags) {
    Args a = new Args(command);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(command + ": unexpected argument \"" + arg + "\"");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        a.values.put(name, value == null ? "true" : value);
      } else if (known.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(command + ": --" + name + " needs a value");
          }
          value = args[++i];
        }
        a.values.put(name, value);
      } else {
        Set<String> all = new LinkedHashSet<>(known);
        all.addAll(flags);
        throw new IllegalArgumentException(
            command
                + ": unknown option --"
                + name
                + " (known: --"
                + String.join(", --", all)
                + ")");
      }
    }
    return a;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException(command + ": --" + name + " is required");
    }
    return v;
  }

  int integer(String name, int fallback, int min) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    return (int) checked(name, parseLong(name, v), min);
  }

  double decimal(String name, double fallback, double min) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          command + ": --" + name + ": \"" + v + "\" (expected: a number)");
    }
    if (!(d >= min)) {
      throw new IllegalArgumentException(
          command + ": --" + name + ": " + v + " (expected: >= " + min + ")");
    }
    return d;
  }

  private long parseLong(String name, String v) {
    try {
      return Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          command + ": --" + name + ": \"" + v + "\" (expected: an integer)");
    }
  }

  private long checked(String name, long v, long min) {
    if (v < min || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          command + ": --" + name + ": " + v + " (expected: >= " + min + ")");
    }
    return v;
  }
}
