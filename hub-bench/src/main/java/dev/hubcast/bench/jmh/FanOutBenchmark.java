package dev.hubcast.bench.jmh;

import dev.hubcast.bench.ScrapedMetrics;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Target;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one broadcast through the core to {@code recipients} connections whose sockets take
 * every frame at once: registry walk, one outbox offer and drain per recipient, completion
 * accounting. Divide time and {@code gc.alloc.rate.norm} (with {@code -prof gc}) by {@code
 * recipients} for the cost per delivery. With {@code metrics=on} a thread scrapes the hubs' meters
 * every 100 ms meanwhile, ten times as often as a Prometheus server usually would. JMH runs each
 * benchmark method on one thread; it sets up and shuts down the hubs once per trial.
 *
 * <pre>
 * java -jar hub-bench/target/hub-bench.jar jmh FanOutBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanOutBenchmark {

  @Param({"100", "1000", "10000"})
  int recipients;

  @Param({"64"})
  int size;

  /** {@code on}: both hubs' meters in a Prometheus registry scraped every 100 ms meanwhile. */
  @Param({"off", "on"})
  String metrics;

  ScrapedMetrics scraped;

  Hub<Message> hub;
  Message frame;
  String text;
  Hub<String> textHub;

  @Setup(Level.Trial)
  public void setUp() {
    hub =
        Hub.create(
            HubConfig.builder(MessageCodec.identity())
                .policy(BroadcastPolicy.NONE)
                .maxConnections(recipients + 1)
                .build());
    textHub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .maxConnections(recipients + 1)
                .build());
    for (int i = 0; i < recipients; i++) {
      NullConnection c = NullConnection.open(hub, i);
      hub.join(c.id(), "room");
      NullConnection.open(textHub, i);
    }
    frame = Message.binary(new byte[size]);
    text = "x".repeat(size);
    if (metrics.equals("on")) {
      scraped = new ScrapedMetrics(100, hub, textHub);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (scraped != null) {
      scraped.close();
    }
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    textHub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  /** A pre-encoded frame to every connection. */
  @Benchmark
  public BroadcastReceipt broadcastAll() {
    return hub.broadcastMessage(Target.all(), frame);
  }

  /** A pre-encoded frame to every member of one room (numbered, under the room's lock). */
  @Benchmark
  public BroadcastReceipt broadcastRoom() {
    return hub.broadcastMessage(Target.room("room"), frame);
  }

  /** A string encoded once, then sent to every connection. */
  @Benchmark
  public BroadcastReceipt broadcastTextAll() {
    return textHub.broadcast(Target.all(), text);
  }
}
