package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import dev.hubcast.core.backplane.InMemoryBackplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Room numbers shared across nodes through a backplane's history store. */
@Timeout(30)
class SequencedBackplaneTest {

  private final InMemoryBackplane.Group group = InMemoryBackplane.sequencedGroup();
  private final List<Hub<String>> hubs = new ArrayList<>();

  private Hub<String> node(String id, Backplane backplane) {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .nodeId(id)
                .policy(BroadcastPolicy.NONE)
                .historySize(1000)
                .backplane(() -> backplane)
                .build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void close() throws Exception {
    for (Hub<String> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    group.close();
  }

  private static long seqOf(String m) {
    return Long.parseLong(m.substring(m.indexOf('#') + 1));
  }

  @Test
  void concurrentBroadcastsFromTwoNodes_sameNumbersSameOrderEverywhere() throws Exception {
    Hub<String> a = node("a", group.join());
    Hub<String> b = node("b", group.join());
    FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");
    a.join(onA.id(), "r");
    b.join(onB.id(), "r");
    int perNode = 300;

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (Hub<String> hub : List.of(a, b)) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perNode; i++) {
                    BroadcastReceipt r =
                        hub.broadcastSequenced(
                            Target.room("r"), at -> hub.nodeId() + "#" + at.seq());
                    assertThat(r.isPending()).isTrue();
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    await("all on a").until(() -> onA.texts().size() == 2 * perNode);
    await("all on b").until(() -> onB.texts().size() == 2 * perNode);
    assertThat(onA.texts()).isEqualTo(onB.texts());
    List<String> got = onA.texts();
    for (int i = 0; i < got.size(); i++) {
      assertThat(seqOf(got.get(i))).as("message %d", i).isEqualTo(i + 1);
    }
    assertThat(a.history("r", 0).lastSequence()).isEqualTo(2L * perNode);
    assertThat(b.history("r", 0).entries())
        .extracting(HistoryEntry::sequence)
        .isEqualTo(a.history("r", 0).entries().stream().map(HistoryEntry::sequence).toList());
  }

  @Test
  void aBroadcastLostOnTheWay_isReadBackFromTheStore() {
    Hub<String> a = node("a", group.join());
    Hub<String> b = node("b", group.join());
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");
    b.join(onB.id(), "r");

    a.broadcast(Target.room("r"), "one");
    await("one on b").until(() -> onB.texts().size() == 1);
    group.lose(e -> e.message().text().contains("two"));
    a.broadcast(Target.room("r"), "two (lost on the way, kept by the store)");
    await("two numbered on a").until(() -> a.history("r", 0).lastSequence() == 2);
    group.lose(e -> false);
    a.broadcast(Target.room("r"), "three");

    await("all three on b").until(() -> onB.texts().size() == 3);
    assertThat(onB.texts())
        .containsExactly("one", "two (lost on the way, kept by the store)", "three");
    assertThat(b.metrics().roomHealed()).isEqualTo(1);
    assertThat(b.metrics().roomGaps()).isZero();
  }

  @Test
  void aNumberTheStoreNeverKept_isReportedForItsRoom() {
    InMemoryBackplane.Group numbersOnly = InMemoryBackplane.sequencedGroup(0);
    List<String> gaps = new CopyOnWriteArrayList<>();
    HubHandler<String> handler =
        new HubHandler<>() {
          @Override
          public void onRoomGap(Hub<String> hub, String room, long missed) {
            gaps.add(room + ":" + missed);
          }
        };
    Hub<String> a = node("a", numbersOnly.join());
    Backplane bBackplane = numbersOnly.join();
    Hub<String> b =
        Hub.create(
            HubConfig.textBuilder()
                .nodeId("b")
                .handler(handler)
                .historySize(1000)
                .backplane(() -> bBackplane)
                .build());
    hubs.add(b);
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");
    b.join(onB.id(), "r");

    a.broadcast(Target.room("r"), "one");
    await("one on b").until(() -> onB.texts().size() == 1);
    numbersOnly.lose(e -> e.message().text().contains("two"));
    a.broadcast(Target.room("r"), "two (lost)");
    await("two numbered on a").until(() -> a.history("r", 0).lastSequence() == 2);
    numbersOnly.lose(e -> false);
    a.broadcast(Target.room("r"), "three");

    await("three on b, past the gap").until(() -> onB.texts().size() == 2);
    assertThat(onB.texts()).containsExactly("one", "three");
    HistoryRead read = b.history("r", 0);
    assertThat(read.missed()).isEqualTo(1);
    assertThat(read.lastSequence()).isEqualTo(3);
    await("the gap reported").until(() -> gaps.equals(List.of("r:1")));
    assertThat(b.metrics().roomGaps()).isEqualTo(1);
    numbersOnly.close();
  }

  @Test
  void storeDown_numbersLocallyAndDeliversLocally() {
    Backplane broken = new BrokenStoreBackplane(group.join());
    Hub<String> a = node("a", broken);
    FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");
    a.join(onA.id(), "r");

    a.broadcastSequenced(Target.room("r"), at -> "#" + at.seq());
    a.broadcastSequenced(Target.room("r"), at -> "#" + at.seq());

    await("both numbered here").until(() -> onA.texts().size() == 2);
    assertThat(onA.texts()).containsExactly("#1", "#2");
    assertThat(a.metrics().backplanePublishFailures()).isEqualTo(2);
  }

  /** A backplane whose store and publishes fail fast, as with the medium down. */
  private record BrokenStoreBackplane(Backplane delegate) implements Backplane {
    @Override
    public Optional<HistoryStore> historyStore() {
      return Optional.of(
          new HistoryStore() {
            @Override
            public CompletionStage<Appended> append(
                String room, Envelope envelope, RoomPosition expected) {
              return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }

            @Override
            public CompletionStage<StoredRead> read(String room, long after, int limit) {
              return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }

            @Override
            public CompletionStage<StoredRead> latest(String room, int limit) {
              return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }
          });
    }

    @Override
    public void start(String nodeId, Receiver receiver) {
      delegate.start(nodeId, receiver);
    }

    @Override
    public CompletionStage<Void> publish(Envelope envelope) {
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
