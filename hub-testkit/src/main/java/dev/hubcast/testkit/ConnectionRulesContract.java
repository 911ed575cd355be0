package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics.TransportViolation;
import dev.hubcast.core.SlowConsumerPolicy;
import dev.hubcast.core.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The numbered rules of the transport SPI ({@code dev.hubcast.core.spi}'s package documentation),
 * each checked directly and quickly: a transport that breaks one fails here within seconds, with a
 * message naming the rule, rather than at a timeout. The hub's own count of what it saw broken
 * ({@code HubMetrics.transportViolations()}) is checked by {@link KitFixture#close()} after every
 * test of every group. Not thread-safe: JUnit runs one test of an instance at a time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface ConnectionRulesContract {

  /** How long an event a rule promises promptly may take. */
  Duration PROMPTLY = Duration.ofSeconds(5);

  /** How long one broadcast may take to return while a client has stopped reading. */
  Duration NON_BLOCKING = Duration.ofSeconds(2);

  /** The fixture of the running test. */
  KitFixture kit();

  /** A hub whose handler records, per connection id, every onClose code and every message. */
  private static HubConfig.Builder<String> recording(
      Map<String, List<Integer>> closes, Map<String, List<String>> messages) {
    return HubConfig.textBuilder()
        .closeTimeout(Duration.ofSeconds(1))
        .handler(
            new HubHandler<>() {
              @Override
              public void onOpen(Hub<String> hub, Client client) {
                String tag = client.handshake().queryParam("tag").orElse("");
                if (tag.startsWith("welcome")) {
                  hub.broadcast(Target.connection(client.id()), "welcome");
                }
                if (tag.endsWith("kick")) {
                  hub.disconnect(client.id(), 4001, "not now");
                }
              }

              @Override
              public void onMessage(Hub<String> hub, Client client, String message) {
                messages
                    .computeIfAbsent(client.id(), id -> new CopyOnWriteArrayList<>())
                    .add(message);
              }

              @Override
              public void onClose(Hub<String> hub, Client client, int code, String reason) {
                closes.computeIfAbsent(client.id(), id -> new CopyOnWriteArrayList<>()).add(code);
              }
            });
  }

  /**
   * Broadcasts {@code count} frames of {@code size} bytes, each on a helper thread with a deadline:
   * a broadcast that does not return within {@link #NON_BLOCKING} fails the test at once, naming
   * rule 2, instead of hanging until the test's timeout.
   */
  private static void broadcastWithDeadline(KitFixture.Served s, int count, int size)
      throws Exception {
    String payload = "s".repeat(size);
    ExecutorService broadcaster =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "kit-broadcaster");
              t.setDaemon(true); // a send that blocks for ever must not keep the JVM alive
              return t;
            });
    try {
      for (int i = 0; i < count; i++) {
        Future<?> one = broadcaster.submit(() -> s.hub().broadcast(Target.all(), payload));
        try {
          one.get(NON_BLOCKING.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException blocked) {
          throw new AssertionError(
              "rule 2, send never blocks: broadcast "
                  + i
                  + " of "
                  + count
                  + " to a client that stopped reading did not return within "
                  + NON_BLOCKING
                  + " (Connection.send blocked)");
        }
      }
    } finally {
      broadcaster.shutdownNow();
    }
  }

  /**
   * About 16 MiB to a client that stopped reading, past any socket's buffers on loopback: each
   * broadcast returns at once (rule 2), no send throws (rule 2), and the backlog stays in the hub's
   * outbox, pending (rule 5).
   */
  private static void stall(KitFixture.Served s, TestClient slow, Client hubSide) throws Exception {
    slow.pauseReading();
    broadcastWithDeadline(s, 512, 32 * 1024);
    assertThat(violations(s, TransportViolation.SEND_THREW))
        .as("rule 2, send never throws: sends that threw")
        .isZero();
    assertThat(hubSide.pendingFrames())
        .as(
            "rule 5, bounded buffers: frames still pending in the hub's outbox after 16 MiB to a"
                + " client that stopped reading (none means the transport completed sends it"
                + " could not write: an unbounded buffer)")
        .isPositive();
  }

  /** A hub that keeps a stalled client (its outbox holds 64 MiB) and closes it in 1 s. */
  private static HubConfig.Builder<String> roomy() {
    return HubConfig.textBuilder()
        .policy(BroadcastPolicy.NONE)
        .outboxLimits(64L * 1024 * 1024, 100_000)
        .slowConsumerPolicy(SlowConsumerPolicy.DROP_NEWEST)
        .closeTimeout(Duration.ofSeconds(1));
  }

  private static long violations(KitFixture.Served s, TransportViolation rule) {
    return s.hub().metrics().transportViolationsByRule().get(rule);
  }

  @Test
  @DisplayName(
      "rules 2 and 5: send never blocks or throws, and a client that stops reading stops its"
          + " sends completing")
  default void send_neverBlocks_backlogStaysInTheOutbox() throws Exception {
    KitFixture.Served s = kit().serve(roomy());
    TestClient slow = s.connect("slow");
    Client hubSide = s.find("slow");

    stall(s, slow, hubSide);

    slow.resumeReading();
    KitFixture.await("rule 5: the backlog to drain once the client reads again", WAIT)
        .until(() -> hubSide.pendingFrames() == 0);
  }

  @Test
  @DisplayName("rules 3 and 4: every send completes exactly once, in order, both ways")
  default void completions_exactlyOnceAndInOrder() throws Exception {
    Map<String, List<String>> messages = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recording(new ConcurrentHashMap<>(), messages));
    TestClient a = s.connect("a");
    TestClient b = s.connect("b");
    int n = 200;

    for (int i = 0; i < n; i++) {
      s.hub().broadcast(Target.all(), "m" + i);
      a.sendText("c" + i);
    }

    for (TestClient c : List.of(a, b)) {
      List<String> got = c.awaitTexts(n, PROMPTLY);
      for (int i = 0; i < n; i++) {
        assertThat(got.get(i)).as("rule 4, order: frame %d to the client", i).isEqualTo("m" + i);
      }
    }
    String idA = s.id("a");
    KitFixture.await("the client's messages to reach the hub", PROMPTLY)
        .until(() -> messages.getOrDefault(idA, List.of()).size() >= n);
    List<String> in = messages.get(idA);
    for (int i = 0; i < n; i++) {
      assertThat(in.get(i)).as("rule 4, order: client message %d at the hub", i).isEqualTo("c" + i);
    }
    KitFixture.await("rule 3: every send completed", PROMPTLY)
        .until(() -> s.hub().metrics().framesOut() >= 2L * n);
    assertThat(violations(s, TransportViolation.COMPLETION_NOT_IN_FLIGHT))
        .as("rule 3, exactly once: completions of frames not in flight (twice, or never sent)")
        .isZero();
    assertThat(s.hub().metrics().framesOut()).as("rule 3: completed sends").isEqualTo(2L * n);
    assertThat(s.hub().metrics().pendingFrames()).as("rule 3: sends not completed").isZero();
  }

  @Test
  @DisplayName("rule 6: sends pending when the connection ends are failed, promptly")
  default void pendingSends_failedAtTheEnd() throws Exception {
    KitFixture.Served s = kit().serve(roomy());
    TestClient slow = s.connect("slow");
    Client hubSide = s.find("slow");
    stall(s, slow, hubSide);

    s.hub().disconnect(hubSide.id(), CloseCodes.POLICY_VIOLATION, "stalled");

    // Queued frames are dropped by the hub; those in flight are the transport's to fail, within
    // the close timeout (1 s here) of a peer that does not answer the close.
    KitFixture.await(
            "rule 6: the transport to fail every send pending when the connection ended",
            PROMPTLY.plusSeconds(1))
        .untilAsserted(
            () ->
                assertThat(hubSide.pendingFrames())
                    .as("rule 6, sends pending at the end are failed: frames still pending")
                    .isZero());
    s.awaitEmpty();
  }

  @Test
  @DisplayName(
      "rules 1 and 8: a send and a close inside Acceptor.open work, and the close is"
          + " reported once")
  default void closeDuringOpen_isReportedOnce() throws Exception {
    Map<String, List<Integer>> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recording(closes, new ConcurrentHashMap<>()));

    TestClient kicked = s.server().connect("tag=welcome-kick", Map.of());

    String first;
    try {
      first = kicked.awaitText(PROMPTLY);
    } catch (AssertionError none) {
      throw new AssertionError(
          "rule 1: a frame sent from inside Acceptor.open never reached the client", none);
    }
    assertThat(first).as("rule 1: a frame sent from inside Acceptor.open").isEqualTo("welcome");
    TestClient.CloseStatus status = kicked.awaitClose(PROMPTLY);
    if (s.server().clientsSeeCloseCodes()) {
      assertThat(status.code()).as("rule 1: the close asked inside Acceptor.open").isEqualTo(4001);
    }
    KitFixture.await(
            "rule 8: the close of a connection closed inside Acceptor.open to be reported",
            PROMPTLY)
        .until(() -> closes.size() == 1);
    s.awaitEmpty();
    assertThat(closes.values().iterator().next())
        .as("rule 8: onClose calls for the connection closed during open")
        .hasSize(1);
    TestClient next = s.connect("next");
    assertThat(next.isClosed()).isFalse();
  }

  @Test
  @DisplayName("rule 8: the close is reported once, and nothing after it, however it ends")
  default void close_reportedOnceWhateverEndsIt() throws Exception {
    Map<String, List<Integer>> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recording(closes, new ConcurrentHashMap<>()));
    TestClient byClient = s.connect("byClient");
    TestClient byAbort = s.connect("byAbort");
    TestClient byHub = s.connect("byHub");
    TestClient both = s.connect("both");
    String bothId = s.id("both");

    byClient.sendText("last words");
    byClient.close(CloseCodes.NORMAL, "bye");
    byAbort.abort();
    s.hub().disconnect(s.id("byHub"), 4000, "kicked");
    both.close(CloseCodes.NORMAL, "bye"); // races the hub's close below
    s.hub().disconnect(bothId, 4000, "kicked");

    s.awaitEmpty();
    KitFixture.await("rule 8: four closes reported", s.lossWait()).until(() -> closes.size() == 4);
    assertThat(byHub.awaitClose(PROMPTLY)).isNotNull();
    for (Map.Entry<String, List<Integer>> e : closes.entrySet()) {
      assertThat(e.getValue()).as("rule 8: onClose calls for %s", e.getKey()).hasSize(1);
    }
    assertThat(violations(s, TransportViolation.CLOSE_REPORTED_TWICE))
        .as("rule 8: closes reported twice")
        .isZero();
    assertThat(violations(s, TransportViolation.REPORT_AFTER_CLOSE))
        .as("rule 8: messages or errors reported after the close")
        .isZero();
  }

  @Test
  @DisplayName("rule 9: a client that vanishes is reported as lost, 1006")
  default void lostConnection_reported1006() throws Exception {
    Map<String, List<Integer>> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recording(closes, new ConcurrentHashMap<>()));
    s.connect("gone").abort();

    KitFixture.await("rule 9: the lost connection to be reported", s.lossWait())
        .until(() -> closes.size() == 1);
    assertThat(closes.values().iterator().next())
        .as("rule 9: the code a lost connection is reported with")
        .containsExactly(CloseCodes.ABNORMAL);
  }

  @Test
  @DisplayName("a client's close code and reason reach the hub")
  default void clientCloseCode_reachesTheHub() throws Exception {
    Map<String, List<Integer>> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recording(closes, new ConcurrentHashMap<>()));
    s.assumeClientsSendCloseCodes();
    TestClient a = s.connect("a");

    a.close(4002, "done here");

    KitFixture.await("the client's close to be reported", PROMPTLY).until(() -> closes.size() == 1);
    assertThat(closes.values().iterator().next())
        .as("the code the client closed with, as onClose heard it")
        .containsExactly(4002);
  }

  @Test
  @DisplayName("rule 10: an oversize message is refused before it reaches the hub, with 1009")
  default void oversize_refusedBeforeTheHub() throws Exception {
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).maxMessageBytes(1024));
    TestClient big = s.connect("big");

    // Four times the limit, small enough to reach the server in one piece: a server that refuses a
    // frame and closes with its bytes unread (Jetty does) makes the kernel reset the connection,
    // and a client still writing can see that reset (1006) before the 1009. That is how the socket
    // ends, not which messages the hub lets in; the hardening kit's raw frames test larger ones.
    big.sendText("x".repeat(4 * 1024));

    TestClient.CloseStatus status = big.awaitClose(PROMPTLY);
    assertThat(s.hub().metrics().framesIn())
        .as("rule 10, oversize messages are refused: messages that reached the hub")
        .isZero();
    assertThat(violations(s, TransportViolation.OVERSIZE_MESSAGE))
        .as("rule 10: oversize messages that reached the hub")
        .isZero();
    if (s.server().clientsSeeCloseCodes()) {
      assertThat(status.code())
          .as("rule 10: close code (%s)", status)
          .isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }
    s.awaitEmpty();
  }

  @Test
  @DisplayName("rule 11: text that is not UTF-8 is refused before it reaches the hub, with 1007")
  default void invalidUtf8_refusedBeforeTheHub() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
    byte[] notUtf8 = {'o', 'k', (byte) 0xC3, (byte) 0x28};
    int code;
    if (s.server().clientsSendRawText()) {
      TestClient bad = s.connect("bad");
      bad.sendRawText(notUtf8);
      TestClient.CloseStatus status = bad.awaitClose(PROMPTLY);
      code = s.server().clientsSeeCloseCodes() ? status.code() : CloseCodes.INVALID_PAYLOAD;
    } else {
      Assumptions.assumeTrue(
          s.server().uri().isPresent(),
          () ->
              "needs a client that sends text that is not UTF-8, and "
                  + s.server()
                  + "'s cannot (TestServer.clientsSendRawText() is false, and there is no"
                  + " WebSocket socket to write it raw)");
      RawWebSocket raw = s.raw();
      s.awaitConnections(1);
      raw.sendFrame(true, RawWebSocket.TEXT, notUtf8);
      RawWebSocket.ServerFrame close = raw.awaitClose(PROMPTLY);
      assertThat(close).as("rule 11: a close frame").isNotNull();
      code = close.closeCode();
    }

    assertThat(s.hub().metrics().framesIn())
        .as("rule 11, text is UTF-8: messages that reached the hub")
        .isZero();
    assertThat(code).as("rule 11: close code").isEqualTo(CloseCodes.INVALID_PAYLOAD);
    s.awaitEmpty();
  }
}
