package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The patterns {@link MessageCodec}'s Javadoc teaches work as written. */
class MessageCodecPatternTest {

  sealed interface Wire permits Say, Said {}

  record Say(String text) implements Wire {}

  record Said(String from, String text) implements Wire {}

  static final class WireCodec implements MessageCodec<Wire> {
    @Override
    public Message encode(Wire m) {
      if (!(m instanceof Said said)) {
        throw new IllegalArgumentException("not outbound: " + m);
      }
      return Message.text(said.from() + ": " + said.text());
    }

    @Override
    public Wire decode(Message m) {
      return new Say(m.text());
    }
  }

  @Test
  void sealedWireType_inboundAndOutboundRecordsThroughOneCodec() {
    Hub<Wire> hub =
        Hub.create(
            HubConfig.builder(new WireCodec())
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<Wire> h, Client from, Wire m) {
                        if (m instanceof Say say) {
                          h.broadcast(Target.all(), new Said("ada", say.text()));
                        }
                      }
                    })
                .build());
    FakeConnection ada = FakeConnection.open(hub, "127.0.0.1", "");
    FakeConnection bob = FakeConnection.open(hub, "127.0.0.1", "");

    ada.inbound().onMessage(Message.text("hello"));

    assertThat(bob.texts()).containsExactly("ada: hello");
    assertThat(ada.texts()).containsExactly("ada: hello");
    assertThatThrownBy(() -> hub.broadcast(Target.all(), new Say("inbound only")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not outbound");
    assertThat(bob.texts()).containsExactly("ada: hello");
    hub.shutdown(Duration.ZERO).join();
  }

  @Test
  void encodeThatThrows_reachesTheCallerAndQueuesNothing() {
    MessageCodec<String> failing =
        new MessageCodec<>() {
          @Override
          public Message encode(String m) {
            throw new UncheckedIOException(new java.io.IOException("cannot write " + m.length()));
          }

          @Override
          public String decode(Message m) {
            return m.text();
          }
        };
    Hub<String> hub = Hub.create(HubConfig.builder(failing).build());
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");

    assertThatThrownBy(() -> hub.broadcast(Target.all(), "x"))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(c.frames()).isEmpty();
    assertThat(c.isOpen()).isTrue();
    hub.shutdown(Duration.ZERO).join();
  }
}
