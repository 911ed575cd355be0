package dev.hubcast.bench;

/**
 * The server figures the sweep computes with, as doubles so that a figure it does not have is NaN
 * and carries through the arithmetic into a "–" or a 0 in the report: all of them when a server did
 * not answer {@code stats}, {@code connections} and {@code directTotal} for several nodes (only the
 * figures below are added up), {@code redisCpuNs} for one node, {@code directTotal} and {@code
 * allocatedBytes} for a server that does not count them (-1: {@code uws}). Immutable and
 * thread-safe.
 *
 * @param redisCpuNs the CPU time of the Redis that several nodes share
 */
record ServerSample(
    double connections,
    double heapUsed,
    double directTotal,
    double rss,
    double cpuNs,
    double allocatedBytes,
    double redisCpuNs) {

  static final ServerSample UNKNOWN = of(null);

  /** One server's figures; all NaN for {@code null} (no answer). */
  static ServerSample of(ServerStats s) {
    double nan = Double.NaN;
    if (s == null) {
      return new ServerSample(nan, nan, nan, nan, nan, nan, nan);
    }
    return new ServerSample(
        s.connections(),
        s.heapUsed(),
        s.directTotal() < 0 ? nan : s.directTotal(),
        s.rss(),
        s.cpuNs(),
        s.allocatedBytes() < 0 ? nan : s.allocatedBytes(),
        nan);
  }

  /** Several nodes' heap, RSS, CPU time and allocation added up, and their Redis's CPU time. */
  static ServerSample sum(Iterable<ServerSample> nodes, double redisCpuNs) {
    double heap = 0;
    double rss = 0;
    double cpu = 0;
    double allocated = 0;
    for (ServerSample n : nodes) {
      heap += n.heapUsed;
      rss += n.rss;
      cpu += n.cpuNs;
      allocated += n.allocatedBytes;
    }
    return new ServerSample(Double.NaN, heap, Double.NaN, rss, cpu, allocated, redisCpuNs);
  }
}
