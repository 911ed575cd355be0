package dev.hubcast.bench;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /** The figures as the {@code --json} file holds them. */
  LoadSummary summary() {
    Map<String, Number> perNode = new LinkedHashMap<>();
    if (latencyMicrosByNode.size() > 1) {
      for (int i = 0; i < latencyMicrosByNode.size(); i++) {
        perNode.put("node" + i + "_delivered", latencyMicrosByNode.get(i).getTotalCount());
        perNode.put("node" + i + "_p50_ms", nodePercentileMillis(i, 50));
        perNode.put("node" + i + "_p99_ms", nodePercentileMillis(i, 99));
      }
    }
    return new LoadSummary(
        config.urls().stream().map(URI::toString).collect(Collectors.joining(",")),
        config.urls().size(),
        subscribers,
        config.publishers(),
        config.rate(),
        config.size(),
        config.warmup().toMillis() / 1000.0,
        config.duration().toMillis() / 1000.0,
        offeredPerSecond,
        sent,
        expected,
        delivered,
        deliveriesPerSecond,
        deliveredRatio,
        reordered,
        duplicates,
        disconnects,
        percentileMillis(50),
        percentileMillis(90),
        percentileMillis(99),
        percentileMillis(99.9),
        maxMillis(),
        loadgenCpuCores,
        loadgenProcessors,
        config.threads(),
        connectSeconds,
        epoll ? "epoll" : "nio",
        perNode,
        null);
  }
}
