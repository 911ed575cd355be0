package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON the bench's processes exchange keeps its names, and a missing figure stays unknown. */
class JsonTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private static LoadSummary summary(double p99, Map<String, Number> perNode, String error) {
    return new LoadSummary(
        "ws://127.0.0.1:1/,ws://127.0.0.1:2/",
        2,
        9,
        1,
        50,
        64,
        0.5,
        2,
        450,
        100,
        900,
        900,
        450,
        1.0,
        0,
        0,
        0,
        0.25,
        0.5,
        p99,
        1.5,
        2.5,
        0.1,
        2,
        2,
        0.05,
        "epoll",
        perNode,
        error);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void loadSummary_writesTheLoadCommandsNames_flatPerNode() throws Exception {
    Map<String, Number> perNode = new LinkedHashMap<>();
    perNode.put("node0_delivered", 500L);
    perNode.put("node0_p50_ms", 0.2);
    perNode.put("node0_p99_ms", 0.4);
    perNode.put("node1_delivered", 400L);
    perNode.put("node1_p50_ms", 0.3);
    perNode.put("node1_p99_ms", 0.6);

    JsonNode json = PLAIN.readTree(Json.write(summary(0.75, perNode, null)));

    assertThat(names(json))
        .containsExactly(
            "url",
            "nodes",
            "subscribers",
            "publishers",
            "rate_msgs_per_s",
            "size_bytes",
            "warmup_s",
            "duration_s",
            "offered_deliveries_per_s",
            "sent",
            "expected",
            "delivered",
            "deliveries_per_s",
            "delivered_ratio",
            "reordered",
            "duplicates",
            "disconnects",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "p999_ms",
            "max_ms",
            "loadgen_cpu_cores",
            "loadgen_processors",
            "loadgen_threads",
            "connect_s",
            "transport",
            "node0_delivered",
            "node0_p50_ms",
            "node0_p99_ms",
            "node1_delivered",
            "node1_p50_ms",
            "node1_p99_ms");
    assertThat(json.get("node0_delivered").isIntegralNumber()).isTrue();
    assertThat(json.get("p99_ms").asDouble()).isEqualTo(0.75);

    LoadSummary read = Json.read(json.toString(), LoadSummary.class);
    assertThat(read.p99Ms()).isEqualTo(0.75);
    assertThat(read.nodeP99Ms(1)).isEqualTo(0.6);
    assertThat(read.nodeP99Ms(2)).isNaN();
    assertThat(read.error()).isNull();
  }

  @Test
  void nan_isWrittenAsNull_andReadBackAsNaN() throws Exception {
    String text = Json.write(summary(Double.NaN, Map.of(), null));

    assertThat(PLAIN.readTree(text).get("p99_ms").isNull()).isTrue();
    assertThat(Json.read(text, LoadSummary.class).p99Ms()).isNaN();
    assertThat(Json.read("{\"url\": \"ws://x/\"}", LoadSummary.class).p99Ms()).isNaN();
  }

  @Test
  void failedLoad_carriesItsError_andNoLatency() throws Exception {
    LoadSummary failed = LoadSummary.failed("Connection refused");

    JsonNode json = PLAIN.readTree(Json.write(failed));

    assertThat(json.get("error").asText()).isEqualTo("Connection refused");
    assertThat(json.get("delivered_ratio").asDouble()).isZero();
    assertThat(json.get("p99_ms").isNull()).isTrue();
    assertThat(Json.read(json.toString(), LoadSummary.class).error())
        .isEqualTo("Connection refused");
  }

  @Test
  void serverStats_roundTripThroughTheStatsLine() throws Exception {
    ServerStats stats =
        new ServerStats(
            "netty", 3, 10_000_000, 20_000_000, 1, -1, 2, 1, 5_000_000_000L, 7, 8, 9, 4);

    String line = Json.write(stats);

    assertThat(names(PLAIN.readTree(line)))
        .containsExactly(
            "transport",
            "connections",
            "heap_used",
            "heap_committed",
            "direct_jdk",
            "direct_netty_counter",
            "direct_netty_allocator",
            "direct_total",
            "cpu_ns",
            "allocated_bytes",
            "rss",
            "rss_peak",
            "threads");
    assertThat(line).contains("\"cpu_ns\":5000000000");
    assertThat(Json.read(line, ServerStats.class)).isEqualTo(stats);
  }

  @Test
  void sweepPoint_isOneLineOfPointsJsonl_withoutTheCommands() throws Exception {
    Sweep.Point point =
        new Sweep.Point(
            "netty",
            1,
            1000,
            25,
            1,
            summary(0.75, Map.of(), null),
            0.2,
            Double.NaN,
            100_000_000,
            50_000_000,
            Double.NaN,
            0.05,
            "java ... load",
            "java ... server");

    String line = Json.write(point);
    JsonNode json = PLAIN.readTree(line);

    assertThat(line).doesNotContain("\n");
    assertThat(names(json))
        .containsExactly(
            "server",
            "nodes",
            "subscribers",
            "rate",
            "run",
            "server_cpu_cores",
            "server_allocated_per_delivery",
            "server_rss",
            "server_heap",
            "redis_cpu_cores",
            "other_cpu_cores",
            "passes",
            "keeps_up",
            "load");
    assertThat(json.get("other_cpu_cores").asDouble()).isEqualTo(0.05);
    assertThat(json.get("passes").asBoolean()).isTrue();
    assertThat(json.get("keeps_up").asBoolean()).isTrue();
    assertThat(json.get("server_allocated_per_delivery").isNull()).isTrue();
    assertThat(json.get("load").get("p99_ms").asDouble()).isEqualTo(0.75);
  }
}
