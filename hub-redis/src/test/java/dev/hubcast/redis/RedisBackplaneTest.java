package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.redis.Nodes.Node;
import dev.hubcast.redis.Nodes.Transport;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nodes on Jetty and Netty, joined by a real redis-server, with JDK WebSocket clients on each. */
@Timeout(60)
class RedisBackplaneTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServer redis;
  private Nodes nodes;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void newCluster() {
    nodes = new Nodes(redis.uri(), "t" + PREFIXES.incrementAndGet());
  }

  @AfterEach
  void closeCluster() throws Exception {
    nodes.close();
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

  private static TestClient connect(Node node, String tag, String query) throws Exception {
    TestClient c =
        node.server().connect("tag=" + tag + (query.isEmpty() ? "" : "&" + query), Map.of());
    idOf(node, tag);
    return c;
  }

  private static void assertNext(TestClient c, String expected) {
    assertThat(c.awaitText(WAIT)).isEqualTo(expected);
  }

  @Test
  void all_reachesClientsOnEveryNode() throws Exception {
    Node jetty =
        nodes.start("j", Transport.JETTY, HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
    Node netty =
        nodes.start("n", Transport.NETTY, HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
    TestClient onJetty = connect(jetty, "a", "");
    TestClient onNetty = connect(netty, "b", "");

    onJetty.sendText("from jetty");
    onNetty.sendText("from netty");

    assertThat(onJetty.awaitTexts(2, WAIT)).containsExactlyInAnyOrder("from jetty", "from netty");
    assertThat(onNetty.awaitTexts(2, WAIT)).containsExactlyInAnyOrder("from jetty", "from netty");
    assertThat(jetty.hub().metrics().backplanePublished()).isEqualTo(1);
    assertThat(netty.hub().metrics().backplaneReceived()).isEqualTo(1);
  }

  @Test
  void allExceptSender_holdsAcrossNodes() throws Exception {
    HubConfig.Builder<String> others =
        HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER);
    Node jetty = nodes.start("j", Transport.JETTY, others);
    Node netty = nodes.start("n", Transport.NETTY, others);
    TestClient sender = connect(jetty, "s", "");
    TestClient sameNode = connect(jetty, "t", "");
    TestClient otherNode = connect(netty, "u", "");

    sender.sendText("hello others");

    assertNext(sameNode, "hello others");
    assertNext(otherNode, "hello others");
    netty.hub().broadcast(Target.all(), "marker");
    assertNext(sender, "marker");
  }

  @Test
  void rooms_spanNodes_withTheSameNumbers() throws Exception {
    Node jetty =
        nodes.start("j", Transport.JETTY, HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    Node netty =
        nodes.start("n", Transport.NETTY, HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    TestClient inRedOnJetty = connect(jetty, "a", "");
    TestClient inRedOnNetty = connect(netty, "b", "");
    TestClient notInRed = connect(netty, "c", "");
    jetty.hub().join(idOf(jetty, "a"), "red");
    netty.hub().join(idOf(netty, "b"), "red");

    jetty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());
    netty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());
    jetty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());

    assertThat(inRedOnJetty.awaitTexts(3, WAIT)).containsExactly("red#1", "red#2", "red#3");
    assertThat(inRedOnNetty.awaitTexts(3, WAIT)).containsExactly("red#1", "red#2", "red#3");
    netty.hub().send(idOf(netty, "c"), "marker");
    assertNext(notInRed, "marker");
    assertThat(netty.hub().history("red", 0).lastSequence()).isEqualTo(3);
    assertThat(jetty.hub().history("red", 0).lastSequence()).isEqualTo(3);
  }

  @Test
  void users_andSingleConnections_reachTheirNode() throws Exception {
    Node jetty =
        nodes.start(
            "j",
            Transport.JETTY,
            Nodes.withUsers(HubConfig.textBuilder().policy(BroadcastPolicy.NONE)));
    Node netty =
        nodes.start(
            "n",
            Transport.NETTY,
            Nodes.withUsers(HubConfig.textBuilder().policy(BroadcastPolicy.NONE)));
    TestClient adaTab1 = connect(jetty, "ada1", "user=ada");
    TestClient adaTab2 = connect(netty, "ada2", "user=ada");
    TestClient bob = connect(netty, "bob", "user=bob");

    jetty.hub().broadcast(Target.user("ada"), "for every ada tab");
    jetty.hub().send(idOf(netty, "bob"), "just bob");

    assertNext(adaTab1, "for every ada tab");
    assertNext(adaTab2, "for every ada tab");
    assertNext(bob, "just bob");
  }

  @Test
  void badEnvelopes_areSkipped_andDeliveryGoesOn() throws Exception {
    String prefix = "bad" + PREFIXES.incrementAndGet();
    try (Nodes own = new Nodes(redis.uri(), prefix)) {
      Node a =
          own.start("a", Transport.JETTY, HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      Node b =
          own.start("b", Transport.NETTY, HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient onB = connect(b, "x", "");

      redis.publishRaw(prefix + ":bus", "garbage".getBytes(StandardCharsets.UTF_8));
      byte[] otherVersion = {'H', 'C', 9, 0, 0};
      redis.publishRaw(prefix + ":bus", otherVersion);
      a.hub().broadcast(Target.all(), "still works");

      assertNext(onB, "still works");
      await("two bad envelopes counted")
          .atMost(WAIT)
          .until(() -> b.backplane().badEnvelopes() == 2);
      assertThat(b.hub().metrics().backplaneUnreadable()).isEqualTo(2);
    }
  }
}
