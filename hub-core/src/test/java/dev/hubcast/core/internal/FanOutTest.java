package dev.hubcast.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.FakeConnection;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub brackets each fan-out, so that adapters can start their writes once it is over. */
class FanOutTest {

  private final List<String> events = new CopyOnWriteArrayList<>();
  private Hub<String> hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.shutdown(Duration.ZERO);
    }
  }

  @Test
  void afterwards_withNoFanOut_runsAtOnce() {
    FanOut.afterwards(() -> events.add("ran"));
    assertThat(events).containsExactly("ran");
    assertThat(FanOut.inProgress()).isFalse();
  }

  @Test
  void afterwards_duringNestedFanOuts_runsOnceTheOutermostEnds_inOrder() {
    FanOut.begin();
    FanOut.afterwards(() -> events.add("first"));
    FanOut.begin();
    FanOut.afterwards(() -> events.add("second"));
    FanOut.end();
    assertThat(events).isEmpty();
    assertThat(FanOut.inProgress()).isTrue();
    FanOut.end();
    assertThat(events).containsExactly("first", "second");
    assertThat(FanOut.inProgress()).isFalse();
  }

  @Test
  void anActionThatThrows_isLogged_andTheOthersStillRun() {
    FanOut.begin();
    FanOut.afterwards(
        () -> {
          throw new IllegalStateException("expected by the test");
        });
    FanOut.afterwards(() -> events.add("still ran"));
    FanOut.end();
    assertThat(events).containsExactly("still ran");
    assertThat(FanOut.inProgress()).isFalse();
  }

  @Test
  void anActionThatThrowsAnError_propagates_butLeavesTheThreadOutOfTheFanOut() {
    FanOut.begin();
    FanOut.afterwards(
        () -> {
          throw new AssertionError("expected by the test");
        });
    assertThatThrownBy(FanOut::end).isInstanceOf(AssertionError.class);
    assertThat(FanOut.inProgress()).isFalse();
    FanOut.afterwards(() -> events.add("runs at once again"));
    assertThat(events).containsExactly("runs at once again");
  }

  @Test
  void end_withoutBegin_isAnError() {
    assertThatThrownBy(FanOut::end)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without begin");
  }

  /**
   * Opens n connections that record each send; the first asks to be told when the fan-out is over.
   */
  private void open(int n) {
    for (int i = 0; i < n; i++) {
      boolean first = i == 0;
      FakeConnection.open(hub, "127.0.0.1", "")
          .onSend(
              frame -> {
                events.add("send in fan-out: " + FanOut.inProgress());
                if (first) {
                  FanOut.afterwards(() -> events.add("after the fan-out"));
                }
              });
    }
  }

  @Test
  void broadcast_toAll_isOneFanOut_andTheActionRunsAfterTheLastSend() {
    hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).build());
    open(5);

    hub.broadcast(Target.all(), "hello");

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add("send in fan-out: true");
    }
    expected.add("after the fan-out");
    assertThat(events).isEqualTo(expected);
    assertThat(FanOut.inProgress()).isFalse();
  }

  @Test
  void broadcast_toARoom_isOneFanOut_too() {
    hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).build());
    open(3);
    for (Client c : hub.clients()) {
      hub.join(c.id(), "lobby");
    }

    hub.broadcast(Target.room("lobby"), "hello");

    assertThat(events)
        .containsExactly(
            "send in fan-out: true",
            "send in fan-out: true",
            "send in fan-out: true",
            "after the fan-out");
  }
}
