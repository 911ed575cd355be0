package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The bench's command line: every option the commands have always had, their defaults, help on each
 * command, and usage errors that name the option and the value. Nothing is run.
 */
class BenchCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CommandLine commandLine() {
    CommandLine commandLine = Bench.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine;
  }

  private static Set<String> options(CommandLine commandLine, String command) {
    Set<String> names = new TreeSet<>();
    for (OptionSpec o : commandLine.getSubcommands().get(command).getCommandSpec().options()) {
      names.addAll(List.of(o.names()));
    }
    return names;
  }

  @Test
  void commands_haveTheirOptions_andHelp() {
    CommandLine commandLine = commandLine();

    assertThat(options(commandLine, "server"))
        .containsExactlyInAnyOrder(
            "--transport",
            "--port",
            "--host",
            "--policy",
            "--redis",
            "--room-history",
            "--metrics",
            "-h",
            "--help");
    assertThat(options(commandLine, "load"))
        .containsExactlyInAnyOrder(
            "--url",
            "--subscribers",
            "--publishers",
            "--rate",
            "--size",
            "--duration",
            "--warmup",
            "--drain",
            "--threads",
            "--per-address",
            "--json",
            "-h",
            "--help");
    assertThat(options(commandLine, "sweep"))
        .containsExactlyInAnyOrder(
            "--servers",
            "--subscribers",
            "--warmup",
            "--duration",
            "--bisections",
            "--repeats",
            "--max-steps",
            "--idle",
            "--docs",
            "--work",
            "--server-cpu",
            "--load-cpu",
            "--server-jvm",
            "--load-jvm",
            "--cross-node",
            "--cross-node-room-history",
            "--server-metrics",
            "--redis-server",
            "--quick",
            "--no-pin",
            "-h",
            "--help");
    assertThat(options(commandLine, "jmh")).containsExactly("--help");
  }

  @ParameterizedTest
  @CsvSource({"server, --transport", "load, --per-address", "sweep, --cross-node", "jmh, JMH"})
  void help_onEachCommand_listsItsOptions(String command, String shown) {
    assertThat(commandLine().execute(command, "--help")).isZero();

    assertThat(out.toString()).contains("Usage: hub-bench.jar " + command).contains(shown);
  }

  @Test
  void help_command_andNoCommand_showTheCommands() {
    assertThat(commandLine().execute("help")).isZero();
    assertThat(out.toString()).contains("server", "load", "sweep", "jmh");

    assertThat(commandLine().execute()).isEqualTo(2);
    assertThat(err.toString()).contains("Usage: hub-bench.jar");
  }

  @Test
  void load_defaults_andNumbersWithSeparators() {
    CommandLine commandLine = commandLine();
    commandLine.parseArgs(
        "load",
        "--url",
        "ws://127.0.0.1:8080/,ws://127.0.0.1:8081/",
        "--subscribers",
        "1,000",
        "--rate",
        "1_000.5",
        "--duration=10");
    LoadCommand load = commandLine.getSubcommands().get("load").getCommand();

    LoadGenerator.Config config = load.config();

    assertThat(config.urls()).hasSize(2);
    assertThat(config.subscribers()).isEqualTo(1000);
    assertThat(config.rate()).isEqualTo(1000.5);
    assertThat(config.publishers()).isEqualTo(1);
    assertThat(config.size()).isEqualTo(64);
    assertThat(config.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.drain()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.perAddress()).isEqualTo(20_000);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "load --url ws://127.0.0.1:1/ --subscribers -1 --rate 1 --duration 1 | load: --subscribers: -1 (expected: >= 0)",
        "load --url ws://127.0.0.1:1/ --subscribers 1 --rate 1 --duration 0.05 | load: --duration: 0.05 (expected: >= 0.1)",
        "load --url ws://127.0.0.1:1/ --subscribers x --rate 1 --duration 1 | Invalid value for option '--subscribers': 'x' (expected: an integer)",
        "load --url ftp://127.0.0.1:1/ --subscribers 1 --rate 1 --duration 1 | load: --url: ftp://127.0.0.1:1/ (expected: ws://... or http://...)",
        "load --url ws://127.0.0.1:1/,http://127.0.0.1:2/sse --subscribers 1 --rate 1 --duration 1 | (expected: all ws://... or all http://...)",
        "load --url ws://127.0.0.1:1/ --subscribers 1 --rate 1 | --duration",
        "server --transport nety | server: --transport: \"nety\" (expected: jetty, netty, netty-io-uring, netty-sse, naive-jetty, naive-netty, tomcat, tomcat-upgrade, naive-tomcat or uws)",
        "server --transport netty --policy some | server: --policy: \"some\" (expected: all or others)",
        "server --transport netty --port -2 | server: --port: -2 (expected: >= 0)",
        "server --transport naive-netty --port 0 --redis redis://127.0.0.1:1 | --redis: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade",
        "server --transport netty --room-history -1 | server: --room-history: -1 (expected: 0-1000000)",
        "server --transport netty --room-history 1000001 | server: --room-history: 1000001 (expected: 0-1000000)",
        "server --transport netty --room-history many | Invalid value for option '--room-history': 'many' (expected: an integer)",
        "server --transport naive-tomcat --port 0 --metrics | server: --metrics: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade, not naive-tomcat",
        "server --transport naive-jetty --port 0 --room-history 10 | server: --room-history: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade, not naive-jetty",
        "sweep --servers netty,nety | sweep: --servers: \"nety\"",
        "sweep --servers netty,sse | sweep: --servers: \"sse\" (expected: netty, netty-io-uring, jetty, naive-netty, naive-jetty, tomcat, tomcat-upgrade, naive-tomcat, netty-sse (Server-Sent Events), netty-sse-ws or uws (uWebSockets.js on Node.js))",
        "sweep --subscribers 10,x | sweep: --subscribers: \"x\"",
        "sweep --cross-node naive-netty | sweep: --cross-node: \"naive-netty\"",
        "sweep --repeats 0 | sweep: --repeats: 0 (expected: >= 1)",
        "sweep --cross-node-room-history -5 | sweep: --cross-node-room-history: -5 (expected: 0-1000000)",
        "sweep --cross-node-room-history x | Invalid value for option '--cross-node-room-history': 'x' (expected: an integer)",
        "sweep --cross-node none --cross-node-room-history 0 | sweep: --cross-node-room-history: 0 (expected: with --cross-node netty or jetty)",
        "sweep --quick --cross-node-room-history 1000 | sweep: --cross-node-room-history: 1000 (expected: with --cross-node netty or jetty)",
        "sweep --bogus | --bogus",
        "bogus | bogus"
      })
  void badValues_areUsageErrors_namingTheOptionAndValue(String args, String message) {
    assertThat(commandLine().execute(args.split(" "))).isEqualTo(2);

    assertThat(err.toString()).contains(message).contains("Usage:");
  }

  @Test
  void sweep_defaults_andQuick() {
    CommandLine commandLine = commandLine();
    commandLine.parseArgs("sweep");
    Sweep.Plan plan = commandLine.getSubcommands().get("sweep").<SweepCommand>getCommand().plan();

    assertThat(plan.servers()).containsExactly("netty", "jetty", "naive-netty", "naive-jetty");
    assertThat(plan.subscriberCounts()).containsExactly(100, 1000, 10000);
    assertThat(plan.idleCounts()).containsExactly(5000, 10000);
    assertThat(plan.crossNode()).containsExactly("netty", "jetty");
    assertThat(plan.crossNodeRoomHistory()).isNull();
    assertThat(List.of(plan.warmup(), plan.duration())).containsExactly(4.0, 8.0);
    assertThat(List.of(plan.bisections(), plan.repeats(), plan.maxSteps()))
        .containsExactly(3, 3, 12);
    assertThat(plan.docs()).isEqualTo(Path.of("docs"));
    assertThat(plan.work()).isEqualTo(Path.of("hub-bench/target/sweep"));
    assertThat(plan.serverJvm()).containsExactly("-Xmx2g");
    assertThat(plan.redisServer()).isEqualTo("redis-server");
    assertThat(plan.commandLine()).isEqualTo("java -jar hub-bench/target/hub-bench.jar sweep");

    commandLine = commandLine();
    commandLine.parseArgs(
        "sweep", "--quick", "--servers", "jetty,netty", "--idle", "none", "--warmup", "2");
    plan = commandLine.getSubcommands().get("sweep").<SweepCommand>getCommand().plan();

    assertThat(plan.servers()).containsExactly("jetty", "netty");
    assertThat(plan.subscriberCounts()).containsExactly(10, 100);
    assertThat(plan.idleCounts()).isEmpty();
    assertThat(plan.crossNode()).isEmpty();
    assertThat(List.of(plan.warmup(), plan.duration())).containsExactly(2.0, 2.0);
    assertThat(List.of(plan.bisections(), plan.repeats(), plan.maxSteps()))
        .containsExactly(0, 1, 2);
    assertThat(plan.commandLine())
        .isEqualTo(
            "java -jar hub-bench/target/hub-bench.jar sweep --quick --servers jetty,netty"
                + " --idle none --warmup 2");
  }

  @Test
  void sweep_sseServers_areTheSameServer_loadedThroughEventStreamsOrWebSocket() {
    CommandLine commandLine = commandLine();
    commandLine.parseArgs("sweep", "--servers", "netty,netty-sse,netty-sse-ws");
    Sweep.Plan plan = commandLine.getSubcommands().get("sweep").<SweepCommand>getCommand().plan();

    assertThat(plan.servers()).containsExactly("netty", "netty-sse", "netty-sse-ws");
    assertThat(SweepServer.of("netty").url(9)).isEqualTo("ws://127.0.0.1:9/");
    assertThat(SweepServer.of("netty-sse").url(9)).isEqualTo("http://127.0.0.1:9/sse");
    assertThat(SweepServer.of("netty-sse-ws").url(9)).isEqualTo("ws://127.0.0.1:9/ws");
    assertThat(SweepServer.of("netty-sse").transport)
        .isSameAs(SweepServer.of("netty-sse-ws").transport)
        .isSameAs(BenchServer.Transport.NETTY_SSE);
  }

  @Test
  void sweep_crossNodeRoomHistory_goesToThePlan() {
    CommandLine commandLine = commandLine();
    commandLine.parseArgs(
        "sweep",
        "--servers",
        "netty",
        "--subscribers",
        "1000",
        "--cross-node",
        "netty",
        "--cross-node-room-history",
        "1,000");
    Sweep.Plan plan = commandLine.getSubcommands().get("sweep").<SweepCommand>getCommand().plan();

    assertThat(plan.crossNode()).containsExactly("netty");
    assertThat(plan.crossNodeRoomHistory()).isEqualTo(1000);
    assertThat(plan.crossNodeMode()).isEqualTo("-room1000");
    assertThat(plan.commandLine()).endsWith("--cross-node netty --cross-node-room-history 1,000");
  }

  /** The commands docs/running-benchmarks.md and docs/benchmarks.md show, as written. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "server --transport netty --port 8080",
        "server --transport netty --port 8081 --redis redis://127.0.0.1:6379",
        "load --url ws://127.0.0.1:8080/ --subscribers 1000 --publishers 1 --rate 100 --size 64 --duration 10 --warmup 5",
        "load --url ws://127.0.0.1:8080/,ws://127.0.0.1:8081/ --subscribers 1000 --rate 100 --duration 10 --json two-nodes.json",
        "load --url ws://127.0.0.1:25130/ --subscribers 100 --publishers 1 --rate 250 --size 64 --warmup 4 --duration 8",
        "server --transport netty-sse --port 8080",
        "load --url http://127.0.0.1:8080/sse --subscribers 1000 --publishers 1 --rate 25 --size 64 --warmup 4 --duration 8",
        "sweep --servers netty,netty-sse --subscribers 1000 --idle none --cross-node none --docs D --work W",
        "sweep --servers netty-sse-ws,netty-sse --subscribers 1000 --idle none --cross-node none --docs D --work W",
        "sweep --servers uws,naive-netty --subscribers 1000 --idle none --cross-node none --docs D --work W",
        "server --transport uws --port 8080",
        "server --transport tomcat --port 8080",
        "server --transport naive-tomcat --port 8080",
        "sweep --servers tomcat,naive-tomcat --subscribers 1000 --idle none --cross-node none --docs D --work W",
        "sweep",
        "sweep --quick",
        "sweep --servers jetty,netty --subscribers 1000 --idle none",
        "sweep --servers jetty,netty --subscribers 1000 --cross-node jetty,netty --idle none --docs /tmp/jr",
        "server --transport netty --port 8081 --redis redis://127.0.0.1:6379 --room-history 1000",
        "sweep --servers netty --subscribers 1000 --cross-node netty --cross-node-room-history 0 --idle none --docs /tmp/i13/docs-h0 --work /tmp/i13/work-h0",
        "sweep --servers netty --subscribers 1000 --cross-node netty --cross-node-room-history 1000 --idle none --docs /tmp/i13/docs-h1000 --work /tmp/i13/work-h1000",
        "sweep --servers netty --subscribers 1000 --cross-node netty --idle none --docs /tmp/i13/docs-all --work /tmp/i13/work-all"
      })
  void documentedCommands_parse(String args) {
    CommandLine commandLine = commandLine();
    CommandLine command =
        commandLine.parseArgs(args.split(" ")).subcommand().commandSpec().commandLine();

    switch (command.getCommandName()) {
      case "load" ->
          assertThat(command.<LoadCommand>getCommand().config().subscribers()).isPositive();
      case "sweep" -> assertThat(command.<SweepCommand>getCommand().plan().servers()).isNotEmpty();
      default -> assertThat(command.getCommandName()).isEqualTo("server");
    }
  }
}
