package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Replay;
import dev.hubcast.core.Replay.Outcome;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.redis.Nodes.Node;
import dev.hubcast.redis.Nodes.Transport;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestClient;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients resume a room on another node than the one they left, from the history the two nodes (one
 * on Jetty, one on Netty) keep in a real redis-server; with JDK WebSocket clients. The hubs keep no
 * history in memory, so every resume is answered from Redis.
 */
@Timeout(60)
class RedisResumeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServer redis;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> raw;
  private Nodes nodes;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
    rawClient = RedisClient.create(redis.uri());
    raw = rawClient.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    raw.close();
    rawClient.shutdown();
    redis.close();
  }

  @BeforeEach
  void newCluster() {
    nodes = new Nodes(redis.uri(), "r" + PREFIXES.incrementAndGet());
  }

  @AfterEach
  void closeCluster() throws Exception {
    nodes.close();
  }

  private static HubConfig.Builder<String> config() {
    return HubConfig.textBuilder().policy(BroadcastPolicy.NONE);
  }

  private static String idOf(Node node, String tag) {
    await("connection " + tag + " registered")
        .atMost(WAIT)
        .until(() -> node.hub().clients().stream().anyMatch(c -> tagged(c, tag)));
    return node.hub().clients().stream().filter(c -> tagged(c, tag)).findFirst().orElseThrow().id();
  }

  private static boolean tagged(Client c, String tag) {
    return c.handshake().queryParam("tag").orElse("").equals(tag);
  }

  private static TestClient connect(Node node, String tag) throws Exception {
    TestClient c = node.server().connect("tag=" + tag, Map.of());
    idOf(node, tag);
    return c;
  }

  private static Replay resume(Node node, String tag, String room, RoomPosition since)
      throws Exception {
    return node.hub()
        .joinAndResume(idOf(node, tag), room, since)
        .get(10, TimeUnit.SECONDS)
        .orElseThrow();
  }

  private static void broadcast(Node node, String room) {
    node.hub().broadcastSequenced(Target.room(room), at -> room + "#" + at.seq());
  }

  private static List<String> numbered(String room, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> room + "#" + i).toList();
  }

  private static List<Long> sequences(Replay replay) {
    return replay.entries().stream().map(HistoryEntry::sequence).toList();
  }

  /** Waits until {@code node} has delivered the room's broadcasts up to {@code seq}. */
  private static void awaitDelivered(Node node, String room, long seq) {
    await(node.hub().nodeId() + " delivered " + room + " up to " + seq)
        .atMost(WAIT)
        .until(() -> node.hub().history(room, 0).lastSequence() == seq);
  }

  /** The client leaves at its position after {@code n} broadcasts seen on {@code node}. */
  private static RoomPosition seeAndLeave(Node node, String room, int n) throws Exception {
    TestClient first = connect(node, "first");
    Replay joined = resume(node, "first", room, null);
    assertThat(joined.outcome()).isEqualTo(Outcome.JOINED);
    assertThat(joined.position().seq()).isZero();
    for (int i = 0; i < n; i++) {
      broadcast(node, room);
    }
    assertThat(first.awaitTexts(n, WAIT)).isEqualTo(numbered(room, 1, n));
    first.abort();
    return new RoomPosition(joined.position().epoch(), n);
  }

  @Test
  void resumeOnTheOtherNode_getsExactlyTheMissedBroadcasts_once_inOrder() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(100));
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(100));
    RoomPosition left = seeAndLeave(b, "red", 3);
    for (int i = 0; i < 4; i++) {
      broadcast(b, "red");
    }
    awaitDelivered(b, "red", 7);

    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);
    broadcast(b, "red");

    assertThat(resumed.outcome()).isEqualTo(Outcome.RECOVERED);
    assertThat(resumed.since()).contains(left);
    assertThat(resumed.position()).isEqualTo(new RoomPosition(left.epoch(), 7));
    assertThat(sequences(resumed)).containsExactly(4L, 5L, 6L, 7L);
    assertThat(back.awaitTexts(5, WAIT)).isEqualTo(numbered("red", 4, 8));
    a.hub().send(idOf(a, "back"), "marker");
    assertThat(back.awaitText(WAIT)).as("nothing twice").isEqualTo("marker");
    assertThat(a.hub().metrics().resumes()).containsEntry(Outcome.RECOVERED, 1L);
    assertThat(a.hub().metrics().framesReplayed()).isEqualTo(4);
  }

  @Test
  void resumeOnANodeStartedLater_getsThemFromRedis() throws Exception {
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(100));
    RoomPosition left = seeAndLeave(b, "red", 2);
    broadcast(b, "red");
    broadcast(b, "red");
    awaitDelivered(b, "red", 4);

    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(100));
    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);

    assertThat(resumed.outcome()).isEqualTo(Outcome.RECOVERED);
    assertThat(sequences(resumed)).containsExactly(3L, 4L);
    assertThat(back.awaitTexts(2, WAIT)).isEqualTo(numbered("red", 3, 4));
    broadcast(a, "red");
    assertThat(back.awaitText(WAIT)).isEqualTo("red#5");
  }

  @Test
  void redisFlushed_resumeSaysEpochChanged() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(100));
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(100));
    TestClient watcher = connect(a, "watcher");
    resume(a, "watcher", "red", null);
    RoomPosition left = seeAndLeave(b, "red", 2);
    assertThat(watcher.awaitTexts(2, WAIT)).isEqualTo(numbered("red", 1, 2));

    raw.sync().flushall();
    broadcast(b, "red");
    assertThat(watcher.awaitText(WAIT)).as("numbered again from 1").isEqualTo("red#1");
    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);

    assertThat(resumed.outcome()).isEqualTo(Outcome.EPOCH_CHANGED);
    assertThat(resumed.position().epoch()).isNotEqualTo(left.epoch());
    assertThat(resumed.position().seq()).isEqualTo(1);
    assertThat(sequences(resumed)).as("the room's latest, for the application").containsExactly(1L);
    broadcast(b, "red");
    assertThat(back.awaitText(WAIT)).as("no replay, then live").isEqualTo("red#2");
    assertThat(a.hub().metrics().resumes()).containsEntry(Outcome.EPOCH_CHANGED, 1L);
  }

  @Test
  void historyAged_resumeSaysTooOld() throws Exception {
    Duration age = Duration.ofMillis(500);
    HubConfig.Builder<String> config = config().maxHistoryAge(age);
    Node a = nodes.start("a", Transport.JETTY, config, o -> o.history(100).historyAge(age));
    Node b = nodes.start("b", Transport.NETTY, config, o -> o.history(100).historyAge(age));
    RoomPosition left = seeAndLeave(b, "red", 1);
    broadcast(b, "red");
    broadcast(b, "red");
    awaitDelivered(b, "red", 3);
    await("the history to age")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                b.backplane()
                    .historyStore()
                    .orElseThrow()
                    .read("red", 1, 10)
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)
                    .entries()
                    .isEmpty());

    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);

    assertThat(resumed.outcome()).isEqualTo(Outcome.TOO_OLD);
    assertThat(resumed.position()).isEqualTo(new RoomPosition(left.epoch(), 3));
    a.hub().send(idOf(a, "back"), "marker");
    assertThat(back.awaitText(WAIT)).as("no replay").isEqualTo("marker");
  }

  @Test
  void tooFarBehind_resumeSaysTooMany() throws Exception {
    HubConfig.Builder<String> config = config().replayLimit(3);
    Node a = nodes.start("a", Transport.JETTY, config, o -> o.history(100));
    Node b = nodes.start("b", Transport.NETTY, config, o -> o.history(100));
    RoomPosition left = seeAndLeave(b, "red", 1);
    for (int i = 0; i < 4; i++) {
      broadcast(b, "red");
    }
    awaitDelivered(b, "red", 5);

    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);

    assertThat(resumed.outcome()).isEqualTo(Outcome.TOO_MANY);
    assertThat(resumed.position()).isEqualTo(new RoomPosition(left.epoch(), 5));
    assertThat(sequences(resumed)).as("the latest, up to the limit").containsExactly(3L, 4L, 5L);
    a.hub().send(idOf(a, "back"), "marker");
    assertThat(back.awaitText(WAIT)).as("no replay").isEqualTo("marker");
    assertThat(a.hub().metrics().resumes()).containsEntry(Outcome.TOO_MANY, 1L);
  }

  @Test
  void noHistoryKept_resumeSaysNoHistory_unlessNothingWasMissed() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config());
    Node b = nodes.start("b", Transport.NETTY, config());
    RoomPosition left = seeAndLeave(b, "red", 1);
    broadcast(b, "red");
    awaitDelivered(b, "red", 2);

    TestClient back = connect(a, "back");
    Replay resumed = resume(a, "back", "red", left);
    TestClient upToDate = connect(a, "upToDate");
    Replay current = resume(a, "upToDate", "red", new RoomPosition(left.epoch(), 2));

    assertThat(resumed.outcome()).isEqualTo(Outcome.NO_HISTORY);
    assertThat(resumed.position()).isEqualTo(new RoomPosition(left.epoch(), 2));
    assertThat(resumed.entries()).isEmpty();
    assertThat(current.outcome()).isEqualTo(Outcome.RECOVERED);
    broadcast(b, "red");
    assertThat(back.awaitText(WAIT)).isEqualTo("red#3");
    assertThat(upToDate.awaitText(WAIT)).isEqualTo("red#3");
  }

  /** The ids of the clients subscribed to a channel. */
  private static Set<Long> subscribers() {
    return Stream.of(raw.sync().clientList().split("\n"))
        .filter(line -> line.matches(".*\\bsub=[1-9].*"))
        .map(line -> Long.parseLong(line.replaceAll("^id=(\\d+) .*$", "$1").trim()))
        .collect(Collectors.toSet());
  }

  @Test
  void aBroadcastLostOnTheWayToANode_isReadBackFromTheStream() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(100));
    Set<Long> notB = subscribers();
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(100));
    TestClient onA = connect(a, "onA");
    TestClient onB = connect(b, "onB");
    resume(a, "onA", "red", null);
    resume(b, "onB", "red", null);
    broadcast(a, "red");
    assertThat(onB.awaitText(WAIT)).isEqualTo("red#1");
    assertThat(onA.awaitText(WAIT)).isEqualTo("red#1");

    // Cut b's subscription; what a broadcasts before b has subscribed again never reaches b.
    int sent = 1;
    boolean lost = false;
    for (int attempt = 0; attempt < 20 && !lost; attempt++) {
      List<Long> bSubscribed = new ArrayList<>();
      await("b subscribed")
          .atMost(WAIT)
          .until(
              () -> {
                bSubscribed.clear();
                subscribers().stream().filter(id -> !notB.contains(id)).forEach(bSubscribed::add);
                return bSubscribed.size() == 1;
              });
      raw.sync().clientKill(KillArgs.Builder.id(bSubscribed.get(0)));
      broadcast(a, "red");
      sent++;
      assertThat(onA.awaitText(WAIT)).isEqualTo("red#" + sent);
      lost = subscribers().stream().allMatch(notB::contains);
    }
    assertThat(lost).as("a broadcast published while b was not subscribed").isTrue();
    await("b subscribed again")
        .atMost(WAIT)
        .until(() -> subscribers().stream().anyMatch(id -> !notB.contains(id)));
    broadcast(a, "red");
    sent++;

    assertThat(onB.awaitTexts(sent - 1, WAIT)).isEqualTo(numbered("red", 2, sent));
    assertThat(b.hub().metrics().roomHealed()).isPositive();
    assertThat(b.hub().metrics().roomGaps()).isZero();
    b.hub().send(idOf(b, "onB"), "marker");
    assertThat(onB.awaitText(WAIT)).as("nothing twice").isEqualTo("marker");
  }

  @Test
  void resumesRacingBroadcastsFromBothNodes_neverRepeatOrLoseOne() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(1000));
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(1000));
    TestClient watcher = connect(a, "watcher");
    String epoch = resume(a, "watcher", "red", null).position().epoch();
    int perNode = 200;
    int total = 2 * perNode;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<TestClient> resumers = new ArrayList<>();
    List<Integer> resumedFrom = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> broadcasting = new ArrayList<>();
      for (Node node : List.of(a, b)) {
        broadcasting.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perNode; i++) {
                    broadcast(node, "red");
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // spread them out
                  }
                  return null;
                }));
      }
      go.countDown();
      List<String> watched = new ArrayList<>();
      for (int r = 0; r < 10; r++) {
        watched.addAll(watcher.awaitTexts(total / 12, WAIT));
        String last = watched.get(watched.size() - 1);
        int seen = Integer.parseInt(last.substring(last.indexOf('#') + 1));
        Node node = r % 2 == 0 ? a : b;
        TestClient c = connect(node, "resumer" + r);
        Replay replay = resume(node, "resumer" + r, "red", new RoomPosition(epoch, seen));
        assertThat(replay.outcome()).as("resume %d from %d", r, seen).isEqualTo(Outcome.RECOVERED);
        resumers.add(c);
        resumedFrom.add(seen);
      }
      for (Future<?> f : broadcasting) {
        f.get(30, TimeUnit.SECONDS);
      }
      watched.addAll(watcher.awaitTexts(total - watched.size(), WAIT));

      assertThat(watched).isEqualTo(numbered("red", 1, total));
      for (int r = 0; r < resumers.size(); r++) {
        int from = resumedFrom.get(r);
        assertThat(resumers.get(r).awaitTexts(total - from, WAIT))
            .as("resumer %d, from %d", r, from)
            .isEqualTo(numbered("red", from + 1, total));
      }
      a.hub().broadcast(Target.room("red"), "marker");
      assertThat(watcher.awaitText(WAIT)).isEqualTo("marker");
      for (TestClient c : resumers) {
        assertThat(c.awaitText(WAIT)).as("nothing twice").isEqualTo("marker");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Two nodes contend for a room's numbers: some of their reservations are refused by the store and
   * retried. Nothing is lost, so nothing may be reported lost.
   */
  @Test
  void contendedBroadcasts_areNotReportedLost() throws Exception {
    Node a = nodes.start("a", Transport.JETTY, config(), o -> o.history(1000));
    Node b = nodes.start("b", Transport.NETTY, config(), o -> o.history(1000));
    TestClient onA = connect(a, "onA");
    TestClient onB = connect(b, "onB");
    resume(a, "onA", "red", null);
    resume(b, "onB", "red", null);
    int perNode = 200;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> broadcasting = new ArrayList<>();
      for (Node node : List.of(a, b)) {
        broadcasting.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perNode; i++) {
                    broadcast(node, "red");
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : broadcasting) {
        f.get(30, TimeUnit.SECONDS);
      }

      assertThat(onA.awaitTexts(2 * perNode, WAIT)).isEqualTo(numbered("red", 1, 2 * perNode));
      assertThat(onB.awaitTexts(2 * perNode, WAIT)).isEqualTo(numbered("red", 1, 2 * perNode));
      for (Node node : List.of(a, b)) {
        assertThat(node.hub().metrics().roomGaps()).as("room gaps on %s", node).isZero();
        await("no broadcast reported lost by " + node.hub().nodeId())
            .during(Duration.ofMillis(2500)) // longer than a missing envelope takes to count
            .atMost(WAIT)
            .until(() -> node.hub().metrics().backplaneGaps() == 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
