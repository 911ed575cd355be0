package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delivery through the transport: every broadcast reaches its recipients, byte for byte, each send
 * completes exactly once, and each connection sees messages in the order they were sent to it. One
 * end-to-end room broadcast checks that targets resolved by the hub reach the wire; what the
 * targets mean is the core's, tested there. Not thread-safe: JUnit runs one test of an instance at
 * a time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface DeliveryContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("hub.broadcast(all) reaches every client and its receipt counts them")
  default void broadcastAll_reachesEveryone() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    List<TestClient> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clients.add(s.connect("c" + i));
    }

    BroadcastReceipt receipt = s.hub().broadcast(Target.all(), "to everyone");

    assertThat(receipt.queued()).isEqualTo(5);
    assertThat(receipt.dropped() + receipt.refused()).isZero();
    for (TestClient client : clients) {
      assertThat(client.awaitText(WAIT)).isEqualTo("to everyone");
    }
  }

  @Test
  @DisplayName("binary frames reach clients as binary, byte for byte")
  default void broadcastBinary_keepsBytes() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    TestClient a = s.connect("a");
    byte[] data = new byte[3000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }

    s.hub().broadcastMessage(Target.all(), Message.binary(data));

    assertThat(a.awaitBinary(WAIT)).isEqualTo(data);
  }

  @Test
  @DisplayName("every send completes exactly once: delivered frames are counted once, none stay")
  default void completions_countedOnce() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    TestClient a = s.connect("a");
    TestClient b = s.connect("b");

    for (int i = 0; i < 200; i++) {
      s.hub().broadcast(Target.all(), "m" + i);
    }

    assertThat(a.awaitTexts(200, WAIT)).hasSize(200);
    assertThat(b.awaitTexts(200, WAIT)).hasSize(200);
    KitFixture.await("400 completed sends and none pending")
        .untilAsserted(
            () -> {
              HubMetrics m = s.hub().metrics();
              assertThat(m.framesOut() == 400 && m.pendingFrames() == 0).as("%s", m).isTrue();
            });
    assertThat(s.hub().metrics().sendFailures()).isZero();
  }

  @Test
  @DisplayName("a room broadcast reaches the room's members over the transport, and no one else")
  default void roomBroadcast_reachesMembersOnly() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    TestClient a = s.connect("a");
    TestClient b = s.connect("b");
    TestClient c = s.connect("c");
    assertThat(s.hub().join(s.id("a"), "red")).isTrue();
    assertThat(s.hub().join(s.id("b"), "red")).isTrue();

    BroadcastReceipt receipt = s.hub().broadcast(Target.room("red"), "to red");

    assertThat(receipt.queued()).isEqualTo(2);
    assertThat(a.awaitText(WAIT)).isEqualTo("to red");
    assertThat(b.awaitText(WAIT)).isEqualTo("to red");
    s.assertSilent(c, "c");
  }

  @Test
  @DisplayName("each client sees each broadcaster's messages in order, under concurrent broadcasts")
  default void concurrentBroadcasts_fifoPerConnection() throws Exception {
    // Room for the whole burst: this is about order, not backpressure.
    KitFixture.Served s =
        kit()
            .serve(
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
                    s.hub().broadcast(Target.all(), thread + ":" + i);
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
  default void clientMessages_relayedInOrder() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
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
