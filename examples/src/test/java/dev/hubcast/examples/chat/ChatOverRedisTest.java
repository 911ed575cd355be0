package dev.hubcast.examples.chat;

import static dev.hubcast.examples.chat.ChatClient.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubcast.examples.chat.ChatOptions.Transport;
import dev.hubcast.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two chat servers, one on Jetty and one on Netty, sharing a real {@code redis-server} ({@code
 * --redis}), with JDK WebSocket clients on each: rooms, presence, the rooms list and private
 * messages span both, and a Redis outage is reported to the users as a {@code gap}.
 */
@Timeout(60)
class ChatOverRedisTest {

  private static final Logger log = LoggerFactory.getLogger(ChatOverRedisTest.class);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisServer redis;
  private ChatServer jetty;
  private ChatServer netty;

  @BeforeEach
  void startTwoServers() throws Exception {
    redis = RedisServer.start();
    open.add(redis);
    jetty = start(Transport.JETTY);
    netty = start(Transport.NETTY);
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close(); // clients, then servers, then Redis
    }
  }

  private ChatServer start(Transport transport) throws Exception {
    ChatOptions options =
        new ChatOptions(transport, "127.0.0.1", 0, 50).withRedis(URI.create(redis.uri()));
    ChatServer server = ChatServer.start(options);
    open.add(server);
    return server;
  }

  private ChatClient enter(ChatServer on, String name) throws Exception {
    ChatClient client = ChatClient.enter(on.port(), name);
    open.add(client);
    return client;
  }

  /**
   * Returns when the last presence of {@code room} that {@code client} got lists {@code members},
   * reading its messages (and passing over the others) until it does.
   */
  private static void awaitMembers(ChatClient client, String room, String... members) {
    if (List.of(members).equals(client.lastMembers.get(room))) {
      return;
    }
    client.awaitMatching(
        "presence of " + room + " listing " + List.of(members),
        m ->
            m.path("type").asText().equals("presence")
                && m.get("room").asText().equals(room)
                && texts(m.get("members")).equals(List.of(members)),
        WAIT);
  }

  /**
   * Returns when the last {@code people} that {@code client} got lists {@code people}: its server
   * then knows them online, and sends them private messages. A room's presence can come first: a
   * connection enters its room before it is among the people online, and the two reach the other
   * server as two signals.
   */
  private static void awaitPeople(ChatClient client, String... people) {
    if (List.of(people).equals(client.lastPeople)) {
      return;
    }
    client.awaitMatching(
        "people listing " + List.of(people),
        m -> type("people").test(m) && texts(m.get("people")).equals(List.of(people)),
        WAIT);
  }

  private static Predicate<JsonNode> type(String type) {
    return m -> m.path("type").asText().equals(type);
  }

  @Test
  @DisplayName("a say reaches the room's members on both servers, with the same seq")
  void say_reachesBothServers_sameSeq() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");

    alice.say("hello from jetty");
    JsonNode atAlice = alice.next("message");
    JsonNode atBob = bob.next("message");
    for (JsonNode m : List.of(atAlice, atBob)) {
      assertThat(m.get("room").asText()).isEqualTo("lobby");
      assertThat(m.get("from").asText()).isEqualTo("alice");
      assertThat(m.get("text").asText()).isEqualTo("hello from jetty");
      assertThat(m.get("seq").asLong()).isEqualTo(1);
    }
    assertThat(atBob.get("ts").asText()).isEqualTo(atAlice.get("ts").asText());

    bob.say("hello from netty");
    assertThat(bob.next("message").get("seq").asLong()).isEqualTo(2);
    JsonNode second = alice.next("message");
    assertThat(second.get("from").asText()).isEqualTo("bob");
    assertThat(second.get("seq").asLong()).isEqualTo(2);
  }

  @Test
  @DisplayName("a newcomer on the other server gets the room's history")
  void history_isHeldOnTheOtherServerToo() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    for (int i = 1; i <= 3; i++) {
      alice.say("m" + i);
      alice.next("message");
      assertThat(bob.next("message").get("text").asText()).isEqualTo("m" + i);
    }
    ChatClient dave = ChatClient.connect(netty.port(), "dave");
    open.add(dave);
    assertThat(dave.next().get("type").asText()).isEqualTo("welcome");
    JsonNode history = dave.next();
    assertThat(history.get("type").asText()).isEqualTo("history");
    assertThat(history.get("messages"))
        .extracting(m -> m.get("text").asText() + "#" + m.get("seq").asLong())
        .containsExactly("m1#1", "m2#2", "m3#3");
  }

  @Test
  @DisplayName("presence lists the users of both servers, and follows a close and a drop")
  void presence_spansBothServers() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    awaitMembers(alice, "lobby", "alice", "bob");
    awaitMembers(bob, "lobby", "alice", "bob");

    ChatClient carol = enter(netty, "carol");
    awaitMembers(alice, "lobby", "alice", "bob", "carol");
    carol.close();
    awaitMembers(alice, "lobby", "alice", "bob");
    bob.ws.abort();
    awaitMembers(alice, "lobby", "alice");
  }

  @Test
  @DisplayName("the rooms list spans both servers, in rooms updates and in welcome")
  void rooms_spanBothServers() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    alice.send("type", "join", "room", "dev");
    alice.next("history");
    bob.awaitMatching(
        "rooms with dev",
        m -> type("rooms").test(m) && texts(m.get("rooms")).equals(List.of("dev", "lobby")),
        WAIT);
    awaitMembers(bob, "lobby", "bob");

    ChatClient dave = ChatClient.connect(netty.port(), "dave");
    open.add(dave);
    JsonNode welcome = dave.next();
    assertThat(welcome.get("type").asText()).isEqualTo("welcome");
    assertThat(texts(welcome.get("rooms"))).containsExactly("dev", "lobby");

    bob.send("type", "join", "room", "dev");
    awaitMembers(alice, "dev", "alice", "bob");
  }

  @Test
  @DisplayName("a room with history stays listed on both servers after everyone left")
  void roomWithHistory_staysListedOnBothServers() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    alice.send("type", "join", "room", "talk");
    alice.next("history");
    alice.send("type", "say", "text", "anyone?");
    alice.next("message");
    alice.send("type", "join", "room", "quiet");
    alice.next("history");
    bob.awaitMatching(
        "rooms with quiet",
        m -> type("rooms").test(m) && texts(m.get("rooms")).contains("quiet"),
        WAIT);
    alice.send("type", "join", "room", "lobby");
    JsonNode rooms = bob.awaitMatching("rooms without quiet", type("rooms"), WAIT);
    assertThat(texts(rooms.get("rooms"))).containsExactly("lobby", "talk");

    ChatClient dave = ChatClient.connect(jetty.port(), "dave");
    open.add(dave);
    assertThat(texts(dave.next().get("rooms"))).containsExactly("lobby", "talk");
  }

  @Test
  @DisplayName("people lists everyone online on both servers, whatever their room; lobby stays")
  void people_spanBothServers_andTheLobbyStaysListed() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    alice.send("type", "join", "room", "dev");
    alice.next("history");
    ChatClient bob = ChatClient.connect(netty.port(), "bob");
    open.add(bob);
    JsonNode welcome = bob.next();
    assertThat(texts(welcome.get("people"))).containsExactly("alice", "bob");
    assertThat(texts(welcome.get("rooms"))).contains("lobby");
    alice.awaitMatching(
        "people with bob",
        m -> type("people").test(m) && texts(m.get("people")).equals(List.of("alice", "bob")),
        WAIT);
    bob.next("history");
    bob.send("type", "join", "room", "dev"); // the lobby empties on both servers
    bob.next("history");
    JsonNode rooms =
        alice.awaitMatching(
            "rooms without members in the lobby",
            m -> type("rooms").test(m) && texts(m.get("rooms")).equals(List.of("dev", "lobby")),
            WAIT);
    assertThat(texts(rooms.get("rooms"))).containsExactly("dev", "lobby");
    bob.close();
    alice.awaitMatching(
        "people without bob",
        m -> type("people").test(m) && texts(m.get("people")).equals(List.of("alice")),
        WAIT);
  }

  @Test
  @DisplayName("private messages are kept in Redis: any server sends them after a reconnect")
  void dms_areKeptInRedis_forEveryServer() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    awaitPeople(alice, "alice", "bob");
    alice.send("type", "dm", "to", "bob", "text", "one");
    bob.next("dm");
    bob.send("type", "dm", "to", "alice", "text", "two");
    bob.next("dm");
    alice.next("dm");
    bob.close();

    ChatClient back = ChatClient.connect(jetty.port(), "bob"); // the other server this time
    open.add(back);
    back.next();
    back.next("history");
    JsonNode dms = back.next("dms");
    assertThat(dms.get("messages"))
        .extracting(m -> m.get("from").asText() + ">" + m.get("text").asText())
        .containsExactly("alice>one", "bob>two");
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().pttl("chat:dms:alice bob")).isPositive();
      assertThat(c.sync().llen("chat:dms:alice bob")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("a dm reaches every tab of the recipient and of the sender, on both servers")
  void dm_reachesEveryTabOnBothServers() throws Exception {
    ChatClient alice1 = enter(jetty, "alice");
    ChatClient alice2 = enter(netty, "alice");
    ChatClient bob1 = enter(netty, "bob");
    ChatClient bob2 = enter(jetty, "bob");
    ChatClient carol = enter(jetty, "carol");
    awaitMembers(carol, "lobby", "alice", "bob", "carol");
    awaitPeople(carol, "alice", "bob", "carol");

    alice1.send("type", "dm", "to", "bob", "text", "psst", "from", "mallory");
    for (ChatClient c : List.of(alice1, alice2, bob1, bob2)) {
      JsonNode dm = c.next("dm");
      assertThat(dm.get("from").asText()).as("to %s", c).isEqualTo("alice");
      assertThat(dm.get("to").asText()).isEqualTo("bob");
      assertThat(dm.get("text").asText()).isEqualTo("psst");
    }
    // Private messages reach a server in the order they were sent: carol's first is this one.
    bob1.send("type", "dm", "to", "carol", "text", "only for carol");
    assertThat(carol.next("dm").get("text").asText()).isEqualTo("only for carol");
  }

  @Test
  @DisplayName("unknown-user only for a user on no server")
  void dm_unknownUser_onlyWhenOnNoServer() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    ChatClient gone = enter(netty, "gone");
    awaitMembers(alice, "lobby", "alice", "bob", "gone");
    gone.close();
    awaitMembers(alice, "lobby", "alice", "bob");
    awaitPeople(alice, "alice", "bob");

    alice.send("type", "dm", "to", "bob", "text", "on the other server?");
    JsonNode sent = alice.nextEvent();
    assertThat(sent.get("type").asText()).isEqualTo("dm");
    assertThat(bob.next("dm").get("text").asText()).isEqualTo("on the other server?");

    for (String to : List.of("ghost", "gone", "not a name")) {
      alice.send("type", "dm", "to", to, "text", "anyone?");
      JsonNode error = alice.nextEvent();
      assertThat(error.get("type").asText()).isEqualTo("error");
      assertThat(error.get("code").asText()).as("dm to %s", to).isEqualTo("unknown-user");
    }
  }

  @Test
  @DisplayName("bad input gets its error reply on either server, and the connection stays")
  void badInput_isAnsweredOnBothServers() throws Exception {
    for (ChatServer server : List.of(jetty, netty)) {
      ChatClient alice = enter(server, "alice");
      List<String> inputs =
          List.of(
              "not json",
              "{\"type\":\"shout\"}",
              "{\"type\":\"join\",\"room\":\"a b\"}",
              "{\"type\":\"gap\",\"missed\":1}");
      for (String input : inputs) {
        alice.sendRaw(input);
        JsonNode error = alice.nextEvent();
        assertThat(error.get("type").asText()).as("answer to %s", input).isEqualTo("error");
        assertThat(error.get("code").asText()).as("code for %s", input).isEqualTo("bad-request");
      }
      alice.send("type", "dm", "to", "alice", "text", "x".repeat(2001));
      assertThat(alice.nextEvent().get("code").asText()).isEqualTo("too-long");
      assertThat(alice.ws.isClosed()).isFalse();
      alice.close();
    }
  }

  @Test
  @DisplayName("a server that stops takes its users out of presence on the others")
  void stoppingServer_takesItsUsersOut() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    enter(netty, "bob");
    awaitMembers(alice, "lobby", "alice", "bob");
    netty.close();
    awaitMembers(alice, "lobby", "alice");
    alice.send("type", "dm", "to", "bob", "text", "still there?");
    assertThat(alice.nextEvent().get("code").asText()).isEqualTo("unknown-user");
  }

  @Test
  @DisplayName("a server killed with SIGKILL drops out of the others' presence within 4 s")
  void killedServer_usersDropOutWithinTheBound() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatServerProcess doomed =
        ChatServerProcess.start(
            "chat-doomed", 60_000, "--host", "127.0.0.1", "--port", "0", "--redis", redis.uri());
    try {
      ChatClient ghost = ChatClient.enter(doomed.port(), "ghost");
      open.add(ghost);
      awaitMembers(alice, "lobby", "alice", "ghost");

      long killed = System.nanoTime();
      doomed.kill(); // no close, no goodbye
      awaitMembers(alice, "lobby", "alice");
      long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      log.info("chat over redis: a killed server's users left presence after {} ms", gone);
      assertThat(gone).as("ms from SIGKILL to leaving presence").isLessThan(4_500);
    } finally {
      doomed.close();
    }
    alice.send("type", "dm", "to", "ghost", "text", "boo");
    assertThat(alice.nextEvent().get("code").asText()).isEqualTo("unknown-user");
  }

  @Test
  @Timeout(120)
  @DisplayName("connections churned across both servers leave every presence empty")
  void churn_leavesEveryPresenceEmpty() throws Exception {
    // 2,000 cycles; 10,000 (about 30 s) with -Dhubcast.hardening.long=true, as the kits' churn.
    int cycles = Boolean.getBoolean("hubcast.hardening.long") ? 10_000 : 2_000;
    ChatClient watcher = enter(jetty, "watcher");
    ExecutorService workers = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int worker = w;
        done.add(
            workers.submit(
                () -> {
                  for (int i = worker; i < cycles; i += 8) {
                    ChatServer on = i % 2 == 0 ? jetty : netty;
                    ChatClient c = ChatClient.connect(on.port(), "u" + (i % 40));
                    if (i % 3 == 0) {
                      c.ws.abort(); // a TCP reset, no close handshake
                    } else {
                      c.close();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      workers.shutdownNow();
    }
    await("only the watcher left, on both servers")
        .atMost(WAIT)
        .until(
            () ->
                jetty.hub().presence("lobby").count() == 1
                    && netty.hub().presence("lobby").count() == 1
                    && jetty.hub().presence(ChatHandler.PEOPLE).count() == 1
                    && netty.hub().presence(ChatHandler.PEOPLE).count() == 1);
    awaitMembers(watcher, "lobby", "watcher");
    assertThat(jetty.hub().connectionCount() + netty.hub().connectionCount()).isEqualTo(1);
  }

  @Test
  @Timeout(90)
  @DisplayName("without Redis, each server's presence and unknown-user go on for its own users")
  void redisDown_eachServerServesItsOwnUsers() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    awaitMembers(alice, "lobby", "alice", "bob");

    redis.kill();
    try {
      awaitMembers(alice, "lobby", "alice"); // bob's server is out of reach: its users time out
      ChatClient carol = enter(jetty, "carol");
      awaitMembers(carol, "lobby", "alice", "carol");
      awaitMembers(alice, "lobby", "alice", "carol");
      alice.send("type", "dm", "to", "nobody", "text", "hello?");
      assertThat(alice.awaitMatching("an error", type("error"), WAIT).get("code").asText())
          .isEqualTo("unknown-user");
      alice.send("type", "dm", "to", "carol", "text", "same server");
      assertThat(carol.awaitMatching("the dm", type("dm"), WAIT).get("text").asText())
          .isEqualTo("same server");
      carol.close();
      awaitMembers(alice, "lobby", "alice");
    } finally {
      redis.restart();
    }
    awaitMembers(alice, "lobby", "alice", "bob");
    awaitMembers(bob, "lobby", "alice", "bob");
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "Redis killed and restarted mid-conversation: users are told messages may be missing")
  void redisRestart_tellsUsersOfTheGap_andTheChatRecovers() throws Exception {
    ChatClient alice = enter(jetty, "alice");
    ChatClient bob = enter(netty, "bob");
    awaitMembers(alice, "lobby", "alice", "bob");
    alice.say("before");
    alice.next("message");
    assertThat(bob.next("message").get("text").asText()).isEqualTo("before");

    redis.kill();
    // Alice goes on talking: her server delivers to her, but bob's never hears of it.
    for (int i = 1; i <= 3; i++) {
      alice.say("during " + i);
      assertThat(alice.awaitMatching("her own message", type("message"), WAIT).get("text").asText())
          .isEqualTo("during " + i);
    }

    long restartedAt = System.nanoTime();
    redis.restart();
    // Alice talks on, paced by her own echoes, until bob hears her again.
    AtomicLong missedCount = new AtomicLong();
    AtomicLong recovered = new AtomicLong();
    AtomicInteger round = new AtomicInteger();
    await("bob hears alice again")
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .pollInSameThread()
        .until(
            () -> {
              alice.say("after " + round.incrementAndGet());
              alice.awaitMatching("her own message", type("message"), WAIT);
              while (bob.ws.pendingTexts() > 0) {
                JsonNode m = bob.next();
                String got = m.path("type").asText();
                if (got.equals("gap")) {
                  missedCount.addAndGet(m.get("missed").asLong());
                } else if (got.equals("message")) {
                  assertThat(m.get("text").asText()).startsWith("after ");
                  recovered.compareAndSet(0, System.nanoTime());
                }
              }
              return recovered.get() != 0;
            });
    long recoveredAt = recovered.get();
    // His server waits a moment for the missing ones to be read back from Redis (they never got
    // there), then tells him.
    await("bob told of what he missed")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode m = bob.awaitMatching("a gap", type("gap"), WAIT);
              return missedCount.addAndGet(m.get("missed").asLong()) >= 3;
            });
    long missed = missedCount.get();
    assertThat(missed).as("messages bob was told he missed").isGreaterThanOrEqualTo(3);

    // An outage longer than the presence's peer timeout (3 s) drops alice from bob's lobby, and
    // her server's state brings her back once Redis is; a shorter one changes nothing.
    awaitMembers(bob, "lobby", "alice", "bob");
    long presenceAt = System.nanoTime();
    log.info(
        "chat over redis: after the restart, bob heard alice in {} ms (told of {} missed) and got"
            + " the lobby's presence again in {} ms",
        TimeUnit.NANOSECONDS.toMillis(recoveredAt - restartedAt),
        missed,
        TimeUnit.NANOSECONDS.toMillis(presenceAt - restartedAt));
    alice.send("type", "dm", "to", "bob", "text", "did you miss me?");
    assertThat(bob.awaitMatching("the dm", type("dm"), WAIT).get("text").asText())
        .isEqualTo("did you miss me?");
  }
}
