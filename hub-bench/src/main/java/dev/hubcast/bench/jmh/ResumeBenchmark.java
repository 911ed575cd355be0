package dev.hubcast.bench.jmh;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Replay;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.InMemoryBackplane;
import dev.hubcast.redis.RedisBackplane;
import java.time.Duration;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one resume of {@code missed} broadcasts ({@link Hub#joinAndResume}): decide, queue
 * them, and enter the room; then the connection leaves again for the next one. {@code here}: from
 * this node's history, under the room's lock. {@code store}: from a history store (the in-memory
 * one of a sequenced {@link InMemoryBackplane} group, answering on its delivery thread), as on a
 * node that does not hold the room. {@code redis}: from Redis Streams, as {@code store} but through
 * two {@link RedisBackplane}s ({@code history(1000)}) on a {@code redis-server} that the trial
 * starts ({@link RedisProcess}): the reader asks for the room's latest position and its entries
 * after {@code since} ({@code XRANGE}), one round trip each, and queues what comes back. JMH runs
 * each benchmark method on one thread; it sets up and shuts down the hubs (and Redis) once per
 * trial.
 *
 * <pre>
 * java -jar hub-bench/target/hub-bench.jar jmh ResumeBenchmark -prof gc
 * java -jar hub-bench/target/hub-bench.jar jmh ResumeBenchmark -p from=redis -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResumeBenchmark {

  @Param({"here", "store", "redis"})
  String from;

  @Param({"100"})
  int missed;

  InMemoryBackplane.Group group;
  RedisProcess redis;
  Hub<Message> writer;
  Hub<Message> reader;
  String connection;
  RoomPosition since;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    HubConfig.Builder<Message> config =
        HubConfig.builder(MessageCodec.identity())
            .policy(BroadcastPolicy.NONE)
            .outboxLimits(64 << 20, 100_000)
            .replayLimit(10_000);
    switch (from) {
      case "here" -> {
        writer = Hub.create(config.historySize(1000).build());
        reader = writer;
      }
      case "store" -> {
        group = InMemoryBackplane.sequencedGroup(1000);
        writer =
            Hub.create(config.nodeId("writer").historySize(1000).backplane(group::join).build());
        // Keeps nothing itself: every resume reads the store.
        reader = Hub.create(config.nodeId("reader").historySize(0).backplane(group::join).build());
      }
      case "redis" -> {
        redis = RedisProcess.start();
        String uri = redis.uri();
        writer =
            Hub.create(
                config
                    .nodeId("writer")
                    .historySize(1000)
                    .backplane(() -> RedisBackplane.builder(uri).history(1000).build())
                    .build());
        reader =
            Hub.create(
                config
                    .nodeId("reader")
                    .historySize(0)
                    .backplane(() -> RedisBackplane.builder(uri).history(1000).build())
                    .build());
      }
      default -> throw new IllegalArgumentException("from: " + from);
    }
    Message frame = Message.binary(new byte[64]);
    for (int i = 0; i < 1000; i++) {
      writer.broadcastMessage(Target.room("r"), frame);
    }
    NullConnection c = NullConnection.open(reader, 0);
    connection = c.id();
    RoomPosition latest =
        reader
            .joinAndResume(connection, "r", null)
            .get(10, TimeUnit.SECONDS)
            .orElseThrow()
            .position();
    while (latest.seq() < 1000) { // the store numbers the last ones after this returns
      latest =
          reader
              .joinAndResume(connection, "r", null)
              .get(10, TimeUnit.SECONDS)
              .orElseThrow()
              .position();
    }
    reader.leave(connection, "r");
    since = new RoomPosition(latest.epoch(), latest.seq() - missed);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    reader.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    if (writer != reader) {
      writer.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** One resume of {@code missed} broadcasts, then out of the room again. */
  @Benchmark
  public Optional<Replay> resume() throws Exception {
    Optional<Replay> r = reader.joinAndResume(connection, "r", since).get(10, TimeUnit.SECONDS);
    if (r.isEmpty() || !r.get().recovered() || r.get().entries().size() != missed) {
      throw new IllegalStateException("not a resume of " + missed + ": " + r);
    }
    reader.leave(connection, "r");
    return r;
  }
}
