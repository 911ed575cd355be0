package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.PresenceConfig;
import dev.hubcast.core.PresenceUser;
import dev.hubcast.redis.Nodes.Node;
import dev.hubcast.redis.Nodes.Transport;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence across a Jetty node and a Netty node over a real redis-server, with JDK WebSocket
 * clients: every node's users on every node, a clean stop, and Redis lost and back.
 */
@Timeout(90)
class RedisPresenceTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServer redis;
  private Nodes nodes;
  private final List<TestClient> clients = new ArrayList<>();

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
    nodes = new Nodes(redis.uri(), "p" + PREFIXES.incrementAndGet());
  }

  @AfterEach
  void closeCluster() throws Exception {
    for (TestClient c : clients) {
      c.close();
    }
    nodes.close();
  }

  /** The default heartbeat (1 s) and peer timeout (3 s), as a deployment would have them. */
  private static HubConfig.Builder<String> config() {
    return Nodes.withUsers(HubConfig.textBuilder().policy(BroadcastPolicy.NONE))
        .presence(
            PresenceConfig.<String>builder(
                    s ->
                        "snap:"
                            + s.users().stream()
                                .map(PresenceUser::user)
                                .collect(Collectors.joining(",")),
                    d ->
                        "diff:+"
                            + d.joined().stream()
                                .map(PresenceUser::user)
                                .collect(Collectors.joining(","))
                            + ":-"
                            + String.join(",", d.left()))
                .build());
  }

  /** A client of {@code user} on {@code node}, in room {@code r}. */
  private TestClient enter(Node node, String user) throws Exception {
    TestClient c = node.server().connect("user=" + user, Map.of());
    clients.add(c);
    await(user + " registered")
        .atMost(WAIT)
        .until(() -> node.hub().connectionsOf(user).size() == 1);
    Client client = node.hub().connectionsOf(user).iterator().next();
    node.hub().join(client.id(), "r");
    return c;
  }

  private static List<String> users(Node node) {
    return node.hub().presence("r").users().stream().map(PresenceUser::user).toList();
  }

  /** Reads the client's messages until {@code text}; fails if it does not come within WAIT. */
  private static void awaitText(TestClient c, String text) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (!seen.contains(text)) {
      long left = deadline - System.nanoTime();
      assertThat(left).as("%s within %s; got %s", text, WAIT, seen).isPositive();
      seen.add(c.awaitText(Duration.ofNanos(left)));
    }
  }

  @Test
  void everyNodesUsers_areSeenOnEveryNode_andACleanStopLeavesAtOnce() throws Exception {
    Node jetty = nodes.start("j", Transport.JETTY, config());
    Node netty = nodes.start("n", Transport.NETTY, config());
    TestClient ada = enter(jetty, "ada");
    awaitText(ada, "snap:ada");
    await("netty knows ada").atMost(WAIT).until(() -> users(netty).equals(List.of("ada")));

    TestClient bob = enter(netty, "bob");
    awaitText(bob, "snap:ada,bob");
    awaitText(ada, "diff:+bob:-");
    assertThat(jetty.hub().presence("r").users().get(1).entries().get(0).node()).isEqualTo("n");

    long stopped = System.nanoTime();
    netty.hub().shutdown(Duration.ZERO).get(10, java.util.concurrent.TimeUnit.SECONDS);
    awaitText(ada, "diff:+:-bob");
    System.out.printf(
        "presence: a clean stop left the other node's presence after %d ms%n",
        (System.nanoTime() - stopped) / 1_000_000);
    assertThat(users(jetty)).containsExactly("ada");
  }

  @Test
  void withoutRedis_eachNodeAnswersForItsOwn_andWithItBackTheyConverge() throws Exception {
    Node jetty = nodes.start("j", Transport.JETTY, config());
    Node netty = nodes.start("n", Transport.NETTY, config());
    TestClient ada = enter(jetty, "ada");
    TestClient bob = enter(netty, "bob");
    await("both nodes see both")
        .atMost(WAIT)
        .until(
            () ->
                users(jetty).equals(List.of("ada", "bob"))
                    && users(netty).equals(List.of("ada", "bob")));

    redis.kill();
    await("each node alone, saying it is partial")
        .atMost(WAIT)
        .until(
            () ->
                users(jetty).equals(List.of("ada"))
                    && jetty.hub().presence("r").partial()
                    && users(netty).equals(List.of("bob"))
                    && netty.hub().presence("r").partial());
    TestClient cy = enter(jetty, "cy"); // joins during the outage: its node answers at once
    awaitText(cy, "snap:ada,cy");
    awaitText(ada, "diff:+cy:-");

    long restarted = System.nanoTime();
    redis.restart();
    await("converged on both nodes")
        .atMost(WAIT)
        .until(
            () ->
                users(jetty).equals(List.of("ada", "bob", "cy"))
                    && users(netty).equals(List.of("ada", "bob", "cy"))
                    && !jetty.hub().presence("r").partial()
                    && !netty.hub().presence("r").partial());
    System.out.printf(
        "presence: converged %d ms after redis restarted%n",
        (System.nanoTime() - restarted) / 1_000_000);
    awaitText(bob, "diff:+ada,cy:-");
  }
}
