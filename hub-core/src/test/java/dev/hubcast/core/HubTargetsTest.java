package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the targets mean (rooms, users, one connection, all but one), which no transport can change:
 * checked here on fake connections, once, rather than through every adapter. The conformance kit
 * keeps one room broadcast end to end.
 */
@Timeout(30)
class HubTargetsTest {

  private final List<Hub<?>> hubs = new ArrayList<>();

  private Hub<String> hub(HubConfig.Builder<String> config) {
    Hub<String> hub = Hub.create(config.build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void shutdown() throws Exception {
    for (Hub<?> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  private static FakeConnection open(Hub<?> hub, String query) {
    return FakeConnection.open(hub, "127.0.0.1", query);
  }

  @Nested
  class Rooms {

    @Test
    @DisplayName("a room broadcast reaches its members only; roomExcept skips one")
    void roomBroadcast_reachesMembersOnly() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub, "");
      FakeConnection b = open(hub, "");
      FakeConnection c = open(hub, "");
      assertThat(hub.join(a.id(), "red")).isTrue();
      assertThat(hub.join(b.id(), "red")).isTrue();
      assertThat(hub.join(c.id(), "blue")).isTrue();

      BroadcastReceipt toRed = hub.broadcast(Target.room("red"), "to red");
      BroadcastReceipt butA = hub.broadcast(Target.roomExcept("red", a.id()), "to red but a");

      assertThat(toRed.queued()).isEqualTo(2);
      assertThat(butA.queued()).isEqualTo(1);
      assertThat(a.texts()).containsExactly("to red");
      assertThat(b.texts()).containsExactly("to red", "to red but a");
      assertThat(c.texts()).isEmpty();
      assertThat(hub.rooms()).containsExactlyInAnyOrder("red", "blue");
      assertThat(hub.members("red"))
          .extracting(Client::id)
          .containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    @DisplayName("a client that left a room no longer receives its broadcasts")
    void leave_stopsDelivery() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub, "");
      hub.join(a.id(), "red");

      assertThat(hub.leave(a.id(), "red")).isTrue();
      BroadcastReceipt receipt = hub.broadcast(Target.room("red"), "after leaving");

      assertThat(receipt.recipients()).isZero();
      assertThat(a.texts()).isEmpty();
      assertThat(hub.rooms()).doesNotContain("red");
    }

    @Test
    @DisplayName("joining with replay sends the room's last N messages first, and reports the gap")
    void joinAndReplay_sendsHistoryFirst() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).historySize(3));
      FakeConnection a = open(hub, "");
      hub.join(a.id(), "red");
      for (int i = 1; i <= 5; i++) {
        hub.broadcast(Target.room("red"), "m" + i);
      }
      assertThat(a.texts()).containsExactly("m1", "m2", "m3", "m4", "m5");
      FakeConnection b = open(hub, "");

      HistoryRead read = hub.joinAndReplay(b.id(), "red").orElseThrow();
      hub.broadcast(Target.room("red"), "m6");

      assertThat(read.gap()).isTrue();
      assertThat(read.missed()).isEqualTo(2);
      assertThat(b.texts()).containsExactly("m3", "m4", "m5", "m6");
    }
  }

  @Nested
  class Users {

    private HubConfig.Builder<String> byUserParam() {
      return HubConfig.textBuilder()
          .policy(BroadcastPolicy.NONE)
          .authenticator(
              h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()));
    }

    @Test
    @DisplayName("a user broadcast reaches every tab of that user and no one else")
    void userBroadcast_reachesAllTabs() {
      Hub<String> hub = hub(byUserParam());
      FakeConnection ada1 = open(hub, "user=ada");
      FakeConnection ada2 = open(hub, "user=ada");
      FakeConnection bob = open(hub, "user=bob");

      BroadcastReceipt receipt = hub.broadcast(Target.user("ada"), "for ada");

      assertThat(receipt.queued()).isEqualTo(2);
      assertThat(ada1.texts()).containsExactly("for ada");
      assertThat(ada2.texts()).containsExactly("for ada");
      assertThat(bob.texts()).isEmpty();
      assertThat(hub.users()).containsExactlyInAnyOrder("ada", "bob");
      assertThat(hub.connectionsOf("ada")).hasSize(2);
    }
  }

  @Nested
  class OneConnection {

    @Test
    @DisplayName("hub.send(id) reaches that connection only")
    void send_reachesOne() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub, "");
      FakeConnection b = open(hub, "");

      BroadcastReceipt receipt = hub.send(b.id(), "just b");

      assertThat(receipt.queued()).isEqualTo(1);
      assertThat(b.texts()).containsExactly("just b");
      assertThat(a.texts()).isEmpty();
    }

    @Test
    @DisplayName("a send to an unknown id reaches no one and does not throw")
    void send_unknownId_reachesNoOne() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub, "");

      assertThat(hub.send(hub.nodeId() + "-nope", "lost").recipients()).isZero();
      assertThat(a.texts()).isEmpty();
    }
  }

  @Nested
  class AllExcept {

    @Test
    @DisplayName("hub.broadcast(allExcept(id)) skips exactly that connection")
    void broadcastAllExcept_skipsOne() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub, "");
      FakeConnection b = open(hub, "");

      BroadcastReceipt receipt = hub.broadcast(Target.allExcept(a.id()), "not for a");

      assertThat(receipt.queued()).isEqualTo(1);
      assertThat(b.texts()).containsExactly("not for a");
      assertThat(a.texts()).isEmpty();
    }
  }
}
