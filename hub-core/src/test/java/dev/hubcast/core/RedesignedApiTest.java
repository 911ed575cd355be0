package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.backplane.InMemoryBackplane;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The API decisions of the core redesign, one test each. */
class RedesignedApiTest {

  @Test
  void builder_handlerAfterPolicy_isRefused() {
    HubConfig.Builder<String> b = HubConfig.textBuilder().policy(BroadcastPolicy.ALL);
    assertThatThrownBy(() -> b.handler(new HubHandler<>() {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy was already set to ALL");
  }

  @Test
  void builder_policyAfterHandler_isRefused() {
    HubConfig.Builder<String> b = HubConfig.textBuilder().handler(new HubHandler<>() {});
    assertThatThrownBy(() -> b.policy(BroadcastPolicy.NONE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a handler was already set");
  }

  @Test
  void backplaneSupplier_eachHubGetsItsOwn() {
    InMemoryBackplane.Group group = InMemoryBackplane.group();
    java.util.concurrent.atomic.AtomicInteger made =
        new java.util.concurrent.atomic.AtomicInteger();
    HubConfig<String> config =
        HubConfig.textBuilder()
            .backplane(
                () -> {
                  made.incrementAndGet();
                  return group.join();
                })
            .build();
    Hub<String> a = Hub.create(config.toBuilder().nodeId("a").build());
    Hub<String> b = Hub.create(config.toBuilder().nodeId("b").build());
    FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");

    a.broadcast(Target.all(), "from a");

    assertThat(made).hasValue(2);
    await("b receives a's broadcast").until(() -> onB.texts().contains("from a"));
    assertThat(onB.texts()).containsExactly("from a");
    a.shutdown(Duration.ZERO).join();
    b.shutdown(Duration.ZERO).join();
  }

  @Test
  void close_insideAHandler_isRefused_shutdownIsNot() {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<String> h, Client client, String text) {
                        try {
                          h.close();
                        } catch (IllegalStateException e) {
                          thrown.set(e);
                          h.shutdown(Duration.ZERO);
                        }
                      }
                    })
                .build());
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");

    c.inbound().onMessage(Message.text("stop"));

    assertThat(thrown.get()).hasMessageContaining("call shutdown() here instead");
    assertThat(hub.isShutdown()).isTrue();
  }

  @Test
  void roomLimit_fromAHandler_closesWith1008() {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .maxRooms(1)
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<String> h, Client client, String room) {
                        h.join(client.id(), room);
                      }
                    })
                .build());
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");
    c.inbound().onMessage(Message.text("one"));

    c.inbound().onMessage(Message.text("two"));

    assertThat(c.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void targetConnections_reachesEachOnceInOneReceipt() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
    FakeConnection b = FakeConnection.open(hub, "127.0.0.1", "");
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");

    BroadcastReceipt r = hub.broadcast(Target.connections(List.of(a.id(), b.id(), a.id())), "x");

    assertThat(r.queued()).isEqualTo(2);
    assertThat(a.texts()).containsExactly("x");
    assertThat(b.texts()).containsExactly("x");
    assertThat(c.texts()).isEmpty();
    assertThatThrownBy(() -> Target.connections(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void joinAndReplay_ofAnUnknownConnection_isEmpty_notAnEmptyRoom() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());

    assertThat(hub.joinAndReplay("nobody", "r")).isEmpty();
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void receipt_sequenceIsOptional_notMagic() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
    hub.join(a.id(), "r");

    assertThat(hub.broadcast(Target.room("r"), "one").sequence()).hasValue(1);
    assertThat(hub.broadcast(Target.all(), "two").sequence()).isEmpty();
    assertThat(BroadcastReceipt.pending().isPending()).isTrue();
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void subprotocol_firstOfOursTheClientOffered() {
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().subprotocols("chat.v2", "chat.v1").build());
    Map<String, List<String>> offer = Map.of("Sec-WebSocket-Protocol", List.of("chat.v1, chat.v2"));

    Admission a = Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", offer));
    Admission none =
        Acceptor.of(hub)
            .admit(
                FakeConnection.handshake(
                    "127.0.0.1", "", Map.of("Sec-WebSocket-Protocol", List.of("other"))));

    assertThat(a.subprotocol()).hasValue("chat.v2");
    assertThat(none.subprotocol()).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> HubConfig.textBuilder().subprotocols("bad name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name");
    hub.shutdown(Duration.ZERO);
  }

  @Test
  void sameOrigin_loopbackNamesAreOneHost() {
    Handshake h =
        Handshake.of(
            "/ws",
            "",
            Map.of("Host", List.of("127.0.0.1:8080")),
            new java.net.InetSocketAddress("127.0.0.1", 5000));

    assertThat(OriginPolicy.sameOrigin().allows(Optional.of("http://localhost:8080"), h)).isTrue();
    assertThat(OriginPolicy.sameOrigin().allows(Optional.of("http://localhost:8081"), h)).isFalse();
    assertThat(OriginPolicy.sameOrigin().allows(Optional.of("http://evil.example:8080"), h))
        .isFalse();
  }

  @Test
  void closeCodes_reasonIsCutOnACharacterBoundary() {
    String reason = "é".repeat(100); // 200 bytes

    byte[] cut = CloseCodes.reasonBytes(reason);

    assertThat(cut.length).isEqualTo(122);
    assertThat(CloseCodes.truncateReason(reason)).isEqualTo("é".repeat(61));
  }
}
