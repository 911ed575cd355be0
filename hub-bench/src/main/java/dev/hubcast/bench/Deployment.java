package dev.hubcast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a sweep point runs against: one server process, or several nodes and the Redis they share.
 * Its {@linkplain #sample sample} is the nodes' figures added up, plus Redis's CPU time.
 *
 * <p>Used by the sweep's thread only.
 */
final class Deployment implements AutoCloseable {
  final List<ServerProcess> nodes;
  private final Process redis; // null for one node
  final String redisUri; // null for one node
  final String display;

  Deployment(List<ServerProcess> nodes, Process redis, String redisUri, String display) {
    this.nodes = List.copyOf(nodes);
    this.redis = redis;
    this.redisUri = redisUri;
    this.display = display == null ? nodes.get(0).display : display;
  }

  /** The nodes' addresses, separated by commas, as {@code load --url} takes them. */
  String urls() {
    return nodes.stream().map(n -> n.url).collect(Collectors.joining(","));
  }

  /** The servers' figures now (after a full GC with {@code gc}). */
  ServerSample sample(boolean gc) throws Exception {
    if (nodes.size() == 1) {
      return ServerSample.of(nodes.get(0).stats(gc));
    }
    List<ServerSample> each = new ArrayList<>();
    for (ServerProcess n : nodes) {
      each.add(ServerSample.of(n.stats(gc)));
    }
    return ServerSample.sum(each, cpuNanos(redis.pid()));
  }

  /** A process's CPU time (user and system) from {@code /proc}, or -1. */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    for (ServerProcess n : nodes) {
      n.close();
    }
    if (redis != null) {
      redis.destroy();
      if (!redis.waitFor(10, TimeUnit.SECONDS)) {
        redis.destroyForcibly();
      }
    }
  }
}
