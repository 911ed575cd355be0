package dev.hubcast.bench;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A server process's figures, as the {@code server} command prints them after {@code STATS} and the
 * sweep reads them: one JSON object with snake_case names ({@code heap_used}, {@code cpu_ns}, ...).
 * Sizes are in bytes, times in nanoseconds; -1 where this platform does not tell. Immutable and
 * thread-safe.
 *
 * @param directTotal the JDK's {@code direct} buffer pool plus Netty's own counter when Netty
 *     allocates outside that pool
 * @param cpuNs this process's CPU time so far, user and system
 * @param allocatedBytes heap allocated by all threads so far, live and ended
 * @param rss resident set size ({@code VmRSS})
 * @param rssPeak its peak ({@code VmHWM})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record ServerStats(
    String transport,
    int connections,
    long heapUsed,
    long heapCommitted,
    long directJdk,
    long directNettyCounter,
    long directNettyAllocator,
    long directTotal,
    long cpuNs,
    long allocatedBytes,
    long rss,
    long rssPeak,
    int threads) {}
