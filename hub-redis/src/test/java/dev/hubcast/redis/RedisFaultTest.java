package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Replay;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.redis.Nodes.Node;
import dev.hubcast.redis.Nodes.Transport;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis dies and comes back while clients on two nodes exchange a steady stream: local delivery
 * never stops, cross-node delivery resumes within 5 s, and the receiving node reports exactly the
 * broadcasts it missed. Room broadcasts made meanwhile stay on their node, and Redis, back empty,
 * numbers the room in a new epoch.
 */
class RedisFaultTest {

  private static final Logger log = LoggerFactory.getLogger(RedisFaultTest.class);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  @Test
  @Timeout(90)
  void redisKilledAndRestarted_nodesRecoverAndReportTheGap() throws Exception {
    ConcurrentMap<String, Long> gapsSeenByNetty = new ConcurrentHashMap<>();
    HubHandler<String> relayAll =
        new HubHandler<>() {
          @Override
          public void onMessage(Hub<String> hub, dev.hubcast.core.Client c, String m) {
            hub.broadcast(dev.hubcast.core.Target.all(), m);
          }

          @Override
          public void onBackplaneGap(Hub<String> hub, String origin, long missed) {
            gapsSeenByNetty.merge(origin, missed, Long::sum);
          }
        };
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis.uri(), "fault")) {
      Node jetty =
          nodes.start("j", Transport.JETTY, HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
      Node netty = nodes.start("n", Transport.NETTY, HubConfig.textBuilder().handler(relayAll));
      TestClient alice = jetty.server().connect("tag=alice", Map.of());
      TestClient bob = netty.server().connect("tag=bob", Map.of());
      await("alice registered").atMost(WAIT).until(() -> jetty.hub().clients().size() == 1);
      await("bob registered").atMost(WAIT).until(() -> netty.hub().clients().size() == 1);

      // Alice sends a steady stream; her own node echoes every message back to her (local
      // delivery) and publishes it for Bob's node (cross-node delivery).
      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicBoolean reading = new AtomicBoolean(true); // until the last echoes were awaited
      AtomicInteger sent = new AtomicInteger();
      Thread sender =
          new Thread(
              () -> {
                long next = System.nanoTime();
                while (sending.get()) {
                  alice.sendText("a:" + sent.getAndIncrement());
                  next += INTERVAL_NANOS;
                  LockSupport.parkNanos(next - System.nanoTime());
                }
              },
              "alice-sender");
      ConcurrentMap<Integer, Long> bobGotAt = new ConcurrentHashMap<>();
      AtomicInteger aliceGot = new AtomicInteger();
      AtomicLong aliceOutOfOrder = new AtomicLong();
      Thread readers =
          new Thread(
              () -> {
                int expected = 0;
                while (reading.get() || alice.pendingTexts() > 0 || bob.pendingTexts() > 0) {
                  while (bob.pendingTexts() > 0) {
                    String m = bob.awaitText(WAIT);
                    bobGotAt.putIfAbsent(Integer.parseInt(m.substring(2)), System.nanoTime());
                  }
                  while (alice.pendingTexts() > 0) {
                    int n = Integer.parseInt(alice.awaitText(WAIT).substring(2));
                    if (n != expected) {
                      aliceOutOfOrder.incrementAndGet();
                    }
                    expected = n + 1;
                    aliceGot.incrementAndGet();
                  }
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
              },
              "readers");
      sender.start();
      readers.start();

      await("the stream to reach bob").atMost(WAIT).until(() -> bobGotAt.size() > 50);
      redis.kill();
      int sentAtKill = sent.get();
      await("a second of stream with redis down")
          .atMost(WAIT)
          .until(() -> sent.get() > sentAtKill + 100);
      long restartedAt = System.nanoTime();
      redis.restart();
      await("cross-node delivery after the restart")
          .atMost(Duration.ofSeconds(10))
          .until(() -> bobGotAt.values().stream().anyMatch(t -> t > restartedAt));
      long recoveredAt =
          bobGotAt.values().stream().filter(t -> t > restartedAt).min(Long::compare).orElseThrow();
      await("more stream after recovery")
          .atMost(WAIT)
          .until(() -> bobGotAt.size() > sentAtKill + 50);
      sending.set(false);
      sender.join();
      int total = sent.get();
      await("alice's own echoes")
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(aliceGot.get()).isEqualTo(total));
      long lastToBob = total - 1;
      await("the last message at bob")
          .atMost(WAIT)
          .until(() -> bobGotAt.containsKey((int) lastToBob));
      reading.set(false);
      readers.join(TimeUnit.SECONDS.toMillis(10));

      long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(recoveredAt - restartedAt);
      long missedByBob = total - bobGotAt.size();
      log.info(
          "fault test: sent {}, bob got {}, missed {}, gap reported {}, recovered {} ms after restart",
          total,
          bobGotAt.size(),
          missedByBob,
          gapsSeenByNetty.get("j"),
          recoveryMillis);
      assertThat(recoveryMillis).as("recovery after restart, ms").isLessThanOrEqualTo(5000);
      assertThat(aliceGot.get()).as("local delivery never stopped").isEqualTo(total);
      assertThat(aliceOutOfOrder.get()).isZero();
      assertThat(missedByBob).as("bob missed some during the outage").isPositive();
      assertThat(gapsSeenByNetty.get("j")).as("gap reported by bob's node").isEqualTo(missedByBob);
      assertThat(netty.hub().metrics().backplaneGaps()).isEqualTo(missedByBob);
      assertThat(jetty.hub().metrics().backplanePublishFailures()).isPositive();
    }
  }

  @Test
  @Timeout(60)
  void redisDown_roomBroadcastsAreNumberedAndDeliveredOnTheirNode_thenANewEpoch() throws Exception {
    HubConfig.Builder<String> none = HubConfig.textBuilder().policy(BroadcastPolicy.NONE);
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis.uri(), "down")) {
      Node jetty = nodes.start("j", Transport.JETTY, none, o -> o.history(100));
      Node netty = nodes.start("n", Transport.NETTY, none, o -> o.history(100));
      TestClient onJetty = jetty.server().connect("tag=a", Map.of());
      TestClient onNetty = netty.server().connect("tag=b", Map.of());
      await().atMost(WAIT).until(() -> jetty.hub().clients().size() == 1);
      await().atMost(WAIT).until(() -> netty.hub().clients().size() == 1);
      String jettyId = jetty.hub().clients().iterator().next().id();
      String nettyId = netty.hub().clients().iterator().next().id();
      Replay joined =
          jetty.hub().joinAndResume(jettyId, "red", null).get(10, TimeUnit.SECONDS).orElseThrow();
      netty.hub().joinAndResume(nettyId, "red", null).get(10, TimeUnit.SECONDS).orElseThrow();
      jetty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());
      assertThat(onJetty.awaitText(WAIT)).isEqualTo("red#1");
      assertThat(onNetty.awaitText(WAIT)).isEqualTo("red#1");

      redis.kill();
      jetty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());

      assertThat(onJetty.awaitText(WAIT)).as("numbered on its node alone").isEqualTo("red#2");
      assertThat(jetty.hub().metrics().backplanePublishFailures()).isPositive();
      redis.restart();
      await("netty's history store reachable again")
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () ->
                  netty
                          .backplane()
                          .historyStore()
                          .orElseThrow()
                          .latest("red", 0)
                          .toCompletableFuture()
                          .get(5, TimeUnit.SECONDS)
                      != null);
      RedisClient raw = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = raw.connect()) {
        await("both nodes subscribed again")
            .atMost(WAIT)
            .until(() -> c.sync().pubsubNumsub("down:bus").get("down:bus") == 2);
      } finally {
        raw.shutdown();
      }
      netty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());

      assertThat(onNetty.awaitText(WAIT))
          .as("the broadcast made during the outage never reached it; a new epoch starts at 1")
          .isEqualTo("red#1");
      assertThat(onJetty.awaitText(WAIT)).isEqualTo("red#1");
      Replay resumed =
          netty
              .hub()
              .joinAndResume(nettyId, "red", new RoomPosition(joined.position().epoch(), 1))
              .get(10, TimeUnit.SECONDS)
              .orElseThrow();
      assertThat(resumed.outcome()).isEqualTo(Replay.Outcome.EPOCH_CHANGED);
      assertThat(resumed.position().epoch()).isNotEqualTo(joined.position().epoch());
    }
  }
}
