package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.HubMetrics.Refusal;
import dev.hubcast.core.backplane.InMemoryBackplane;
import dev.hubcast.core.spi.Acceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The counters behind {@link HubMetrics} that a metrics registry reads. */
@Timeout(30)
class HubMetricsTest {

  private final List<Hub<?>> hubs = new ArrayList<>();

  private <M> Hub<M> hub(HubConfig.Builder<M> config) {
    Hub<M> hub = Hub.create(config.build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void shutdown() throws Exception {
    for (Hub<?> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void refusedHandshakes_areCountedByReason() throws Exception {
    Hub<String> hub =
        hub(
            HubConfig.textBuilder()
                .originPolicy(OriginPolicy.allow("https://ok.example"))
                .maxConnectionsPerAddress(1)
                .authenticator(
                    h -> {
                      String token = h.queryParam("token").orElse("");
                      if (token.equals("throw")) {
                        throw new IllegalStateException("backend down");
                      }
                      return token.equals("ok")
                          ? AuthResult.anonymous()
                          : AuthResult.unauthorized("bad token");
                    }));
    Acceptor door = Acceptor.of(hub);
    Map<String, List<String>> good = Map.of("Origin", List.of("https://ok.example"));

    door.admit(FakeConnection.handshake("10.0.0.1", "token=ok", Map.of("Origin", List.of("x"))));
    door.admit(FakeConnection.handshake("10.0.0.1", "token=no", good));
    door.admit(FakeConnection.handshake("10.0.0.1", "token=no", good));
    door.admit(FakeConnection.handshake("10.0.0.1", "token=throw", good));
    FakeConnection.open(hub, "10.0.0.2", "token=ok");
    door.admit(FakeConnection.handshake("10.0.0.2", "token=ok", good));
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    door.admit(FakeConnection.handshake("10.0.0.3", "token=ok", good));

    HubMetrics m = hub.metrics();
    assertThat(m.refusedHandshakesByReason())
        .containsEntry(Refusal.ORIGIN, 1L)
        .containsEntry(Refusal.AUTHENTICATION, 2L)
        .containsEntry(Refusal.AUTHENTICATOR_ERROR, 1L)
        .containsEntry(Refusal.ADDRESS_LIMIT, 1L)
        .containsEntry(Refusal.SHUTTING_DOWN, 1L)
        .containsEntry(Refusal.CONNECTION_LIMIT, 0L);
    assertThat(m.refusedHandshakes()).isEqualTo(6);
  }

  @Test
  void closes_areCountedByTheCodeTheHandlerHeard() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    open(hub).peerClosed(CloseCodes.NORMAL);
    open(hub).peerClosed(CloseCodes.NORMAL);
    FakeConnection kicked = open(hub);
    hub.disconnect(kicked.id(), 4001, "kicked");

    assertThat(hub.metrics().closesByCode())
        .containsExactly(Map.entry(1000, 2L), Map.entry(4001, 1L));
  }

  @Test
  void deliveries_addUpTheReceipts_andTheFullestOutboxIsShown() {
    Hub<String> hub =
        hub(
            HubConfig.textBuilder()
                .outboxLimits(1 << 20, 2)
                .slowConsumerPolicy(SlowConsumerPolicy.DROP_NEWEST));
    FakeConnection slow = open(hub);
    open(hub);
    slow.hold();
    int queued = 0;
    int dropped = 0;
    for (int i = 0; i < 5; i++) {
      BroadcastReceipt r = hub.broadcast(Target.all(), "m" + i);
      queued += r.queued();
      dropped += r.dropped();
    }

    HubMetrics m = hub.metrics();
    assertThat(m.deliveriesQueued()).isEqualTo(queued).isEqualTo(7);
    assertThat(m.deliveriesDropped()).isEqualTo(dropped).isEqualTo(3);
    assertThat(m.deliveriesRefused()).isZero();
    assertThat(m.maxPendingFrames()).isEqualTo(2);
  }

  @Test
  void oneFanOutInSixtyFour_isTimed() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    open(hub);
    for (int i = 0; i < 10 * HubMetrics.FAN_OUT_SAMPLE; i++) {
      hub.broadcast(Target.all(), "m");
    }

    HubMetrics m = hub.metrics();
    assertThat(m.fanOutsTimed()).isEqualTo(10);
    assertThat(m.fanOutNanos()).isPositive();
  }

  @Test
  void backplaneLag_addsUpFromPublicationToArrival() throws Exception {
    try (InMemoryBackplane.Group group = InMemoryBackplane.group()) {
      Hub<String> a = hub(HubConfig.textBuilder().nodeId("a").backplane(group::join));
      Hub<String> b = hub(HubConfig.textBuilder().nodeId("b").backplane(group::join));
      open(b);
      a.broadcast(Target.all(), "across");

      await().atMost(Duration.ofSeconds(5)).until(() -> b.metrics().backplaneReceived() == 1);
      assertThat(b.metrics().backplaneLagMillis()).isBetween(0L, 5_000L);
      assertThat(b.metrics().deliveriesQueued()).isEqualTo(1);
    }
  }

  private static FakeConnection open(Hub<?> hub) {
    return FakeConnection.open(hub, "127.0.0.1", "");
  }
}
