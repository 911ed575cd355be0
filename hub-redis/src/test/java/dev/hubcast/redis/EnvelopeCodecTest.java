package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.redis.internal.EnvelopeCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

  @Test
  void roundTrip_everyTargetAndFrameType() {
    for (Target t :
        List.of(
            Target.all(),
            Target.allExcept("n1-a"),
            Target.room("lobby"),
            Target.roomExcept("lobby", "n1-b"),
            Target.user("ada"),
            Target.connection("n2-c"))) {
      for (Message f :
          List.of(Message.text("héllo"), Message.binary(new byte[] {0, 1, 2, (byte) 255}))) {
        Envelope e = new Envelope("n1", 42, t, f, 7, 123456789L);

        Envelope back = EnvelopeCodec.decode(EnvelopeCodec.encode(e));

        assertThat(back).isEqualTo(e);
      }
    }
  }

  @Test
  void garbage_isRefusedWithAReason() {
    assertThatThrownBy(() -> EnvelopeCodec.decode("hello".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a hubcast envelope");
    assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otherVersion_isRefused() {
    byte[] b = EnvelopeCodec.encode(new Envelope("n1", 1, Target.all(), Message.text("x"), -1, 0));
    b[2] = 9;

    assertThatThrownBy(() -> EnvelopeCodec.decode(b))
        .hasMessageContaining("envelope version: 9 (expected: 1)");
  }

  @Test
  void truncated_isRefused() {
    byte[] b =
        EnvelopeCodec.encode(new Envelope("n1", 1, Target.room("r"), Message.text("xyz"), 3, 0));
    byte[] cut = java.util.Arrays.copyOf(b, b.length - 2);

    assertThatThrownBy(() -> EnvelopeCodec.decode(cut))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeCodec.decode(java.util.Arrays.copyOf(b, 12)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
