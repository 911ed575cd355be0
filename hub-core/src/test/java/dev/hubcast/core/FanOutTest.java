package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.FanOut;
import dev.hubcast.core.spi.SendCompletion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** Records each send, and from the first asks to be told when the fan-out is over. */
  private final class Recording implements Connection {
    private final String id;
    private final Handshake handshake;
    private final boolean first;

    Recording(Admission admission, boolean first) {
      this.id = admission.connectionId();
      this.handshake = admission.handshake();
      this.first = first;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Handshake handshake() {
      return handshake;
    }

    @Override
    public void send(Frame frame, SendCompletion completion) {
      events.add("send in fan-out: " + FanOut.inProgress());
      if (first) {
        FanOut.afterwards(() -> events.add("after the fan-out"));
      }
      completion.complete(frame, null);
    }

    @Override
    public void close(int code, String reason) {}

    @Override
    public boolean isOpen() {
      return true;
    }
  }

  private void open(int n) {
    Acceptor acceptor = hub.acceptor();
    for (int i = 0; i < n; i++) {
      Admission admission = acceptor.admit(FakeConnection.handshake("127.0.0.1", "", Map.of()));
      acceptor.open(new Recording(admission, i == 0));
    }
  }

  @Test
  void broadcast_toAll_isOneFanOut_andTheActionRunsAfterTheLastSend() {
    hub = Hub.create(HubConfig.text().policy(BroadcastPolicy.NONE).build());
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
    hub = Hub.create(HubConfig.text().policy(BroadcastPolicy.NONE).build());
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
