package dev.hubcast.bench;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * What the commands' options share: number converters that accept {@code 1_000} and (for integers)
 * {@code 1,000}, as the bench always has, and the lower-bound checks whose message names the
 * command, the option and the value ({@code load: --subscribers: -1 (expected: >= 0)}).
 *
 * <p>Stateless and thread-safe.
 */
final class Options {
  private Options() {}

  /** Registers the number converters on {@code commandLine} and its subcommands. */
  static CommandLine withNumbers(CommandLine commandLine) {
    ITypeConverter<Integer> integer = Options::integer;
    ITypeConverter<Double> decimal = Options::decimal;
    return commandLine
        .registerConverter(Integer.class, integer)
        .registerConverter(int.class, integer)
        .registerConverter(Double.class, decimal)
        .registerConverter(double.class, decimal);
  }

  static int integer(String value) {
    try {
      return Integer.parseInt(value.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' (expected: an integer)");
    }
  }

  static double decimal(String value) {
    try {
      return Double.parseDouble(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' (expected: a number)");
    }
  }

  /** {@code value}, or a usage error when it is under {@code min}. */
  static int atLeast(CommandSpec spec, String option, int value, int min) {
    if (value < min) {
      throw bad(spec, option, Integer.toString(value), ">= " + min);
    }
    return value;
  }

  /** {@code value}, or a usage error when it is under {@code min} (or not a number). */
  static double atLeast(CommandSpec spec, String option, double value, double min) {
    if (!(value >= min)) {
      throw bad(spec, option, Sweep.fmt(value), ">= " + Sweep.fmt(min));
    }
    return value;
  }

  /** A usage error of {@code spec}'s command: {@code load: --url: "x" (expected: ws://...)}. */
  static ParameterException bad(CommandSpec spec, String option, String value, String expected) {
    return new ParameterException(
        spec.commandLine(),
        String.format(
            Locale.ROOT, "%s: %s: %s (expected: %s)", spec.name(), option, value, expected));
  }
}
