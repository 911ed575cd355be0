package dev.hubcast.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The entry point of {@code hub-bench.jar}: the commands {@code server}, {@code load}, {@code
 * sweep}, {@code jmh} and {@code help}, parsed by picocli. Runs on the main thread; not for use as
 * a library.
 *
 * <pre>
 * java -jar hub-bench.jar server --transport jetty|netty|tomcat|naive-jetty|naive-netty|naive-tomcat|... --port P [--policy all|others]
 *     [--redis redis://HOST:PORT] [--room-history N]
 * java -jar hub-bench.jar load --url ws://127.0.0.1:P/[,ws://127.0.0.1:Q/] --subscribers N [--publishers K] --rate MSGS_PER_S
 *     --size BYTES --duration S [--warmup S]
 * java -jar hub-bench.jar sweep [--quick]
 * java -jar hub-bench.jar jmh FanOutBenchmark -prof gc
 * java -jar hub-bench.jar COMMAND --help
 * </pre>
 */
@Command(
    name = "hub-bench.jar",
    synopsisSubcommandLabel = "COMMAND",
    description = "Load generator, relay servers, sweep and JMH benchmarks of Hubcast.",
    subcommands = {
      ServerCommand.class,
      LoadCommand.class,
      SweepCommand.class,
      SoakCommand.class,
      Bench.Jmh.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  java -jar hub-bench.jar server --transport netty --port 8080",
      "  java -jar hub-bench.jar load --url ws://127.0.0.1:8080/ --subscribers 1000 \\",
      "      --rate 100 --duration 10",
      "  java -jar hub-bench.jar sweep --quick",
      "  java -jar hub-bench.jar jmh FanOutBenchmark -prof gc"
    })
public final class Bench implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help; COMMAND --help shows a command's options.")
  private boolean help;

  private Bench() {}

  /** Runs one command and exits with its status: 0, or 2 for a usage error. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The bench's command line. An {@link IllegalArgumentException} from a command's own checks (a
   * transport that does not take {@code --redis}, say) is a usage error, as a bad option is.
   */
  static CommandLine commandLine() {
    CommandLine commandLine = Options.withNumbers(new CommandLine(new Bench()));
    commandLine.getSubcommands().get("jmh").setStopAtUnmatched(true);
    commandLine.setExecutionExceptionHandler(
        (e, command, parseResult) -> {
          if (!(e instanceof IllegalArgumentException)) {
            throw e;
          }
          command.getErr().println(e.getMessage());
          command.usage(command.getErr());
          return command.getCommandSpec().exitCodeOnInvalidInput();
        });
    return commandLine;
  }

  /** No command: the usage, as an error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return spec.exitCodeOnInvalidInput();
  }

  /** The {@code jmh} command: JMH's own command line, passed through as it is. */
  @Command(
      name = "jmh",
      description = {
        "JMH benchmarks of the core; every argument goes to JMH as it is.",
        "",
        "  jmh FanOutBenchmark -prof gc",
        "  jmh RoomBenchmark -prof gc",
        "  jmh -h      (JMH's own options)",
        ""
      })
  static final class Jmh implements Callable<Integer> {
    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Unmatched private List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
      return 0;
    }
  }
}
