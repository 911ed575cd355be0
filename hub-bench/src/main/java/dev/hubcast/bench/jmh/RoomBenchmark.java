package dev.hubcast.bench.jmh;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of joining and leaving a room that already has {@code members} members, from one thread
 * and from two at once (contention on the room map and the client monitors). JMH runs {@code
 * joinLeave} on one thread and {@code joinLeaveContended} on two, sharing this state; it sets up
 * and tears down the hub once per trial, on one of its threads.
 *
 * <pre>
 * java -jar hub-bench/target/hub-bench.jar jmh RoomBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoomBenchmark {

  @Param({"1000"})
  int members;

  Hub<Message> hub;
  String[] joiners;

  @Setup(Level.Trial)
  public void setUp() {
    hub =
        Hub.create(
            HubConfig.builder(MessageCodec.identity())
                .policy(BroadcastPolicy.NONE)
                .maxConnections(members + 100)
                .build());
    for (int i = 0; i < members; i++) {
      hub.join(NullConnection.open(hub, i).id(), "busy");
    }
    joiners = new String[64];
    for (int i = 0; i < joiners.length; i++) {
      joiners[i] = NullConnection.open(hub, members + i).id();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  /**
   * Per-thread choice of connection, so threads do not fight over one client. One per JMH thread;
   * {@code NEXT} hands out the indexes to all of them.
   */
  @State(Scope.Thread)
  public static class Joiner {
    static final java.util.concurrent.atomic.AtomicInteger NEXT =
        new java.util.concurrent.atomic.AtomicInteger();
    int index = NEXT.getAndIncrement();
  }

  /** Join then leave a busy room. */
  @Benchmark
  @Threads(1)
  public boolean joinLeave(Joiner j) {
    String id = joiners[j.index % joiners.length];
    hub.join(id, "busy");
    return hub.leave(id, "busy");
  }

  /** Join then leave a busy room, two threads at once. */
  @Benchmark
  @Threads(2)
  public boolean joinLeaveContended(Joiner j) {
    String id = joiners[j.index % joiners.length];
    hub.join(id, "busy");
    return hub.leave(id, "busy");
  }
}
