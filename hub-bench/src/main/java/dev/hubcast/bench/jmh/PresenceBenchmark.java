package dev.hubcast.bench.jmh;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.PresenceConfig;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a join in a large room with presence: one connection joins and leaves a room of
 * {@code members} connections, and the benchmark waits each time until a member has its diff, so
 * the time is the whole of it: the joiner's snapshot (at most 1,000 users listed) and two diffs
 * offered to every member. Diffs are sent at once ({@code interval} 0); with an interval, joins in
 * one interval share one diff. JMH runs the benchmark method on one thread; the presence work runs
 * on the hub's presence thread.
 *
 * <pre>
 * java -jar hub-bench/target/hub-bench.jar jmh PresenceBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PresenceBenchmark {

  @Param({"100", "10000"})
  public int members;

  Hub<String> hub;
  Counting watcher;
  NullConnection joiner;

  @Setup(Level.Trial)
  public void setUp() {
    hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .maxConnections(members + 10)
                .presence(
                    PresenceConfig.<String>builder(
                            s -> "{\"present\":" + s.count() + "}",
                            d ->
                                "{\"joined\":"
                                    + d.joined().size()
                                    + ",\"left\":"
                                    + d.left().size()
                                    + ",\"present\":"
                                    + d.count()
                                    + "}")
                        .build())
                .build());
    for (int i = 0; i < members - 1; i++) {
      hub.join(NullConnection.open(hub, i).id(), "big");
    }
    watcher = Counting.open(hub);
    hub.join(watcher.id(), "big");
    awaitFrames(1); // its snapshot: every join before it is done
    joiner = NullConnection.open(hub, members);
  }

  private void awaitFrames(long n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (watcher.frames.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("presence did not deliver within 60 s");
      }
      Thread.onSpinWait();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    hub.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS);
  }

  /**
   * A join and a leave in a room of {@code members}, each waited for until a member has its diff (a
   * leave that came before presence saw the join would make no diff at all).
   */
  @Benchmark
  public long joinAndLeave() {
    long target = watcher.frames.get() + 1;
    hub.join(joiner.id(), "big");
    awaitFrames(target);
    hub.leave(joiner.id(), "big");
    awaitFrames(++target);
    return target;
  }

  /** How many users the room's presence counts now (for the benchmark's own test). */
  public int hubPresenceCount() {
    return hub.presence("big").count();
  }

  /** A connection that counts what it is sent, readable from the benchmark's thread. */
  static final class Counting implements Connection {
    final AtomicLong frames = new AtomicLong();
    private final String id;
    private final Handshake handshake;
    private Inbound inbound;
    private boolean closed;

    private Counting(String id, Handshake handshake) {
      this.id = id;
      this.handshake = handshake;
    }

    static Counting open(Hub<?> hub) {
      Admission admission = NullConnection.admit(hub, 0);
      Counting c = new Counting(admission.connectionId(), admission.handshake());
      c.inbound = Acceptor.of(hub).open(c);
      return c;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Handshake handshake() {
      return handshake;
    }

    @Override
    public void send(Message frame, SendCompletion completion) {
      frames.incrementAndGet();
      completion.complete(frame, null);
    }

    @Override
    public synchronized void close(int code, String reason) {
      if (!closed) {
        closed = true;
        inbound.onClose(code, reason);
      }
    }

    @Override
    public synchronized boolean isOpen() {
      return !closed;
    }
  }
}
