package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.SlowConsumerPolicy;
import dev.hubcast.core.Target;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance kit every transport adapter runs unchanged: the behaviour a hub promises, checked
 * through the adapter with real clients.
 *
 * <p>An adapter runs it by extending it and serving a hub on its transport:
 *
 * <pre>{@code
 * class JettyTransportCompatibilityTest extends TransportCompatibilityKit {
 *   protected TestServer start(Hub<String> hub) throws Exception {
 *     JettyHubServer server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
 *     return TestServer.webSocket(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test makes its own hub, serves it with {@link #start}, and closes everything after. Not
 * thread-safe: JUnit runs one test of an instance at a time.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class TransportCompatibilityKit {

  /** How long any single expected event may take. */
  protected static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

  /**
   * Serves {@code hub} on the transport under test, on {@code 127.0.0.1} and an ephemeral port, and
   * returns how test clients reach it.
   */
  protected abstract TestServer start(Hub<String> hub) throws Exception;

  @AfterEach
  void closeResources() throws Exception {
    List<AutoCloseable> all;
    synchronized (resources) {
      all = new ArrayList<>(resources);
      resources.clear();
    }
    Collections.reverse(all);
    Exception first = null;
    for (AutoCloseable r : all) {
      try {
        r.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  // ------------------------------------------------------------------ fixture helpers

  /** A running hub and its server. */
  protected final class Served {
    final Hub<String> hub;
    final TestServer server;

    Served(Hub<String> hub, TestServer server) {
      this.hub = hub;
      this.server = server;
    }

    /** Connects a client tagged {@code tag} and waits until the hub has registered it. */
    TestClient connect(String tag) throws Exception {
      return connect(tag, "", Map.of());
    }

    TestClient connect(String tag, String query, Map<String, String> headers) throws Exception {
      String q = "tag=" + tag + (query.isEmpty() ? "" : "&" + query);
      TestClient c = server.connect(q, headers);
      resources.add(
          () -> {
            if (!c.isClosed()) {
              c.abort();
            }
          });
      Await.until(
          () -> find(tag) != null, WAIT, "the hub to register the connection tagged " + tag);
      return c;
    }

    /** The hub's view of the connection tagged {@code tag}, or null. */
    Client find(String tag) {
      for (Client c : hub.clients()) {
        if (c.handshake().queryParam("tag").orElse("").equals(tag)) {
          return c;
        }
      }
      return null;
    }

    String id(String tag) {
      Client c = find(tag);
      assertThat(c).as("connection tagged %s", tag).isNotNull();
      return c.id();
    }

    void awaitEmpty() {
      Await.until(
          () ->
              hub.clients().isEmpty()
                  && hub.rooms().isEmpty()
                  && hub.users().isEmpty()
                  && hub.metrics().connections() == 0,
          WAIT,
          "registry, rooms and users to be empty",
          hub::metrics);
    }
  }

  /** Creates a hub from {@code config}, serves it, and closes both after the test. */
  protected Served serve(HubConfig.Builder<String> config) throws Exception {
    Hub<String> hub = Hub.create(config.drainTimeout(Duration.ofSeconds(2)).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS));
    TestServer server = start(hub);
    resources.add(server);
    return new Served(hub, server);
  }

  private static void assertSilent(TestClient client, Served s, String tag) {
    // A marker sent after the fact arrives first: nothing else was queued before it.
    s.hub.broadcast(Target.connection(s.id(tag)), "marker");
    assertThat(client.awaitText(WAIT)).as("next message for %s", tag).isEqualTo("marker");
  }

  // ------------------------------------------------------------------ broadcast to all

  /** Broadcasts to every connection. */
  @Nested
  @DisplayName("Broadcast to all")
  public class BroadcastToAll {

    @Test
    @DisplayName("a client's message reaches every client, the sender included (policy ALL)")
    void policyAll_relaysToEveryone() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");
      TestClient c = s.connect("c");

      a.sendText("hello from a");

      for (TestClient client : List.of(a, b, c)) {
        assertThat(client.awaitText(WAIT)).isEqualTo("hello from a");
      }
    }

    @Test
    @DisplayName("hub.broadcast(all) reaches every client and its receipt counts them")
    void broadcastAll_reachesEveryone() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      List<TestClient> clients = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        clients.add(s.connect("c" + i));
      }

      BroadcastReceipt receipt = s.hub.broadcast(Target.all(), "to everyone");

      assertThat(receipt.queued()).isEqualTo(5);
      assertThat(receipt.dropped() + receipt.refused()).isZero();
      for (TestClient client : clients) {
        assertThat(client.awaitText(WAIT)).isEqualTo("to everyone");
      }
    }

    @Test
    @DisplayName("binary frames reach clients as binary, byte for byte")
    void broadcastBinary_keepsBytes() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      byte[] data = new byte[3000];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) i;
      }

      s.hub.broadcastMessage(Target.all(), dev.hubcast.core.Message.binary(data));

      assertThat(a.awaitBinary(WAIT)).isEqualTo(data);
    }

    @Test
    @DisplayName("every send completes exactly once: delivered frames are counted once, none stay")
    void completions_countedOnce() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");

      for (int i = 0; i < 200; i++) {
        s.hub.broadcast(Target.all(), "m" + i);
      }

      assertThat(a.awaitTexts(200, WAIT)).hasSize(200);
      assertThat(b.awaitTexts(200, WAIT)).hasSize(200);
      Await.until(
          () -> s.hub.metrics().framesOut() == 400 && s.hub.metrics().pendingFrames() == 0,
          WAIT,
          "400 completed sends and none pending",
          s.hub::metrics);
      assertThat(s.hub.metrics().sendFailures()).isZero();
    }
  }

  // ------------------------------------------------------------------ all except sender

  /** Broadcasts to every connection but the sender. */
  @Nested
  @DisplayName("All except sender")
  public class AllExceptSender {

    @Test
    @DisplayName("a client's message reaches the others, not the sender (policy ALL_EXCEPT_SENDER)")
    void policyAllExceptSender_skipsSender() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");
      TestClient c = s.connect("c");

      a.sendText("from a");

      assertThat(b.awaitText(WAIT)).isEqualTo("from a");
      assertThat(c.awaitText(WAIT)).isEqualTo("from a");
      assertSilent(a, s, "a");
    }

    @Test
    @DisplayName("hub.broadcast(allExcept(id)) skips exactly that connection")
    void broadcastAllExcept_skipsOne() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");

      BroadcastReceipt receipt = s.hub.broadcast(Target.allExcept(s.id("a")), "not for a");

      assertThat(receipt.queued()).isEqualTo(1);
      assertThat(b.awaitText(WAIT)).isEqualTo("not for a");
      assertSilent(a, s, "a");
    }
  }

  // ------------------------------------------------------------------ rooms

  /** Rooms: join, leave, broadcast to a room, history replay. */
  @Nested
  @DisplayName("Rooms")
  public class Rooms {

    @Test
    @DisplayName("a room broadcast reaches its members only; roomExcept skips one")
    void roomBroadcast_reachesMembersOnly() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");
      TestClient c = s.connect("c");
      assertThat(s.hub.join(s.id("a"), "red")).isTrue();
      assertThat(s.hub.join(s.id("b"), "red")).isTrue();
      assertThat(s.hub.join(s.id("c"), "blue")).isTrue();

      s.hub.broadcast(Target.room("red"), "to red");
      s.hub.broadcast(Target.roomExcept("red", s.id("a")), "to red but a");

      assertThat(a.awaitText(WAIT)).isEqualTo("to red");
      assertThat(b.awaitTexts(2, WAIT)).containsExactly("to red", "to red but a");
      assertSilent(a, s, "a");
      assertSilent(c, s, "c");
      assertThat(s.hub.rooms()).containsExactlyInAnyOrder("red", "blue");
      assertThat(s.hub.members("red")).extracting(Client::id).contains(s.id("a"), s.id("b"));
    }

    @Test
    @DisplayName("a client that left a room no longer receives its broadcasts")
    void leave_stopsDelivery() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      s.hub.join(s.id("a"), "red");

      assertThat(s.hub.leave(s.id("a"), "red")).isTrue();
      s.hub.broadcast(Target.room("red"), "after leaving");

      assertSilent(a, s, "a");
      assertThat(s.hub.rooms()).doesNotContain("red");
    }

    @Test
    @DisplayName("joining with replay sends the room's last N messages first, and reports the gap")
    void joinAndReplay_sendsHistoryFirst() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).historySize(3));
      TestClient a = s.connect("a");
      s.hub.join(s.id("a"), "red");
      for (int i = 1; i <= 5; i++) {
        s.hub.broadcast(Target.room("red"), "m" + i);
      }
      assertThat(a.awaitTexts(5, WAIT)).containsExactly("m1", "m2", "m3", "m4", "m5");
      TestClient b = s.connect("b");

      HistoryRead read = s.hub.joinAndReplay(s.id("b"), "red").orElseThrow();
      s.hub.broadcast(Target.room("red"), "m6");

      assertThat(read.gap()).isTrue();
      assertThat(read.missed()).isEqualTo(2);
      assertThat(b.awaitTexts(4, WAIT)).containsExactly("m3", "m4", "m5", "m6");
    }
  }

  // ------------------------------------------------------------------ users

  /** Users: every connection of one user name. */
  @Nested
  @DisplayName("Users")
  public class Users {

    private HubConfig.Builder<String> byUserParam() {
      return HubConfig.textBuilder()
          .policy(BroadcastPolicy.NONE)
          .authenticator(
              h ->
                  h.queryParam("user")
                      .map(u -> AuthResult.of(new NamedPrincipal(u), u))
                      .orElse(AuthResult.anonymous()));
    }

    @Test
    @DisplayName("a user broadcast reaches every tab of that user and no one else")
    void userBroadcast_reachesAllTabs() throws Exception {
      Served s = serve(byUserParam());
      TestClient ada1 = s.connect("ada1", "user=ada", Map.of());
      TestClient ada2 = s.connect("ada2", "user=ada", Map.of());
      TestClient bob = s.connect("bob", "user=bob", Map.of());

      BroadcastReceipt receipt = s.hub.broadcast(Target.user("ada"), "for ada");

      assertThat(receipt.queued()).isEqualTo(2);
      assertThat(ada1.awaitText(WAIT)).isEqualTo("for ada");
      assertThat(ada2.awaitText(WAIT)).isEqualTo("for ada");
      assertSilent(bob, s, "bob");
      assertThat(s.hub.users()).containsExactlyInAnyOrder("ada", "bob");
      assertThat(s.hub.connectionsOf("ada")).hasSize(2);
    }

    @Test
    @DisplayName("the principal, user, query and headers reach the connection's handshake")
    void handshakeData_reachConnection() throws Exception {
      Served s = serve(byUserParam());
      s.connect("ada", "user=ada&x=1", Map.of("X-Test", "yes"));

      Client ada = s.find("ada");
      assertThat(ada.user()).contains("ada");
      assertThat(ada.handshake().principal()).map(Principal::getName).contains("ada");
      assertThat(ada.handshake().queryParam("x")).contains("1");
      assertThat(ada.handshake().header("x-test")).contains("yes");
      assertThat(ada.handshake().path()).isNotEmpty();
      assertThat(ada.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    }
  }

  // ------------------------------------------------------------------ one connection

  /** Sends to one connection. */
  @Nested
  @DisplayName("One connection")
  public class OneConnection {

    @Test
    @DisplayName("hub.send(id) reaches that connection only")
    void send_reachesOne() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");

      BroadcastReceipt receipt = s.hub.send(s.id("b"), "just b");

      assertThat(receipt.queued()).isEqualTo(1);
      assertThat(b.awaitText(WAIT)).isEqualTo("just b");
      assertSilent(a, s, "a");
    }

    @Test
    @DisplayName("a send to an unknown id reaches no one and does not throw")
    void send_unknownId_reachesNoOne() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      s.connect("a");

      assertThat(s.hub.send(s.hub.nodeId() + "-nope", "lost").recipients()).isZero();
    }
  }

  // ------------------------------------------------------------------ ordering

  /** FIFO per connection. */
  @Nested
  @DisplayName("Ordering")
  public class Ordering {

    @Test
    @DisplayName(
        "each client sees each broadcaster's messages in order, under concurrent broadcasts")
    void concurrentBroadcasts_fifoPerConnection() throws Exception {
      // Room for the whole burst: this is about order, not backpressure.
      Served s =
          serve(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.NONE)
                  .outboxLimits(64 * 1024 * 1024, 10_000));
      int clients = 3;
      int threads = 4;
      int perThread = 400;
      List<TestClient> list = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        list.add(s.connect("c" + i));
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                      s.hub.broadcast(Target.all(), thread + ":" + i);
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      for (TestClient client : list) {
        int[] next = new int[threads];
        for (String m : client.awaitTexts(threads * perThread, WAIT)) {
          int thread = Integer.parseInt(m.substring(0, m.indexOf(':')));
          int seq = Integer.parseInt(m.substring(m.indexOf(':') + 1));
          assertThat(seq).as("message from broadcaster %d", thread).isEqualTo(next[thread]);
          next[thread]++;
        }
      }
    }

    @Test
    @DisplayName("a client's own messages are relayed in the order it sent them")
    void clientMessages_relayedInOrder() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.ALL_EXCEPT_SENDER)
                  .outboxLimits(64 * 1024 * 1024, 10_000));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");

      for (int i = 0; i < 300; i++) {
        a.sendText("n" + i);
      }

      List<String> got = b.awaitTexts(300, WAIT);
      for (int i = 0; i < 300; i++) {
        assertThat(got.get(i)).isEqualTo("n" + i);
      }
    }
  }

  // ------------------------------------------------------------------ disconnect

  /** A closed connection is gone from everything. */
  @Nested
  @DisplayName("Disconnect")
  public class Disconnect {

    private final Map<String, Integer> closes = new ConcurrentHashMap<>();

    private HubConfig.Builder<String> recordingCloses() {
      return HubConfig.textBuilder()
          .authenticator(
              h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()))
          .handler(
              new HubHandler<>() {
                @Override
                public void onClose(Hub<String> hub, Client client, int code, String reason) {
                  closes.merge(client.id(), 1, Integer::sum);
                }
              });
    }

    @Test
    @DisplayName("a clean close removes the connection from the registry, its rooms and its user")
    void cleanClose_removesEverywhere() throws Exception {
      Served s = serve(recordingCloses());
      TestClient a = s.connect("a", "user=ada", Map.of());
      TestClient b = s.connect("b", "user=bob", Map.of());
      String idA = s.id("a");
      s.hub.join(idA, "red");
      s.hub.join(s.id("b"), "red");

      a.close(CloseCodes.NORMAL, "bye");

      Await.until(() -> s.hub.client(idA).isEmpty(), WAIT, "a to leave the registry");
      assertThat(s.hub.members("red")).extracting(Client::id).doesNotContain(idA);
      assertThat(s.hub.users()).containsExactly("bob");
      Await.until(() -> closes.getOrDefault(idA, 0) == 1, WAIT, "onClose for a");
      s.hub.broadcast(Target.room("red"), "still here");
      assertThat(b.awaitText(WAIT)).isEqualTo("still here");

      b.close(CloseCodes.NORMAL, "bye");
      s.awaitEmpty();
      assertThat(closes.values()).containsOnly(1);
    }

    @Test
    @DisplayName("an abrupt disconnect (no close frame) removes the connection too, once")
    void abort_removesEverywhere() throws Exception {
      Served s = serve(recordingCloses());
      TestClient a = s.connect("a", "user=ada", Map.of());
      String idA = s.id("a");
      s.hub.join(idA, "red");

      a.abort();

      s.awaitEmpty();
      Await.until(() -> closes.getOrDefault(idA, 0) == 1, WAIT, "onClose for a");
      assertThat(closes).containsEntry(idA, 1);
    }

    @Test
    @DisplayName("hub.close(id) closes the client with that code and reason")
    void hubClose_sendsCode() throws Exception {
      Served s = serve(recordingCloses());
      TestClient a = s.connect("a");

      assertThat(s.hub.disconnect(s.id("a"), 4000, "kicked")).isTrue();

      assertThat(a.awaitClose(WAIT)).isEqualTo(new TestClient.CloseStatus(4000, "kicked"));
      s.awaitEmpty();
    }

    @Test
    @DisplayName("many clients connecting and leaving at once leave nothing behind")
    void churn_leavesNothing() throws Exception {
      Served s = serve(recordingCloses());
      List<TestClient> list = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        TestClient c = s.connect("c" + i, "user=u" + (i % 3), Map.of());
        s.hub.join(s.id("c" + i), "room" + (i % 4));
        list.add(c);
      }
      for (int i = 0; i < list.size(); i++) {
        if (i % 2 == 0) {
          list.get(i).close(CloseCodes.NORMAL, "bye");
        } else {
          list.get(i).abort();
        }
        s.hub.broadcast(Target.all(), "tick " + i);
      }

      s.awaitEmpty();
      Await.until(() -> closes.size() == 20, WAIT, "20 onClose calls", closes::size);
      assertThat(closes.values()).containsOnly(1);
    }
  }

  // ------------------------------------------------------------------ limits and bad input

  /** Oversize and undecodable messages. */
  @Nested
  @DisplayName("Bad input")
  public class BadInput {

    @Test
    @DisplayName("a message over maxMessageBytes closes that client with 1009; others go on")
    void oversize_closes1009() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).maxMessageBytes(1024));
      TestClient big = s.connect("big");
      TestClient other = s.connect("other");

      big.sendText("x".repeat(4096));

      assertThat(big.awaitClose(WAIT).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
      other.sendText("still fine");
      assertThat(other.awaitText(WAIT)).isEqualTo("still fine");
      Await.until(() -> s.hub.clients().size() == 1, WAIT, "the big client to be gone");
    }

    @Test
    @DisplayName("a message of exactly maxMessageBytes is accepted")
    void atLimit_accepted() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).maxMessageBytes(1024));
      TestClient a = s.connect("a");

      a.sendText("y".repeat(1024));

      assertThat(a.awaitText(WAIT)).hasSize(1024);
    }

    @Test
    @DisplayName("a binary message to a text-only hub closes that client with 1003")
    void binaryToTextCodec_closes1003() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
      TestClient a = s.connect("a");
      TestClient other = s.connect("other");

      a.sendBinary(new byte[] {1, 2, 3});

      assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
      assertThat(s.hub.metrics().decodeErrors()).isEqualTo(1);
      s.hub.broadcast(Target.all(), "others unaffected");
      assertThat(other.awaitText(WAIT)).isEqualTo("others unaffected");
    }

    @Test
    @DisplayName("a handler that throws closes that client with 1011; others go on")
    void handlerThrows_closes1011() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onMessage(Hub<String> hub, Client client, String message) {
                          if (message.equals("boom")) {
                            throw new IllegalStateException("handler failure (expected by test)");
                          }
                          hub.broadcast(Target.all(), message);
                        }
                      }));
      TestClient bad = s.connect("bad");
      TestClient good = s.connect("good");

      bad.sendText("boom");

      assertThat(bad.awaitClose(WAIT).code()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      good.sendText("fine");
      assertThat(good.awaitText(WAIT)).isEqualTo("fine");
      assertThat(s.hub.metrics().handlerErrors()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ slow consumers

  /** A client that stops reading, among others that read. */
  @Nested
  @DisplayName("Slow consumer")
  public class SlowConsumer {

    private static final int SIZE = 16 * 1024;
    private static final long LIMIT_BYTES = 512 * 1024;
    // Half the outbox limit: a reader that keeps up must never reach the limit itself, even when
    // the completions of the previous batch's last frames are still on their way when the next
    // batch starts (a reader can see bytes before the server's write completes). A batch the size
    // of the limit left no headroom and now and then dropped a reader's frames on a loaded machine.
    private static final int BATCH = 16;
    private static final int MAX_MESSAGES = 4000; // 64 MiB: past any socket buffers

    private String payload(int i) {
      String prefix = i + ":";
      return prefix + "x".repeat(SIZE - prefix.length());
    }

    private static int seq(String m) {
      return Integer.parseInt(m.substring(0, m.indexOf(':')));
    }

    /**
     * Broadcasts in batches, letting the readers catch up after each, until {@code done} holds;
     * checks all along that the slow client's outbox stays within its limit.
     */
    private int broadcastUntil(
        Served s,
        String slowId,
        List<TestClient> readers,
        java.util.function.BooleanSupplier done) {
      int sent = 0;
      long maxPending = 0;
      while (!done.getAsBoolean()) {
        assertThat(sent).as("messages broadcast before the policy acted").isLessThan(MAX_MESSAGES);
        for (int i = 0; i < BATCH; i++) {
          s.hub.broadcast(Target.all(), payload(sent++));
          long pending = s.hub.client(slowId).map(Client::pendingBytes).orElse(0L);
          maxPending = Math.max(maxPending, pending);
        }
        for (TestClient r : readers) {
          List<String> got = r.awaitTexts(BATCH, WAIT);
          assertThat(seq(got.get(BATCH - 1))).isEqualTo(sent - 1);
        }
      }
      assertThat(maxPending).as("slow client's outbox bytes").isLessThanOrEqualTo(LIMIT_BYTES);
      return sent;
    }

    @Test
    @DisplayName("DISCONNECT: the stalled client is closed with 1008; the others get everything")
    void disconnect_closesSlowClient() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.NONE)
                  .outboxLimits(LIMIT_BYTES, 1000)
                  .slowConsumerPolicy(SlowConsumerPolicy.DISCONNECT)
                  .closeTimeout(Duration.ofSeconds(60)));
      TestClient slow = s.connect("slow");
      TestClient r1 = s.connect("r1");
      TestClient r2 = s.connect("r2");
      String slowId = s.id("slow");
      slow.pauseReading();

      broadcastUntil(s, slowId, List.of(r1, r2), () -> s.hub.client(slowId).isEmpty());

      assertThat(s.hub.metrics().slowConsumerCloses()).isEqualTo(1);
      s.hub.broadcast(Target.all(), "after");
      assertThat(r1.awaitText(WAIT)).isEqualTo("after");
      slow.resumeReading();
      assertThat(slow.awaitClose(Duration.ofSeconds(60)).code())
          .isEqualTo(CloseCodes.POLICY_VIOLATION);
    }

    @Test
    @DisplayName("DROP_NEWEST: the stalled client stays, within its limit; drops are counted")
    void dropNewest_boundedAndCounted() throws Exception {
      checkDropping(SlowConsumerPolicy.DROP_NEWEST);
    }

    @Test
    @DisplayName("DROP_OLDEST: the stalled client stays, within its limit; drops are counted")
    void dropOldest_boundedAndCounted() throws Exception {
      checkDropping(SlowConsumerPolicy.DROP_OLDEST);
    }

    private void checkDropping(SlowConsumerPolicy policy) throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.NONE)
                  .outboxLimits(LIMIT_BYTES, 1000)
                  .slowConsumerPolicy(policy));
      TestClient slow = s.connect("slow");
      TestClient reader = s.connect("reader");
      String slowId = s.id("slow");
      slow.pauseReading();

      int sent =
          broadcastUntil(s, slowId, List.of(reader), () -> s.hub.metrics().framesDropped() > 0);

      assertThat(s.hub.client(slowId)).isPresent();
      slow.resumeReading();
      // Let the backlog drain first: with the outbox full to the byte, DROP_NEWEST would rightly
      // drop "last" too.
      Await.until(
          () -> s.hub.client(slowId).map(Client::pendingFrames).orElse(0) == 0,
          WAIT,
          "the slow client's outbox to drain");
      s.hub.broadcast(Target.all(), "last");
      // The slow client now gets a subsequence of what was sent, in order, then "last".
      int previous = -1;
      int received = 0;
      while (true) {
        String m = slow.awaitText(WAIT);
        if (m.equals("last")) {
          break;
        }
        int n = seq(m);
        assertThat(n).isGreaterThan(previous).isLessThan(sent);
        previous = n;
        received++;
      }
      assertThat(received).isLessThan(sent);
      assertThat(reader.awaitText(WAIT)).isEqualTo("last");
    }
  }

  // ------------------------------------------------------------------ handshakes

  /** Refusals before the upgrade. */
  @Nested
  @DisplayName("Refused handshake")
  public class RefusedHandshake {

    @Test
    @DisplayName("an authenticator's 401 and 403 reach the client before the upgrade")
    void authenticatorRefusal_isHttpStatus() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .authenticator(
                      h -> {
                        String token = h.queryParam("token").orElse("");
                        if (token.isEmpty()) {
                          return AuthResult.unauthorized("token required");
                        }
                        return token.equals("good")
                            ? AuthResult.user("ada")
                            : AuthResult.forbidden("token not allowed");
                      }));

      assertThatThrownBy(() -> s.server.connect("tag=x", Map.of()))
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
      assertThatThrownBy(() -> s.server.connect("tag=y&token=bad", Map.of()))
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
      assertThat(s.hub.clients()).isEmpty();
      assertThat(s.hub.metrics().refusedHandshakes()).isEqualTo(2);

      s.connect("ok", "token=good", Map.of());
      assertThat(s.find("ok").user()).contains("ada");
    }

    @Test
    @DisplayName("an origin outside the allow-list gets 403; a listed one is admitted")
    void originNotAllowed_is403() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder().originPolicy(OriginPolicy.allow("https://chat.example.com")));

      for (String evil :
          List.of(
              "https://evil.example",
              "https://chat.example.com.evil",
              "http://chat.example.com",
              "https://chat.example.com:8443",
              "null")) {
        assertThatThrownBy(() -> s.server.connect("tag=evil", Map.of("Origin", evil)))
            .as("origin %s", evil)
            .isInstanceOfSatisfying(
                HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
      }
      assertThat(s.hub.clients()).isEmpty();

      s.connect("good", "", Map.of("Origin", "https://chat.example.com"));
      assertThat(s.hub.clients()).hasSize(1);
    }

    @Test
    @DisplayName("past maxConnections the next handshake is refused with 503")
    void overCap_is503() throws Exception {
      Served s = serve(HubConfig.textBuilder().maxConnections(2));
      s.connect("a");
      s.connect("b");

      assertThatThrownBy(() -> s.server.connect("tag=c", Map.of()))
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(503));
      assertThat(s.hub.clients()).hasSize(2);
    }
  }

  // ------------------------------------------------------------------ shutdown

  /** Graceful shutdown. */
  @Nested
  @DisplayName("Graceful shutdown")
  public class GracefulShutdown {

    @Test
    @DisplayName("queued messages are delivered, then every client gets 1001; new ones get 503")
    void shutdown_drainsThenCloses1001() throws Exception {
      Served s = serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      TestClient a = s.connect("a");
      TestClient b = s.connect("b");
      for (int i = 0; i < 100; i++) {
        s.hub.broadcast(Target.all(), "m" + i);
      }

      var done = s.hub.shutdown(Duration.ofSeconds(10));

      assertThat(a.awaitTexts(100, WAIT)).endsWith("m99");
      assertThat(b.awaitTexts(100, WAIT)).endsWith("m99");
      assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(b.awaitClose(WAIT).code()).isEqualTo(CloseCodes.GOING_AWAY);
      done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(s.hub.clients()).isEmpty();
      assertThatThrownBy(() -> s.server.connect("tag=late", Map.of()))
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(503));
      assertThatThrownBy(() -> s.hub.broadcast(Target.all(), "too late"))
          .isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("a client that stopped reading is closed at the drain deadline")
    void shutdown_deadlineClosesStalled() throws Exception {
      Served s =
          serve(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.NONE)
                  .closeTimeout(Duration.ofSeconds(2)));
      TestClient slow = s.connect("slow");
      slow.pauseReading();
      String big = "z".repeat(32 * 1024);
      for (int i = 0; i < 30; i++) {
        s.hub.broadcast(Target.all(), big);
      }

      s.hub.shutdown(Duration.ofMillis(500)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertThat(s.hub.clients()).isEmpty();
      slow.resumeReading();
      assertThat(slow.awaitClose(WAIT).code()).isIn(CloseCodes.GOING_AWAY, CloseCodes.ABNORMAL);
    }
  }

  /** A principal with a name, for the users tests. */
  private record NamedPrincipal(String getName) implements Principal {}
}
