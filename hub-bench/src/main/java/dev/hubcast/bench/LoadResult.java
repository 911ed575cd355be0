package dev.hubcast.bench;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * What one {@code load} run measured. Latencies are end to end, from the intended send time to the
 * read that brought the message in, in microseconds in the histogram.
 *
 * <p>Immutable once built (the histogram is a private merged copy); not shared across threads.
 */
record LoadResult(
    LoadGenerator.Config config,
    int subscribers,
    long sent,
    long expected,
    long delivered,
    double deliveriesPerSecond,
    double offeredPerSecond,
    double deliveredRatio,
    long reordered,
    long duplicates,
    int disconnects,
    Histogram latencyMicros,
    List<Histogram> latencyMicrosByNode,
    double loadgenCpuCores,
    int loadgenProcessors,
    double connectSeconds,
    boolean epoll) {

  double percentileMillis(double percentile) {
    if (latencyMicros.getTotalCount() == 0) {
      return Double.NaN;
    }
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMillis() {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
  }

  /** A percentile of the deliveries to the subscribers of node {@code node}, in ms. */
  double nodePercentileMillis(int node, double percentile) {
    Histogram h = latencyMicrosByNode.get(node);
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The closing line of the {@code load} command. */
  String resultLine() {
    return String.format(
        Locale.ROOT,
        "RESULT deliveries_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f delivered_ratio=%.6f"
            + " reordered=%d",
        deliveriesPerSecond,
        percentileMillis(50),
        percentileMillis(99),
        percentileMillis(99.9),
        deliveredRatio,
        reordered);
  }

  /**
   * The whole result as a JSON object. With several nodes, {@code node<i>_p50_ms}, {@code
   * node<i>_p99_ms} and {@code node<i>_delivered} are the figures of node {@code i}'s subscribers
   * (node 0 has the publishers).
   */
  String toJson() {
    Json json = new Json();
    json.put("url", config.urls().stream().map(URI::toString).collect(Collectors.joining(",")))
        .put("nodes", config.urls().size())
        .put("subscribers", subscribers)
        .put("publishers", config.publishers())
        .put("rate_msgs_per_s", config.rate())
        .put("size_bytes", config.size())
        .put("warmup_s", config.warmup().toMillis() / 1000.0)
        .put("duration_s", config.duration().toMillis() / 1000.0)
        .put("offered_deliveries_per_s", offeredPerSecond)
        .put("sent", sent)
        .put("expected", expected)
        .put("delivered", delivered)
        .put("deliveries_per_s", deliveriesPerSecond)
        .put("delivered_ratio", deliveredRatio)
        .put("reordered", reordered)
        .put("duplicates", duplicates)
        .put("disconnects", disconnects)
        .put("p50_ms", percentileMillis(50))
        .put("p90_ms", percentileMillis(90))
        .put("p99_ms", percentileMillis(99))
        .put("p999_ms", percentileMillis(99.9))
        .put("max_ms", maxMillis())
        .put("loadgen_cpu_cores", loadgenCpuCores)
        .put("loadgen_processors", loadgenProcessors)
        .put("loadgen_threads", config.threads())
        .put("connect_s", connectSeconds)
        .put("transport", epoll ? "epoll" : "nio");
    if (latencyMicrosByNode.size() > 1) {
      for (int i = 0; i < latencyMicrosByNode.size(); i++) {
        json.put("node" + i + "_delivered", latencyMicrosByNode.get(i).getTotalCount())
            .put("node" + i + "_p50_ms", nodePercentileMillis(i, 50))
            .put("node" + i + "_p99_ms", nodePercentileMillis(i, 99));
      }
    }
    return json.toString();
  }
}
