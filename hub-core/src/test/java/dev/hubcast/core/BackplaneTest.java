package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.InMemoryBackplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BackplaneTest {

  private final InMemoryBackplane.Group group = InMemoryBackplane.group();
  private final List<Hub<String>> hubs = new ArrayList<>();

  private Hub<String> node(String id, HubConfig.Builder<String> config) {
    Hub<String> hub = Hub.create(config.nodeId(id).backplane(group::join).build());
    hubs.add(hub);
    return hub;
  }

  private Hub<String> node(String id) {
    return node(
        id,
        HubConfig.textBuilder()
            .policy(BroadcastPolicy.NONE)
            .authenticator(
                h -> h.queryParam("u").map(AuthResult::user).orElse(AuthResult.anonymous())));
  }

  @AfterEach
  void close() throws Exception {
    for (Hub<String> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    group.close();
  }

  @Test
  void all_reachesEveryNode_withoutEcho() {
    Hub<String> a = node("a");
    Hub<String> b = node("b");
    FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");

    BroadcastReceipt r = a.broadcast(Target.all(), "hello");

    assertThat(r.queued()).isEqualTo(1); // this node's recipients only
    await("delivery on b").until(() -> onB.texts().size() == 1);
    assertThat(onB.texts()).containsExactly("hello");
    assertThat(onA.texts()).containsExactly("hello");
    assertThat(a.metrics().backplanePublished()).isEqualTo(1);
    assertThat(b.metrics().backplaneReceived()).isEqualTo(1);
    assertThat(a.metrics().backplaneReceived()).isZero();
  }

  @Test
  void allExcept_holdsAcrossNodes() {
    Hub<String> a = node("a", HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER));
    Hub<String> b = node("b", HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER));
    FakeConnection sender = FakeConnection.open(a, "127.0.0.1", "");
    FakeConnection sameNode = FakeConnection.open(a, "127.0.0.1", "");
    FakeConnection otherNode = FakeConnection.open(b, "127.0.0.1", "");

    sender.inbound().onMessage(Message.text("from sender"));

    await("delivery on b").until(() -> otherNode.texts().size() == 1);
    assertThat(sameNode.texts()).containsExactly("from sender");
    assertThat(sender.texts()).isEmpty();
  }

  @Test
  void userAndRoomAndConnection_reachTheirNodes() {
    Hub<String> a = node("a");
    Hub<String> b = node("b");
    FakeConnection adaOnA = FakeConnection.open(a, "127.0.0.1", "u=ada");
    FakeConnection adaOnB = FakeConnection.open(b, "127.0.0.1", "u=ada");
    FakeConnection bobOnB = FakeConnection.open(b, "127.0.0.1", "u=bob");
    b.join(bobOnB.id(), "red");

    a.broadcast(Target.user("ada"), "for ada");
    a.broadcast(Target.room("red"), "for red");
    a.send(bobOnB.id(), "for bob");

    await("room and direct delivery on b").until(() -> bobOnB.texts().size() == 2);
    await("user delivery on b").until(() -> adaOnB.texts().size() == 1);
    assertThat(adaOnA.texts()).containsExactly("for ada");
    assertThat(adaOnB.texts()).containsExactly("for ada");
    assertThat(bobOnB.texts()).containsExactly("for red", "for bob");
  }

  @Test
  void localConnectionTarget_isNotPublished() {
    Hub<String> a = node("a");
    node("b");
    FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");

    a.send(onA.id(), "direct");

    assertThat(onA.texts()).containsExactly("direct");
    assertThat(a.metrics().backplanePublished()).isZero();
  }

  @Test
  void historySequence_isSharedWithOtherNodes() {
    Hub<String> a = node("a", HubConfig.textBuilder().historySize(10));
    Hub<String> b = node("b", HubConfig.textBuilder().historySize(10));

    a.broadcast(Target.room("r"), "one");
    a.broadcast(Target.room("r"), "two");

    await("history on b").until(() -> b.history("r", 0).lastSequence() == 2);
    assertThat(b.history("r", 0).entries())
        .extracting(e -> e.message().text())
        .containsExactly("one", "two");
  }

  @Test
  void lostEnvelopes_areReportedAsAGap() {
    List<Long> gaps = new CopyOnWriteArrayList<>();
    LossyBackplane lossy = new LossyBackplane(group.join());
    Hub<String> a = Hub.create(HubConfig.textBuilder().nodeId("a").backplane(() -> lossy).build());
    hubs.add(a);
    Hub<String> b =
        node(
            "b",
            HubConfig.textBuilder()
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onBackplaneGap(Hub<String> hub, String origin, long missed) {
                        gaps.add(missed);
                      }
                    }));
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");

    a.broadcast(Target.all(), "1");
    lossy.down.set(true);
    a.broadcast(Target.all(), "2");
    a.broadcast(Target.all(), "3");
    lossy.down.set(false);
    a.broadcast(Target.all(), "4");

    await("the envelopes that got through").until(() -> onB.texts().size() == 2);
    assertThat(onB.texts()).containsExactly("1", "4");
    assertThat(gaps).containsExactly(2L);
    assertThat(b.metrics().backplaneGaps()).isEqualTo(2);
    assertThat(a.metrics().backplanePublishFailures()).isEqualTo(2);
  }

  @Test
  void publishFailure_neverStopsLocalDelivery() {
    LossyBackplane broken = new LossyBackplane(group.join());
    broken.down.set(true);
    Hub<String> a = Hub.create(HubConfig.textBuilder().nodeId("a").backplane(() -> broken).build());
    hubs.add(a);
    FakeConnection local = FakeConnection.open(a, "127.0.0.1", "");

    for (int i = 0; i < 3; i++) {
      assertThat(a.broadcast(Target.all(), "m" + i).queued()).isEqualTo(1);
    }

    assertThat(local.texts()).containsExactly("m0", "m1", "m2");
    assertThat(a.metrics().backplanePublishFailures()).isEqualTo(3);
  }

  @Test
  void localBackplane_publishesNothing() {
    Hub<String> solo = Hub.create(HubConfig.textBuilder().build());
    hubs.add(solo);
    FakeConnection.open(solo, "127.0.0.1", "");

    solo.broadcast(Target.all(), "x");

    assertThat(solo.metrics().backplanePublished()).isZero();
    assertThat(Backplane.local().isDistributed()).isFalse();
  }

  /** Fails every publish while {@link #down} is set, as a backplane whose medium is gone. */
  private static final class LossyBackplane implements Backplane {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong failed = new AtomicLong();
    private final Backplane delegate;

    LossyBackplane(Backplane delegate) {
      this.delegate = delegate;
    }

    @Override
    public void start(String nodeId, Receiver receiver) {
      delegate.start(nodeId, receiver);
    }

    @Override
    public CompletionStage<Void> publish(Envelope envelope) {
      if (down.get()) {
        failed.incrementAndGet();
        return CompletableFuture.failedFuture(new IllegalStateException("medium down"));
      }
      return delegate.publish(envelope);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
