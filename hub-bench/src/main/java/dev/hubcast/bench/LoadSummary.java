package dev.hubcast.bench;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code load} run's figures as the command writes them to its {@code --json} file and the
 * sweep reads them back: one JSON object with snake_case names ({@code deliveries_per_s}, {@code
 * p99_ms}, ...). Latencies are in milliseconds; one that was not measured is NaN ({@code null} in
 * JSON). Immutable and thread-safe.
 *
 * @param url the address, or the addresses separated by commas
 * @param offeredDeliveriesPerS the rate times the subscribers
 * @param deliveriesPerS the deliveries of messages due in the measured window, per second of it
 * @param perNode with several nodes, {@code node<i>_delivered}, {@code node<i>_p50_ms} and {@code
 *     node<i>_p99_ms} for each node {@code i}: the figures of that node's subscribers (node 0 has
 *     the publishers), flat in the JSON object; empty with one node
 * @param error why the run gave no figures (then the counts are 0 and the rest NaN), or null; not
 *     in the JSON when null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record LoadSummary(
    String url,
    int nodes,
    int subscribers,
    int publishers,
    double rateMsgsPerS,
    int sizeBytes,
    double warmupS,
    double durationS,
    double offeredDeliveriesPerS,
    long sent,
    long expected,
    long delivered,
    double deliveriesPerS,
    double deliveredRatio,
    long reordered,
    long duplicates,
    int disconnects,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double loadgenCpuCores,
    int loadgenProcessors,
    int loadgenThreads,
    double connectS,
    String transport,
    @JsonAnyGetter @JsonAnySetter Map<String, Number> perNode,
    @JsonInclude(JsonInclude.Include.NON_NULL) String error) {

  LoadSummary {
    perNode = new TreeMap<>(perNode == null ? Map.of() : perNode); // node0_... first
  }

  /** A run that gave no figures: nothing delivered, no latency, and why. */
  static LoadSummary failed(String error) {
    double nan = Double.NaN;
    return new LoadSummary(
        null, 0, 0, 0, nan, 0, nan, nan, nan, 0, 0, 0, nan, 0.0, 0, 0, 0, nan, nan, nan, nan, nan,
        nan, 0, 0, nan, null, Map.of(), error);
  }

  /** The p99 latency of node {@code node}'s subscribers in ms, or NaN. */
  double nodeP99Ms(int node) {
    Number v = perNode.get("node" + node + "_p99_ms");
    return v == null ? Double.NaN : v.doubleValue();
  }
}
