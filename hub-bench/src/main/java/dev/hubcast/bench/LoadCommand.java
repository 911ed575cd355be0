package dev.hubcast.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code load} command: runs the {@link LoadGenerator}, prints its progress lines ({@code
 * CONNECTED}, {@code MEASURE_START}, {@code MEASURE_END}) as they happen, writes the {@link
 * LoadSummary} to {@code --json} and ends with a {@code RESULT} line. The sweep reads all of these
 * from the child process it starts.
 *
 * <p>Runs on the main thread, which blocks until the load ends.
 */
@Command(
    name = "load",
    sortOptions = false,
    description = {
      "Subscribers and publishers against a server, open loop; latency, loss and reordering.",
      "",
      "N subscribers and K publishers sending R messages/s in all; latency from each message's"
          + " intended send time. With several URLs, the subscribers are split across them and"
          + " the publishers connect to the first. Ends with RESULT deliveries_per_s=..."
          + " p50_ms=... p99_ms=... p999_ms=... delivered_ratio=... reordered=...",
      ""
    })
final class LoadCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URLS",
      description =
          "The server (ws://127.0.0.1:8080/), or the nodes of one hub separated by commas. An"
              + " http:// URL is a Hubcast event stream (hub-sse, such as"
              + " http://127.0.0.1:8080/sse): subscribers read Server-Sent Events, publishers"
              + " POST with their stream's token.")
  private String url;

  @Option(
      names = "--subscribers",
      required = true,
      paramLabel = "N",
      description = "Subscriber connections.")
  private int subscribers;

  @Option(
      names = "--publishers",
      defaultValue = "1",
      paramLabel = "K",
      description = "Publisher connections (default: ${DEFAULT-VALUE}).")
  private int publishers;

  @Option(
      names = "--rate",
      required = true,
      paramLabel = "R",
      description = "Messages per second from all publishers together; 0 sends none.")
  private double rate;

  @Option(
      names = "--size",
      defaultValue = "64",
      paramLabel = "BYTES",
      description = "Message size (default: ${DEFAULT-VALUE}).")
  private int size;

  @Option(
      names = "--duration",
      required = true,
      paramLabel = "S",
      description = "Seconds measured.")
  private double duration;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      paramLabel = "S",
      description = "Seconds sent before the measurement (default: ${DEFAULT-VALUE}).")
  private double warmup;

  @Option(
      names = "--drain",
      defaultValue = "3",
      paramLabel = "S",
      description =
          "Seconds to wait after the last message for deliveries still on their way"
              + " (default: ${DEFAULT-VALUE}).")
  private double drain;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "Event loops for the subscribers (default: the number of processors).")
  private Integer threads;

  @Option(
      names = "--per-address",
      defaultValue = "20000",
      paramLabel = "C",
      description =
          "Connections per source address; past it, 127.0.0.2, .3, ... (default:"
              + " ${DEFAULT-VALUE}).")
  private int perAddress;

  @Option(
      names = "--json",
      defaultValue = "load-result.json",
      paramLabel = "FILE",
      description = "Where to write the figures (default: ${DEFAULT-VALUE}).")
  private Path json;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  private boolean help;

  /** The options as a generator config; a usage error for a value out of range. */
  LoadGenerator.Config config() {
    List<URI> urls = new ArrayList<>();
    for (String u : url.split(",")) {
      URI uri;
      try {
        uri = new URI(u.trim());
      } catch (URISyntaxException e) {
        throw Options.bad(spec, "--url", '"' + u + '"', "a URI");
      }
      if (!"ws".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
        throw Options.bad(spec, "--url", uri.toString(), "ws://... or http://...");
      }
      if (!urls.isEmpty() && !urls.get(0).getScheme().equals(uri.getScheme())) {
        throw Options.bad(spec, "--url", url, "all ws://... or all http://...");
      }
      urls.add(uri);
    }
    return new LoadGenerator.Config(
        urls,
        Options.atLeast(spec, "--subscribers", subscribers, 0),
        Options.atLeast(spec, "--publishers", publishers, 0),
        Options.atLeast(spec, "--rate", rate, 0),
        Options.atLeast(spec, "--size", size, Payload.MIN_SIZE),
        seconds(Options.atLeast(spec, "--duration", duration, 0.1)),
        seconds(Options.atLeast(spec, "--warmup", warmup, 0)),
        seconds(Options.atLeast(spec, "--drain", drain, 0)),
        threads == null
            ? Runtime.getRuntime().availableProcessors()
            : Options.atLeast(spec, "--threads", threads, 1),
        Options.atLeast(spec, "--per-address", perAddress, 1),
        false);
  }

  @Override
  public Integer call() throws Exception {
    LoadGenerator.Config config = config();
    PrintStream out = System.out;
    LoadResult result =
        LoadGenerator.run(
            config,
            line -> {
              out.println(line);
              out.flush();
            });
    if (json.getParent() != null) {
      Files.createDirectories(json.getParent());
    }
    Files.writeString(json, Json.write(result.summary()) + "\n");
    out.printf(
        Locale.ROOT,
        "offered %.0f deliveries/s; delivered %d of %d; disconnects %d; duplicates %d;"
            + " loadgen cpu %.2f of %d cores; json %s%n",
        result.offeredPerSecond(),
        result.delivered(),
        result.expected(),
        result.disconnects(),
        result.duplicates(),
        result.loadgenCpuCores(),
        result.loadgenProcessors(),
        json);
    out.println(result.resultLine());
    out.flush();
    return 0;
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }
}
